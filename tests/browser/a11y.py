"""Checks the browser tests run on a page: accessibility (axe-core), English left in the chrome,
and screenshots kept as test artefacts."""
from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
#: screenshots of the pages land here (an ignored folder: test artefacts, not sources)
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
SERIOUS = ("serious", "critical")


def axe_violations(page, impacts=SERIOUS) -> list[dict]:
    """axe-core's WCAG 2.x A/AA violations of the current page at these impacts, as
    ``{"id", "impact", "help", "nodes"}``. axe is evaluated through the DevTools protocol, so the
    page's CSP (script-src 'self') does not block it and the app never serves it."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                                           resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in impacts]


#: Latin words (two letters or more) in the page's own words: text nodes, <title>, and the
#: title/placeholder/aria-label attributes. Left out: what is not chrome — the document text
#: (#doc-text), what a template marks translate="no" (titles, reference codes, usernames, model
#: versions), key caps (<kbd>), code, the switch to English itself (lang="en"), and text a
#: sentence quotes from the document 「…」.
ENGLISH_IN_CHROME = r"""() => {
  const skip = el => !el || el.closest('[translate="no"], #doc-text, kbd, code, script, style, [lang="en"]');
  const words = s => (s.replace(/「[^」]*」/g, '').match(/[A-Za-z]{2,}/g) || []);
  const out = [];
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (w.nextNode()) {
    const n = w.currentNode;
    if (skip(n.parentElement)) continue;
    for (const word of words(n.data)) out.push(word + '  <' + n.parentElement.tagName.toLowerCase() +
                                               (n.parentElement.id ? '#' + n.parentElement.id : '') + '>');
  }
  for (const el of document.querySelectorAll('[title], [placeholder], [aria-label]')) {
    if (skip(el)) continue;
    for (const a of ['title', 'placeholder', 'aria-label']) {
      for (const word of words(el.getAttribute(a) || '')) out.push(word + '  @' + a);
    }
  }
  for (const word of words(document.title)) out.push(word + '  <title>');
  return out;
}"""


def english_in_chrome(page) -> list[str]:
    return page.evaluate(ENGLISH_IN_CHROME)


def screenshot(page, name: str, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path

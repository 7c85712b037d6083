"""The review app in real headless Chromium (Debian's, driven by Playwright; no browser download).

One server per module on a free loopback port; the flow follows a working day: sign in, open the
queue, accept a span with the keyboard, add a missed span by selecting text (after a character
outside the BMP, so UTF-16 and code-point offsets differ), decide, and find it all in the audit
view with the chain verified.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "review_app"))
from review_fixtures import TEXT, make_document, scan_and_propose  # noqa: E402
from live_server import serve  # noqa: E402

CHROMIUM = os.environ.get("KAIFANG_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PASSWORD = "browser-test-pw"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (scripts/bootstrap.sh test does)")
    from sqlmodel import Session

    from review_app.config import Settings
    from review_app.db import make_engine, upgrade
    from review_app.main import create_app
    from review_app.store import users

    tmp = tmp_path_factory.mktemp("ui")
    eng = make_engine(f"sqlite:///{tmp / 'ui.db'}")
    upgrade(eng)
    with Session(eng, expire_on_commit=False) as s:
        for name, role in (("rev1", "reviewer"), ("aud1", "auditor")):
            users.create_user(session=s, username=name, password=PASSWORD, role=role, actor="setup")
        ids = make_document(s, n=2)
        for i in ids:
            scan_and_propose(s, i)
    app = create_app(Settings(home=tmp / "home", secret_key="b" * 40), engine=eng)
    with serve(app) as base:
        yield base, ids, eng
    eng.dispose()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                              args=ARGS, headless=True)
        yield b
        b.close()


def _login(browser, base, username):
    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(10000)
    page.csp_errors = []  # our pages must work under their own Content-Security-Policy
    page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_errors.append(m.text))
    page.goto(base + "/queue")  # redirected to the login form
    assert "/login" in page.url
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url("**/queue")
    return page


def test_review_day_in_the_browser(server, browser):
    from playwright.sync_api import expect

    base, ids, eng = server
    page = _login(browser, base, "rev1")
    # the queue lists both documents
    links = page.locator("a.doc-link")
    assert links.count() == 2
    links.first.click()
    page.wait_for_url("**/documents/*")
    doc_id = int(page.url.rsplit("/", 1)[1])
    assert page.locator("#doc-text mark.span").count() == 4
    # keyboard: j focuses the first span, a accepts it
    page.keyboard.press("j")
    first = page.locator("#doc-text mark.span").first
    assert "focus" in first.get_attribute("class")
    first_id = first.get_attribute("data-id")
    page.keyboard.press("a")
    page.wait_for_selector(f'#doc-text mark.span.st-accepted[data-id="{first_id}"]')
    # l opens the label menu on the focused span; a digit picks the label (the phone number
    # becomes a bank account, the 5th label); u undoes it
    phone = page.locator('#doc-text mark.span.lbl-PHONE')
    phone.click()
    page.keyboard.press("l")
    page.wait_for_selector("#relabel:not([hidden])")
    page.keyboard.press("5")
    page.wait_for_selector('#doc-text mark.span.lbl-BANK_ACCOUNT.st-corrected')
    page.keyboard.press("u")
    page.wait_for_selector('#doc-text mark.span.lbl-PHONE.st-proposed')
    # add a missed span by selecting its text (it comes after 𠮷, a surrogate pair in JS)
    needle = "福州市鼓楼区杨桥路18号3栋502室"
    page.evaluate(
        """(needle) => {
            const segs = [...document.querySelectorAll('#doc-text .seg')];
            const seg = segs.find(s => s.textContent.includes(needle));
            const node = seg.firstChild, i = node.data.indexOf(needle);
            const r = document.createRange();
            r.setStart(node, i); r.setEnd(node, i + needle.length);
            const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
            seg.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
        }""", needle)
    page.wait_for_selector("#sel-menu:not([hidden])")
    page.keyboard.press("6")  # ADDRESS, the 6th label of the menu
    page.wait_for_selector('#doc-text mark.span.lbl-ADDRESS.st-added')
    added = page.locator('#doc-text mark.span.lbl-ADDRESS')
    assert added.inner_text() == needle
    start = TEXT.index(needle)
    assert (int(added.get_attribute("data-start")), int(added.get_attribute("data-end"))) == (start, start + len(needle))
    # u undoes the addition
    page.keyboard.press("u")
    page.wait_for_selector('#doc-text mark.span.lbl-ADDRESS', state="detached")
    # decide: d jumps to the form
    page.keyboard.press("d")
    page.check('#decision-form input[name="decision"][value="CLOSED"]')
    page.check('#decision-form input[name="reasons"][value="PERSONAL_INFO"]')
    page.select_option('#decision-form select[name="closure"]', "CONTROLLED")
    page.fill('#decision-form textarea[name="note"]', "含个人健康信息，控制使用")
    page.click('#decision-form button[type="submit"]')
    page.wait_for_selector("ul.reviews li")
    assert "暂不开放（控制使用）" in page.locator("ul.reviews").inner_text()
    assert "分歧" in page.locator("ul.reviews").inner_text()  # differs from the OPEN_REDACTED proposal
    # a stale save is refused with a readable message
    page.evaluate("document.querySelector('.doc-grid').setAttribute('data-version', '1')")
    page.keyboard.press("j")
    page.keyboard.press("r")
    expect(page.locator("#flash")).to_contain_text("在你打开之后已被")
    assert page.csp_errors == []
    page.context.close()

    # the auditor sees the events and verifies the chain
    audit = _login(browser, base, "aud1")
    audit.goto(f"{base}/audit?document={doc_id}")
    body = audit.locator("table.audit").inner_text()
    actions = set(audit.eval_on_selector_all("table.audit tr[data-action]", "rs => rs.map(r => r.dataset.action)"))
    assert {"span.accept", "span.add", "span.undo", "decision.review", "propose"} <= actions
    assert "确认标注" in body and "初审决定" in body and "rev1" in body  # actions in words
    assert audit.locator("#decision-form").count() == 0
    audit.click("#verify-btn")
    audit.wait_for_selector("#verify-ok")
    # an auditor's document page has no editing controls and no decision form
    audit.goto(f"{base}/documents/{doc_id}")
    assert audit.locator("#decision-form").count() == 0
    audit.keyboard.press("j")
    audit.keyboard.press("a")
    expect(audit.locator("#flash")).to_contain_text("不能修改标注")
    audit.context.close()


def test_help_overlay_and_queue_filter(server, browser):
    base, ids, _ = server
    page = _login(browser, base, "rev1")
    page.keyboard.press("?")
    assert page.locator("#help").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("#help").is_visible()
    page.select_option('select[name="stage"]', "all")
    page.fill('input[name="year"]', "1999")
    page.keyboard.press("Enter")
    page.wait_for_selector("td.empty")
    assert "year=1999" in page.url  # the filtered queue has its own address (htmx push-url)
    page.context.close()

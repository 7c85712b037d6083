"""A proposal's evidence as sentences a review committee reads.

A proposal stores what the proposer found (``Proposal.evidence``: the rules that fired with
their spans and wording, the model's probabilities, the features that weighed most, notes) as
data; this module turns it into sentences in the reader's language, e.g.::

    第 2 段出现住址「扬州市……602室」、健康「确诊为乙型肝炎」：含自然人的身份证件号码、住址……至少须屏蔽后开放。
    （《中华人民共和国个人信息保护法》第二十八条、第十三条；审核指南第 2 条）

Words come from the message catalogue (``review_app.i18n``): labels, decisions, reasons, legal
bases with their article, feature names. The evidence format belongs to the proposer
(``models.decision``) and may grow: an item of an unknown kind is skipped here (it is still in
the stored proposal and the JSON API), never shown as raw keys.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from review_app.i18n import has, join, name, t, zh_number  # noqa: F401  (zh_number: re-exported)

MAX_EXAMPLES = 3
MAX_PLACES = 4
MAX_FACTORS = 4
EXAMPLE_CHARS = 24
_BASIS_RE = re.compile(r"^(?P<law>[A-Z][A-Z_]*?)_(?P<n>\d{1,3})$")


@dataclass
class Sentence:
    """One line of the explanation: its text, what kind of evidence it comes from, the rule id."""

    text: str
    kind: str
    rule: str | None = None
    strength: str = ""  # force | suggest | notice | model | note
    spans: list[tuple[int, int]] = field(default_factory=list)


# --------------------------------------------------------------------------- small pieces


def bases(codes: Iterable[str], lang: str) -> str:
    """Legal bases in words with their article, articles of one law grouped:
    ``PIPL_28, PIPL_13, GUIDELINES_2`` -> 《中华人民共和国个人信息保护法》第二十八条、第十三条；审核指南第 2 条.

    ``LAW_N`` with a ``law.<LAW>`` entry is that law and article N (``article.<code>`` where the
    article needs more, e.g. a paragraph); a code with a ``basis.<code>`` entry is shown by it;
    anything else is shown as it is.
    """
    groups: dict[str, list[str]] = {}
    order: list[str] = []
    for code in dict.fromkeys(str(c) for c in codes if c):
        m = _BASIS_RE.match(code)
        if m and has(f"law.{m['law']}"):
            key, n = f"law.{m['law']}", int(m["n"])
            art = t(f"article.{code}", lang) if has(f"article.{code}") else t("basis.article", lang, n=n)
            part = art if key in groups else t(key, lang) + ("" if lang == "zh" else " ") + art
            groups.setdefault(key, []).append(part)
        elif has(f"basis.{code}"):
            key = f"basis.{code}"
            groups.setdefault(key, []).append(t(key, lang))
        else:
            key = f"raw.{code}"
            groups.setdefault(key, []).append(code)
        if key not in order:
            order.append(key)
    sep = "；" if lang == "zh" else "; "
    return sep.join(join(groups[k], lang) for k in order)


class Places:
    """Where an offset lies, in words: 第 3 段 (第 2 页第 3 段 in a document of several pages).

    Paragraphs are the non-blank lines of the text, counted from the start of their page.
    """

    def __init__(self, text: str, page_starts: Sequence[int] | None) -> None:
        self.pages = sorted({0, *(int(p) for p in (page_starts or [0]) if 0 <= int(p) <= len(text))})
        self.line_starts: list[int] = []
        pos = 0
        for line in text.splitlines(keepends=True):
            if line.strip():
                self.line_starts.append(pos)
            pos += len(line)

    def locate(self, offset: int) -> tuple[int, int]:
        """(page number, paragraph number within the page), both from 1."""
        page_i = bisect.bisect_right(self.pages, offset) - 1
        page_start = self.pages[page_i]
        para = bisect.bisect_right(self.line_starts, offset) - bisect.bisect_left(self.line_starts, page_start)
        return page_i + 1, max(para, 1)

    def describe(self, offsets: Iterable[int], lang: str) -> str:
        """第 2、5 段 (or 第 1 页第 2 段；第 3 页第 1、4 段), at most ``MAX_PLACES`` paragraphs named."""
        found = sorted({self.locate(o) for o in offsets})
        if not found:
            return ""
        shown, more = found[:MAX_PLACES], len(found) > MAX_PLACES
        by_page: dict[int, list[int]] = {}
        for page, para in shown:
            by_page.setdefault(page, []).append(para)
        key = "explain.place_page" if len(self.pages) > 1 else "explain.place"
        parts = [t(key, lang, page=page, para=join([str(q) for q in paras], lang)) for page, paras in by_page.items()]
        return ("；" if lang == "zh" else "; ").join(parts) + (t("explain.more_places", lang) if more else "")


def _quote(text: str, lang: str) -> str:
    text = " ".join(str(text).split())
    if len(text) > EXAMPLE_CHARS:
        text = text[:EXAMPLE_CHARS - 1] + "…"
    return t("explain.quote", lang, text=text)


def _spans_of(item: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    out = []
    for e in item.get("evidence") or []:
        if isinstance(e, Mapping) and isinstance(e.get("start"), int) and isinstance(e.get("end"), int):
            out.append(e)
    return out


def _findings(spans: Sequence[Mapping[str, Any]], lang: str) -> str:
    """What was found, in words: 住址「……」、健康「……」、「户口」类用语."""
    by_what: dict[str, list[str]] = {}
    for s in spans:
        what = (name("label", s["label"], lang) if s.get("label")
                else t("explain.cue_words", lang, cue=name("cue", s.get("cue") or "other", lang)))
        examples = by_what.setdefault(what, [])
        example = s.get("text")
        if example and len(examples) < MAX_EXAMPLES and _quote(example, lang) not in examples:
            examples.append(_quote(example, lang))
    return join([w + "".join(ex) for w, ex in by_what.items()], lang)


_CODE_RE = re.compile(r"\b[A-Z][A-Z_]{2,}\b")


def _wording(item: Mapping[str, Any], lang: str) -> str:
    """The rule's own wording in the reader's language, label codes replaced by their names."""
    text = item.get(f"wording_{lang}") or item.get("wording_zh") or item.get("wording_en") or ""
    return _CODE_RE.sub(lambda m: name("label", m.group(0), lang) if has(f"label.{m.group(0)}") else m.group(0),
                        str(text)).strip()


def _end(text: str, lang: str) -> str:
    """A sentence ends with one stop; the parenthesised basis follows it."""
    text = text.rstrip()
    stop = "。" if lang == "zh" else "."
    return text if not text or text[-1] in "。.!！?？" else text + stop


# --------------------------------------------------------------------------- evidence kinds


def _rule_sentence(item: Mapping[str, Any], places: Places, lang: str) -> Sentence:
    spans = _spans_of(item)
    wording = _wording(item, lang)
    basis = bases(item.get("basis") or [], lang)
    where = places.describe((s["start"] for s in spans), lang)
    found = _findings(spans, lang)
    if found:
        head = t("explain.found", lang, where=where or t("explain.in_text", lang), what=found)
        text = head + (t("explain.colon", lang) + wording if wording else "")
    else:
        text = wording or t("explain.rule_fired", lang, rule=name("rule", item.get("id"), lang))
    text = _end(text, lang)
    if basis:
        text += t("explain.basis", lang, basis=basis)
    return Sentence(text=text, kind="rule", rule=str(item.get("id") or "") or None,
                    strength=str(item.get("rule_kind") or ""),
                    spans=[(int(s["start"]), int(s["end"])) for s in spans])


def _model_sentence(item: Mapping[str, Any], decision: str | None, lang: str) -> Sentence | None:
    probs = item.get("probabilities") or {}
    if not isinstance(probs, Mapping) or not probs:
        return None
    ranked = sorted(((k, float(v)) for k, v in probs.items() if isinstance(v, (int, float))), key=lambda kv: -kv[1])
    shares = join([t("explain.share", lang, decision=name("decision", k, lang), pct=round(v * 100)) for k, v in ranked],
                  lang)
    text = t("explain.model", lang, shares=shares)
    threshold = item.get("open_threshold")
    if isinstance(threshold, (int, float)):
        text += t("explain.open_threshold", lang, pct=round(float(threshold) * 100))
    floor = item.get("policy_floor")
    model_decision = item.get("model_decision")
    if item.get("overridden") and floor and decision:
        text += t("explain.overridden", lang, model=name("decision", model_decision, lang),
                  floor=name("decision", floor, lang))
    return Sentence(text=_end(text, lang), kind="model", strength="model")


def feature_name(raw: str, lang: str) -> str | None:
    """A decision-model feature in words, or None for one the catalogue cannot name."""
    family, _, arg = str(raw).partition(":")
    if not arg:
        return t(f"feature.{family}", lang) if has(f"feature.{family}") else None
    if family in ("count", "density", "private"):
        return t(f"feature.{family}", lang, label=name("label", arg, lang))
    if family == "cue":
        return t("feature.cue", lang, cue=name("cue", arg, lang))
    if family == "rule":
        return t("feature.rule", lang, rule=name("rule", arg, lang)) if has(f"rule.{arg}") else None
    if family == "classification":
        return t("feature.classification", lang, value=name("classification", arg, lang))
    if family == "floor":
        return t("feature.floor", lang, decision=name("decision", arg, lang))
    if family == "genre":
        return t("feature.genre", lang, genre=name("genre", arg, lang))
    if family in ("persons", "record_subject") and has(f"role.{arg}"):
        return t(f"feature.{family}", lang, role=t(f"role.{arg}", lang))
    if family == "title" and has(f"title_kind.{arg}"):
        return t("feature.title", lang, kind=t(f"title_kind.{arg}", lang))
    if family == "genre_bucket":
        return t("feature.genre_bucket", lang)
    if family == "ngram":
        return t("feature.ngram", lang, text=arg.strip()) if arg.strip() and not arg.startswith("#") else None
    return None


def _features_sentence(items: Sequence[Mapping[str, Any]], decision: str | None, lang: str) -> Sentence | None:
    names: list[str] = []
    for item in sorted(items, key=lambda f: -float(f.get("contribution") or 0)):
        n = feature_name(str(item.get("name", "")), lang)
        if n and n not in names:
            names.append(n)
        if len(names) >= MAX_FACTORS:
            break
    if not names:
        return None
    cls = items[0].get("class") or decision
    text = t("explain.factors", lang, decision=name("decision", cls, lang), factors=join(names, lang))
    return Sentence(text=_end(text, lang), kind="features", strength="model")


def _note_sentence(item: Mapping[str, Any], lang: str) -> Sentence | None:
    text = _wording(item, lang) or (t(f"note.{item.get('code')}", lang) if has(f"note.{item.get('code')}") else "")
    return Sentence(text=_end(text, lang), kind="note", strength="note") if text else None


# --------------------------------------------------------------------------- the whole proposal


def explain(proposal: Mapping[str, Any] | None, text: str, page_starts: Sequence[int] | None,
            lang: str) -> list[Sentence]:
    """The proposal's evidence as sentences: rules (forced first), notes, then the model's view."""
    if not proposal:
        return []
    places = Places(text or "", page_starts)
    decision = proposal.get("decision")
    evidence = [e for e in (proposal.get("evidence") or []) if isinstance(e, Mapping)]
    rank = {"force": 0, "suggest": 1, "notice": 2}
    rules = sorted((e for e in evidence if e.get("kind") == "rule"), key=lambda e: rank.get(e.get("rule_kind"), 3))
    out = [_rule_sentence(e, places, lang) for e in rules]
    out += [s for e in evidence if e.get("kind") == "note" and (s := _note_sentence(e, lang))]
    for e in evidence:
        if e.get("kind") == "model" and (s := _model_sentence(e, decision, lang)):
            out.append(s)
    features = [e for e in evidence if e.get("kind") == "feature"]
    if features and (s := _features_sentence(features, decision, lang)):
        out.append(s)
    return out

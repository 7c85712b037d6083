"""The message catalogue: every key the code uses exists in Chinese and English, every code a page
names (labels, decisions, roles, statuses, audit actions, legal bases, rules, features) has words,
and errors carry their key so a page shows them in the reader's language."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from markupsafe import Markup

from review_app import i18n
from review_app.i18n import LocalizedError, catalogue, has, t, t_html

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "review_app"


def _fields(text: str) -> set[str]:
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_entry_has_both_languages_and_matching_placeholders():
    assert i18n.incomplete() == []
    for key, entry in catalogue().items():
        zh, en = _fields(entry["zh"]), _fields(entry["en"])
        if key.startswith("err."):
            # errors are raised with the English text's parameters; Chinese may say less
            assert zh <= en, key
        else:
            assert zh == en, key


def _used_keys() -> set[str]:
    keys: set[str] = set()
    for path in (APP / "templates").glob("*.html"):
        keys |= set(re.findall(r"""_\('([a-z_.0-9A-Z-]+)'""", path.read_text(encoding="utf-8")))
    for path in APP.rglob("*.py"):
        src = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"""["']((?:err|admin|explain|notice|panel|queue|elusion|feature|basis)\.[a-z_]+)["']""", src))
    js = (APP / "static" / "review.js").read_text(encoding="utf-8")
    keys |= {"js." + k for k in re.findall(r'T\("([a-z_]+)"', js)}
    # keys built from a value at run time
    keys |= {f"panel.prefilled_{s}" for s in ("proposal", "reviewer", "none")}
    keys |= {f"js.done_{k}" for k in ("accept", "reject", "relabel", "resize")}
    keys |= {"doc.keybar", "doc.keybar_final", "doc.keybar_read"}
    return {k for k in keys if not k.endswith((".html", ".py", ".", "_"))}


def test_every_key_the_code_uses_is_in_the_catalogue():
    used = _used_keys()
    assert len(used) > 200
    assert i18n.missing(used) == []


def test_every_code_a_page_names_has_words():
    from kaifang.cli.serve import build_app  # noqa: F401  (registers nothing at import)
    from models.spans import LABELS
    from review_app.queue import ORDERS, STAGES
    from review_app.routes.audit_pages import AUDIT_ACTIONS
    from review_app.store.model_registry import JOB_FINAL
    from review_app.store.review import CLOSURES, DECISIONS, REASONS
    from review_app.store.users import ROLES

    expected = ([f"label.{x}" for x in LABELS] + [f"decision.{x}" for x in DECISIONS] + [f"reason.{x}" for x in REASONS]
                + [f"closure.{x}" for x in CLOSURES] + [f"role.{x}" for x in ROLES] + [f"stage.{x}" for x in STAGES]
                + [f"order.{x}" for x in (*ORDERS, "active")] + [f"action.{x}" for x in AUDIT_ACTIONS]
                + [f"jobstatus.{x}" for x in (*JOB_FINAL, "queued", "running")]
                + [f"status.{x}" for x in ("new", "scanned", "proposed", "reviewed", "final")]
                + [f"spanstatus.{x}" for x in ("proposed", "accepted", "rejected", "added", "corrected", "superseded",
                                               "withdrawn")]
                + [f"verdict.{x}" for x in ("OPEN", "OPEN_REDACTED", "CLOSED", "CLOSED/CONTROLLED", "CLOSED/DEFERRED")])
    assert i18n.missing(expected) == []
    # every audit action the code writes has its words (the audit page shows them)
    written = set()
    for path in list((ROOT / "review_app").rglob("*.py")) + list((ROOT / "training").rglob("*.py")):
        written |= set(re.findall(r'action="([a-z]+(?:\.[a-z]+)?)"', path.read_text(encoding="utf-8")))
    written |= {"ingest", "login.failed", "user.deactivate", "training.succeeded", "training.failed", "training.killed"}
    assert i18n.missing(f"action.{a}" for a in written) == []


def test_legal_bases_rules_and_features_of_the_shipped_rulebook_have_words():
    import yaml

    from models.decision import numeric_feature_names
    from models.policy import DEFAULT_RULEBOOK, Rulebook
    from review_app.explain import bases, feature_name

    book = yaml.safe_load(DEFAULT_RULEBOOK.read_text(encoding="utf-8"))
    for rule in book["rules"]:
        assert has(f"rule.{rule['id']}"), rule["id"]
        for code in rule["basis"]:
            words = bases([code], "zh")
            assert code not in words and ("条" in words or "办法" in words), (code, words)
            assert code not in bases([code], "en")
    names = numeric_feature_names(Rulebook.load(DEFAULT_RULEBOOK))
    unnamed = [n for n in names if feature_name(n, "zh") is None]
    assert unnamed == []


def test_format_specs_name_codes_and_html_escapes_values():
    assert t("notice.disagreement", "zh", reviewer="王", reviewer_verdict="CLOSED/DEFERRED",
             proposed_verdict="CLOSED/CONTROLLED") == "存在分歧：初审 王 决定暂不开放（延期开放），机器建议暂不开放（控制使用）。"
    assert "closed (opening deferred)" in t("notice.disagreement", "en", reviewer="w", reviewer_verdict="CLOSED/DEFERRED",
                                             proposed_verdict="CLOSED/CONTROLLED")
    assert t("err.needs_reason", "zh", decision="NEW_CODE") == "“NEW_CODE”须至少选一项理由。"  # unknown code as it is
    html = t_html("panel.reviewer_line", "zh", reviewer=Markup('<span translate="no">rev1</span>'),
                  verdict="<b>x</b>", reasons="a&b")
    assert '<span translate="no">rev1</span>' in html and "&lt;b&gt;x&lt;/b&gt;" in html and "a&amp;b" in html
    with pytest.raises(KeyError):
        t("no.such.key")


def test_localized_errors_are_english_for_scripts_and_chinese_on_pages():
    from review_app.store.review import ConflictError, ReviewError

    exc = ConflictError("err.stale_by", document=3, by="rev2", seen=4, now=5)
    assert str(exc).startswith("document 3 was changed by rev2 since you opened it (you saw version 4")
    assert exc.localize("zh").startswith("文件 3 在你打开之后已被 rev2 修改")
    plain = ReviewError("a message not in the catalogue")
    assert plain.key is None and plain.localize("zh") == "a message not in the catalogue"
    assert i18n.normalise_lang("EN") == "en" and i18n.normalise_lang("fr") == "zh" and i18n.normalise_lang(None) == "zh"

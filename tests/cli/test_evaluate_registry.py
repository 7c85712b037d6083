"""``kaifang evaluate`` scores the model the app serves: the registry's current version by default;
``--model shipped`` or a directory picks another, and the output is the same format either way."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import models.evaluation as evaluation
from evaluate_stubs import PolicyStub
from kaifang.cli import app
from models.analyzer import build_rule_analyzer

runner = CliRunner()
GOLD = {"id": "1", "text": "林碧军，电话：0591-87654321。", "decision": "OPEN_REDACTED",
        "spans": [{"start": 7, "end": 20, "label": "PHONE"}]}


@pytest.fixture
def loaded(monkeypatch, tmp_path):
    """Record which model directory the command loads (rules and a stub stand in for it)."""
    seen: list = []

    def detector(model=None, rules_only=False):
        seen.append(model)
        return evaluation.RulesOnlyDetector(build_rule_analyzer()), None

    monkeypatch.setattr(evaluation, "load_detector", detector)
    monkeypatch.setattr(evaluation, "load_proposer", lambda model=None: (PolicyStub(), None))
    monkeypatch.setenv("KAIFANG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KAIFANG_DATABASE_URL", "")
    return seen


def _gold(tmp_path) -> str:
    p = tmp_path / "gold.jsonl"
    p.write_text(json.dumps(GOLD, ensure_ascii=False) + "\n", encoding="utf-8")
    return str(p)


def test_no_registry_means_the_shipped_model_and_no_database_created(loaded, tmp_path):
    r = runner.invoke(app, ["evaluate", _gold(tmp_path), "--json"])
    assert r.exit_code == 0, r.output
    assert loaded == [None]
    assert not (tmp_path / "home" / "kaifang.db").exists()


def test_default_is_the_registry_current_version(loaded, tmp_path):
    from kaifang.cli.common import engine, settings
    from review_app.db import session_scope
    from review_app.store import model_registry as reg

    current, other = tmp_path / "v-current", tmp_path / "v-other"
    current.mkdir()
    other.mkdir()
    with session_scope(engine(settings())) as s:
        reg.register_version(session=s, name="v-current", path=str(current), actor="admin", status="current")
    gold = _gold(tmp_path)
    default = runner.invoke(app, ["evaluate", gold, "--json"])
    assert default.exit_code == 0, default.output
    assert loaded[-1] == current
    shipped = runner.invoke(app, ["evaluate", gold, "--json", "--model", "shipped"])
    assert shipped.exit_code == 0 and loaded[-1] is None
    by_path = runner.invoke(app, ["evaluate", gold, "--model", str(other)])
    assert by_path.exit_code == 0 and loaded[-1] == Path(str(other))
    # the same numbers and format whichever model is chosen (here the same stand-in)
    a, b = json.loads(default.stdout), json.loads(shipped.stdout)
    a.pop("detect_seconds"), b.pop("detect_seconds"), a.pop("chars_per_second"), b.pop("chars_per_second")
    assert a == b
    missing = runner.invoke(app, ["evaluate", gold, "--model", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "not a directory" in missing.output

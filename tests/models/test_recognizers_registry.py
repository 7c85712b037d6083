"""Registry and RuleAnalyzer config: explicit idempotent registration, configs that fail clearly."""
import pytest

from models import registry
from models.analyzer import DEFAULT_CONFIG, RuleAnalyzer, build_rule_analyzer
from models.recognizers import builtin_recognizers, register_builtin_recognizers


def test_registration_is_idempotent_and_versioned():
    names = register_builtin_recognizers()
    assert register_builtin_recognizers() == names  # second call: no error, same names
    assert "cn_resident_id.v2" in registry.registered()
    with pytest.raises(registry.RegistryError, match="already registered"):
        registry.register("cn_resident_id.v2", object)
    with pytest.raises(ValueError, match="versioned"):
        registry.register("unversioned", object)
    with pytest.raises(registry.RegistryError, match="no recognizer registered as 'nope.v9'"):
        registry.create("nope.v9")


def test_default_config_runs_every_builtin():
    a = build_rule_analyzer()
    assert sorted(a.names) == sorted(builtin_recognizers())
    assert a.labels == {"ID_NUMBER", "PHONE", "EMAIL", "BANK_ACCOUNT", "SECRET_MARK", "HEALTH", "PERSON",
                        "LEGAL_RECORD", "ADDRESS"}
    assert DEFAULT_CONFIG.is_file()


def test_config_selects_recognizers_and_params(tmp_path):
    cfg = tmp_path / "rules.toml"
    cfg.write_text('[analyzer]\nversion = "t.v1"\nmin_score = 0.3\n'
                   '[[recognizers]]\nname = "cn_resident_id.v2"\n'
                   '[recognizers.params]\ncontext_window = 10\n', encoding="utf-8")
    a = build_rule_analyzer(cfg)
    assert a.names == ["cn_resident_id.v2"] and a.version == "t.v1"
    text = "编350102198703154512，电话13905912345"
    # min_score 0.3 keeps the wrong-checksum ID without context; no phone recognizer configured
    assert [(s.label, s.score) for s in a.find(text)] == [("ID_NUMBER", 0.35)]
    again = RuleAnalyzer.from_config(a.to_config())
    assert again.names == a.names and again.min_score == 0.3


@pytest.mark.parametrize("body, message", [
    ("[analyzer]\n", "non-empty \\[\\[recognizers\\]\\]"),
    ('[[recognizers]]\nname = "missing.v1"\n', "no recognizer registered as 'missing.v1'"),
    ('[[recognizers]]\nname = "email.v1"\n[recognizers.params]\nbogus = 1\n', "bad params for email.v1"),
    ('[[recognizers]]\nname = "email.v1"\n[[recognizers]]\nname = "email.v1"\n', "listed twice"),
    ("not toml = = 1", "invalid TOML"),
])
def test_bad_configs_fail_clearly(tmp_path, body, message):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        build_rule_analyzer(cfg)


def test_missing_config_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        build_rule_analyzer(tmp_path / "none.toml")


def test_a_saved_config_naming_a_retired_recognizer_loads_its_successor(tmp_path):
    """A model version saved before rules.v4 names cn_phone.v1: it must still load (rollback,
    an upgraded app), running the shipped successor, with a warning that says so."""
    from models.analyzer import build_rule_analyzer

    cfg = tmp_path / "rules.toml"
    cfg.write_text('[analyzer]\nversion = "rules.v3"\n[[recognizers]]\nname = "cn_phone.v1"\n'
                   '[[recognizers]]\nname = "email.v1"\n', encoding="utf-8")
    with pytest.warns(UserWarning, match="cn_phone.v1 is retired"):
        analyzer = build_rule_analyzer(cfg)
    assert analyzer.names == ["cn_phone.v2", "email.v1"]
    assert [s.label for s in analyzer.find("电话：13905912345")] == ["PHONE"]
    bad = tmp_path / "bad.toml"
    bad.write_text('[[recognizers]]\nname = "no_such.v1"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="no recognizer registered as 'no_such.v1'"):
        build_rule_analyzer(bad)

"""Settings from the environment: KAIFANG_* names, and Label Studio's conventional names."""
from __future__ import annotations

from review_app.config import Settings


def test_label_studio_settings_from_env(monkeypatch):
    for name in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY", "KAIFANG_LABEL_STUDIO_URL",
                 "KAIFANG_LABEL_STUDIO_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert Settings().label_studio_url is None and Settings().label_studio_api_key is None
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:8080")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "tok-123")
    s = Settings()
    assert s.label_studio_url == "http://127.0.0.1:8080"
    assert s.label_studio_api_key.get_secret_value() == "tok-123" and "tok-123" not in repr(s)
    monkeypatch.delenv("LABEL_STUDIO_URL")
    monkeypatch.setenv("KAIFANG_LABEL_STUDIO_URL", "http://ls.internal")
    assert Settings().label_studio_url == "http://ls.internal"

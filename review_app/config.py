"""Settings, read from ``KAIFANG_*`` environment variables; built per app or per command, never at import."""
from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where Kaifang keeps its data and how it behaves.

    ``home`` holds the SQLite database, uploaded sources, model versions and exports.
    """

    model_config = SettingsConfigDict(env_prefix="KAIFANG_", extra="ignore")

    home: Path = Field(default=Path(".kaifang"), description="data directory")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in home")
    audit_hash: str = Field(default="sha256", pattern="^(sha256|sm3)$")
    audit_head_file: Path | None = Field(default=None, description="where the audit chain's head is published after "
                                         "every change; default home/audit-head.json")
    secret_key: str | None = Field(default=None, description="session signing key; generated into home if unset")
    model_dir: Path | None = Field(default=None, description="model registry root; default home/models")
    login_max_failures: int = Field(default=10, ge=0, description="failed sign-ins per account before it is throttled (0: off)")
    login_window_minutes: int = Field(default=15, ge=1, description="the window those failures are counted in")
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60,
                                      description="a signed-in session ends after this long without a request")
    cookie_secure: bool = Field(default=False, description="send the session cookie over HTTPS only (behind a TLS proxy)")
    session_max_hours: int = Field(default=12, ge=1, le=24 * 30, description="and this long after sign-in at the latest")
    host: str = "127.0.0.1"
    port: int = 8000
    #: Label Studio (``kaifang labelstudio push|pull``): the conventional LABEL_STUDIO_* names, or
    #: KAIFANG_LABEL_STUDIO_*; a --url / --api-key option on the command line wins.
    label_studio_url: str | None = Field(
        default=None, validation_alias=AliasChoices("LABEL_STUDIO_URL", "KAIFANG_LABEL_STUDIO_URL"),
        description="Label Studio base URL")
    label_studio_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("LABEL_STUDIO_API_KEY", "KAIFANG_LABEL_STUDIO_API_KEY"),
        description="Label Studio API token (never printed)")

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'kaifang.db').resolve()}"

    @property
    def audit_head_path(self) -> Path:
        """The published head: outside the database (put it on storage the database admin cannot rewrite)."""
        return (self.audit_head_file or self.home / "audit-head.json").resolve()

    @property
    def models_root(self) -> Path:
        return (self.model_dir or self.home / "models").resolve()

    def ensure_home(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        return self.home

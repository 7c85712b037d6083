"""Passwords, signed session cookies, CSRF tokens and the role matrix.

* Passwords: argon2id (argon2-cffi's defaults), never stored or logged in clear.
* Sessions: a cookie signed with the app's secret (itsdangerous), holding a per-session CSRF
  token and, once signed in, a random token that names a session held on the server
  (``store.sessions``: revocable, with an idle timeout and an absolute lifetime). Anonymous
  visitors get a cookie session too, so the login form itself carries a CSRF token.
* CSRF: every state-changing request (POST, PUT, PATCH, DELETE) must echo the session's token
  in the ``X-CSRF-Token`` header or a ``csrf_token`` form field (checked in ``deps``).
* Roles: ``PERMISSIONS`` says which roles may do what; routes ask ``deps.require(permission)``.
"""
from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SESSION_COOKIE = "kaifang_session"
SESSION_MAX_AGE = 12 * 3600
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"

_hasher = PasswordHasher()

#: What each role may do. An auditor reads everything and the audit log but never edits.
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset({"admin", "reviewer", "committee", "annotator", "auditor"}),
    "edit_spans": frozenset({"admin", "reviewer", "annotator"}),
    "decide": frozenset({"admin", "reviewer"}),
    "finalize": frozenset({"admin", "committee"}),
    "audit": frozenset({"admin", "auditor"}),
    #: blind judgements of an elusion sample (reviewers or committee members who did not see the proposal)
    "elusion": frozenset({"admin", "reviewer", "committee"}),
    "admin": frozenset({"admin"}),
}
#: the permissions that change the record (the rest only read)
WRITE_PERMISSIONS: frozenset[str] = frozenset({"edit_spans", "decide", "finalize", "elusion", "admin"})


def can(role: str | None, permission: str) -> bool:
    return role is not None and role in PERMISSIONS.get(permission, frozenset())


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def load_or_create_secret(home: Path, configured: str | None = None) -> str:
    """The session signing key: the configured one, else one generated once into ``home``."""
    if configured:
        return configured
    path = Path(home) / "secret_key"
    if path.exists():
        key = path.read_text(encoding="ascii").strip()
        if len(key) >= 32:
            return key
    Path(home).mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    os.replace(tmp, path)
    return key


@dataclass
class SessionData:
    """What the session cookie says: the server-side session's token (None: nobody signed in)
    and the CSRF token of this session."""

    token: str | None
    csrf: str

    def to_dict(self) -> dict:
        return {"s": self.token, "c": self.csrf}


class SessionSigner:
    """Signs and reads session cookies; a tampered or expired cookie reads as no session."""

    def __init__(self, secret: str, max_age: int = SESSION_MAX_AGE) -> None:
        self._s = URLSafeTimedSerializer(secret, salt="kaifang.session")
        self.max_age = max_age

    def dumps(self, data: SessionData) -> str:
        return self._s.dumps(data.to_dict())

    def loads(self, cookie: str | None) -> SessionData | None:
        if not cookie:
            return None
        try:
            raw = self._s.loads(cookie, max_age=self.max_age)
        except (BadSignature, SignatureExpired):
            return None
        if not isinstance(raw, dict) or not isinstance(raw.get("c"), str):
            return None
        token = raw.get("s")
        return SessionData(token=token if isinstance(token, str) and token else None, csrf=raw["c"])


def new_session(token: str | None = None) -> SessionData:
    """A fresh session (a new CSRF token at every login, so a pre-login token is worthless)."""
    return SessionData(token=token, csrf=secrets.token_urlsafe(32))


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), given.encode())

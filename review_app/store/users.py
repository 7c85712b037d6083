"""Accounts: the only write path for users, logins on the record.

Passwords are hashed with argon2 (``review_app.auth.hash_password``); a plain password never
reaches the database or the audit log. Logins and failed logins are audit events, so an auditor
can see who came in and who tried.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta, timezone

from sqlmodel import Session, select

from review_app import audit
from review_app.auth import hash_password, needs_rehash, verify_password
from review_app.tables import AuditEvent, User

ROLES: tuple[str, ...] = ("admin", "reviewer", "committee", "annotator", "auditor")
_USERNAME = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{2,100}$")
MIN_PASSWORD = 8


class UserError(ValueError):
    """A user request that cannot be honoured (bad name, weak password, unknown role...)."""


class LoginThrottled(UserError):
    """Too many failed sign-ins for this account lately: the password is not even checked."""

    def __init__(self, username: str, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins for {username!r}; try again in {retry_after // 60 + 1} minutes")
        self.retry_after = retry_after


def recent_failures(*, session: Session, username: str, window: timedelta, now: datetime | None = None) -> list[str]:
    """Timestamps of this account's failed sign-ins within ``window`` and after its last good one.

    Read from the audit log (which every attempt is written to), so the count is shared by every
    app process and node on the same database and survives a restart.
    """
    now = now or datetime.now(timezone.utc)
    subject = f"user:{username}"
    since = audit.timestamp(now - window)
    last_ok = session.exec(select(AuditEvent.ts).where(AuditEvent.subject == subject, AuditEvent.action == "login",
                                                       AuditEvent.ts >= since)
                           .order_by(AuditEvent.ts.desc()).limit(1)).first()
    q = select(AuditEvent.ts).where(AuditEvent.subject == subject, AuditEvent.action == "login.failed",
                                    AuditEvent.ts >= max(since, last_ok or since))
    return list(session.exec(q.order_by(AuditEvent.ts)).all())


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _check(username: str, password: str | None, role: str) -> None:
    if not _USERNAME.match(username or ""):
        raise UserError("a username has 2 to 100 letters, digits, Chinese characters, '.', '_' or '-'")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if password is not None and len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(hash_password(secrets.token_urlsafe(16)))
    return _DUMMY[0]


def get_user(*, session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def list_users(*, session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.username)))


def create_user(*, session: Session, username: str, password: str, role: str, actor: str,
                display_name: str = "") -> User:
    """Create an account; the creation is an audit event (without the password, of course)."""
    _check(username, password, role)
    if get_user(session=session, username=username) is not None:
        raise UserError(f"user {username!r} already exists")
    user = User(username=username, display_name=display_name or username, password_hash=hash_password(password),
                role=role, active=True, created_at=_now())
    session.add(user)
    session.flush()
    audit.append(session=session, actor=actor, action="user.create", subject=f"user:{username}",
                 payload={"username": username, "role": role})
    session.commit()
    session.refresh(user)
    return user


def set_role(*, session: Session, username: str, role: str, actor: str) -> User:
    user = _require(session, username)
    _check(username, None, role)
    old = user.role
    user.role = role
    session.add(user)
    session.flush()
    audit.append(session=session, actor=actor, action="user.role", subject=f"user:{username}",
                 payload={"username": username, "from": old, "to": role})
    session.commit()
    session.refresh(user)
    return user


def set_active(*, session: Session, username: str, active: bool, actor: str) -> User:
    user = _require(session, username)
    if not active and user.username == actor:
        raise UserError("you cannot deactivate your own account")
    user.active = bool(active)
    session.add(user)
    session.flush()
    audit.append(session=session, actor=actor, action="user.activate" if active else "user.deactivate",
                 subject=f"user:{username}", payload={"username": username})
    session.commit()
    session.refresh(user)
    return user


def set_password(*, session: Session, username: str, password: str, actor: str) -> User:
    user = _require(session, username)
    _check(username, password, user.role)
    user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    audit.append(session=session, actor=actor, action="user.password", subject=f"user:{username}",
                 payload={"username": username})
    session.commit()
    session.refresh(user)
    return user


def authenticate(*, session: Session, username: str, password: str, source: str = "",
                 max_failures: int = 10, window_minutes: int = 15) -> User | None:
    """Check a login; both outcomes are audit events. Returns the user or None.

    An unknown user and a wrong password look the same to the caller (no user enumeration).
    After ``max_failures`` failed attempts on one account name within ``window_minutes`` (and
    since its last good sign-in) further attempts are refused unchecked (``LoginThrottled``,
    audited as ``login.throttled``) until the oldest of them leaves the window: online password
    guessing gets a handful of tries an hour. ``max_failures`` 0 turns this off.
    """
    username = (username or "").strip()[:100]
    if username and max_failures > 0:
        window = timedelta(minutes=window_minutes)
        now = datetime.now(timezone.utc)
        failures = recent_failures(session=session, username=username, window=window, now=now)
        if len(failures) >= max_failures:
            oldest = audit.parse_timestamp(failures[-max_failures])
            retry_after = max(1, int((oldest + window - now).total_seconds()))
            audit.append(session=session, actor=username, action="login.throttled",
                         subject=f"user:{username}", payload={"source": source[:100]} if source else {})
            session.commit()
            raise LoginThrottled(username, retry_after)
    user = get_user(session=session, username=username) if username else None
    if user is None:
        verify_password(_dummy_hash(), password or "")  # same work as a real check: no timing oracle
    ok = bool(user and user.active and verify_password(user.password_hash, password or ""))
    if ok and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    audit.append(session=session, actor=username or "anonymous", action="login" if ok else "login.failed",
                 subject=f"user:{username}", payload={"source": source[:100]} if source else {})
    session.commit()
    if ok:
        session.refresh(user)
        return user
    return None


def ensure_first_admin(*, session: Session, username: str = "admin") -> tuple[str, str] | None:
    """On first run (no users at all) create an admin with a random password and return it.

    Returns None when accounts already exist: the password is shown once, never stored in clear.
    """
    if session.exec(select(User).limit(1)).first() is not None:
        return None
    password = secrets.token_urlsafe(12)
    create_user(session=session, username=username, password=password, role="admin", actor="system",
                display_name="Administrator")
    return username, password


def _require(session: Session, username: str) -> User:
    user = get_user(session=session, username=username)
    if user is None:
        raise UserError(f"unknown user {username!r}")
    return user

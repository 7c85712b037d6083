"""Accounts: the only write path for users, logins on the record.

Passwords are hashed with argon2 (``review_app.auth.hash_password``); a plain password never
reaches the database or the audit log. Logins, failed logins and sign-outs are audit events, so
an auditor can see who came in and who tried. A password change or reset, a role change and a
deactivation revoke the account's sessions in the same transaction (``store.sessions``).

The sign-in throttle takes an attempt before the password is checked, with one conditional
UPDATE on the account's ``login_throttle`` row (``attempts < max`` or the window has passed), so
parallel attempts are counted one by one on SQLite and PostgreSQL alike: no more than ``max``
passwords are ever checked per window, however many requests arrive at once.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import case, literal, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from review_app import audit
from review_app.auth import PERMISSIONS, WRITE_PERMISSIONS, hash_password, needs_rehash, verify_password
from review_app.store import sessions as session_store
from review_app.tables import LoginThrottle, User

ROLES: tuple[str, ...] = ("admin", "reviewer", "committee", "annotator", "auditor")
_USERNAME = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{2,100}$")
MIN_PASSWORD = 8


def least_privileged_role() -> str:
    """The role a new account gets unless someone chooses another: the one that can change least
    (fewest write permissions, then fewest permissions). With today's matrix: auditor (reads)."""
    def weight(role: str) -> tuple[int, int]:
        perms = [p for p, roles in PERMISSIONS.items() if role in roles]
        return sum(p in WRITE_PERMISSIONS for p in perms), len(perms)

    return min(ROLES, key=weight)


class UserError(ValueError):
    """A user request that cannot be honoured (bad name, weak password, unknown role...)."""


class LoginThrottled(UserError):
    """Too many failed sign-ins for this account lately: the password is not even checked."""

    def __init__(self, username: str, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins for {username!r}; try again in {retry_after // 60 + 1} minutes")
        self.retry_after = retry_after


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
    revoked = session_store.revoke_all(session=session, user_id=user.id, reason="role") if old != role else 0
    audit.append(session=session, actor=actor, action="user.role", subject=f"user:{username}",
                 payload={"username": username, "from": old, "to": role, "sessions_revoked": revoked})
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
    revoked = 0 if active else session_store.revoke_all(session=session, user_id=user.id, reason="deactivated")
    audit.append(session=session, actor=actor, action="user.activate" if active else "user.deactivate",
                 subject=f"user:{username}", payload={"username": username, "sessions_revoked": revoked})
    session.commit()
    session.refresh(user)
    return user


def set_password(*, session: Session, username: str, password: str, actor: str) -> User:
    user = _require(session, username)
    _check(username, password, user.role)
    user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    revoked = session_store.revoke_all(session=session, user_id=user.id, reason="password")
    _reset_attempts(session, username)  # a reset password gets its sign-in attempts back
    audit.append(session=session, actor=actor, action="user.password", subject=f"user:{username}",
                 payload={"username": username, "sessions_revoked": revoked})
    session.commit()
    session.refresh(user)
    return user


def sign_out_everywhere(*, session: Session, username: str, actor: str) -> int:
    """Revoke every session of an account (a lost laptop, a suspected copied cookie); audited."""
    user = _require(session, username)
    revoked = session_store.revoke_all(session=session, user_id=user.id, reason="signed out by " + actor)
    audit.append(session=session, actor=actor, action="user.sign_out", subject=f"user:{username}",
                 payload={"username": username, "sessions_revoked": revoked})
    session.commit()
    return revoked


def sign_out(*, session: Session, token: str | None, source: str = "") -> None:
    """End the session of ``token`` (the logout button); audited when it named a session."""
    row = session_store.end(session=session, token=token, reason="logout")
    if row is not None:
        user = session.get(User, row.user_id)
        name = user.username if user else f"#{row.user_id}"
        audit.append(session=session, actor=name, action="logout", subject=f"user:{name}",
                     payload={"session": row.id, **({"source": source[:100]} if source else {})})
    session.commit()


def _claim_attempt(session: Session, username: str, max_failures: int, window: timedelta) -> int | None:
    """Take one sign-in attempt for ``username`` atomically; None when taken, else the seconds
    until one is free again. Committed at once, so the claim holds while the password is checked."""
    now = _now()
    if session.get(LoginThrottle, username) is None:
        try:
            session.add(LoginThrottle(username=username, attempts=0, window_start=now))
            session.commit()
        except IntegrityError:  # a parallel attempt created it
            session.rollback()
    stale = LoginThrottle.window_start <= now - window
    now_value = literal(now, type_=LoginThrottle.__table__.c.window_start.type)
    taken = session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.username == username, or_(LoginThrottle.attempts < max_failures, stale))
        .values(attempts=case((stale, 1), else_=LoginThrottle.attempts + 1),
                window_start=case((stale, now_value), else_=LoginThrottle.window_start))
        .execution_options(synchronize_session=False)).rowcount == 1
    session.commit()
    if taken:
        return None
    row = session.get(LoginThrottle, username)
    session.refresh(row)
    start = row.window_start if row.window_start.tzinfo else row.window_start.replace(tzinfo=timezone.utc)
    return max(1, int((start + window - now).total_seconds()))


def _reset_attempts(session: Session, username: str) -> None:
    session.execute(update(LoginThrottle).where(LoginThrottle.username == username)
                    .values(attempts=0, window_start=_now()).execution_options(synchronize_session=False))


def throttle_attempts(*, session: Session, username: str) -> int:
    """Sign-in attempts counted against ``username`` in its current window (0 after a good one)."""
    row = session.get(LoginThrottle, username)
    if row is not None:
        session.refresh(row)
    return row.attempts if row is not None else 0


def authenticate(*, session: Session, username: str, password: str, source: str = "",
                 max_failures: int = 10, window_minutes: int = 15) -> User | None:
    """Check a login; both outcomes are audit events. Returns the user or None.

    An unknown user and a wrong password look the same to the caller (no user enumeration).
    Each attempt on an account name first takes one of its ``max_failures`` attempts per window
    (``window_minutes``, from the first attempt of the window); when none is left the password is
    not checked (``LoginThrottled``, audited as ``login.throttled``) until the window ends. A good
    sign-in gives the account its attempts back. Online password guessing gets a handful of tries
    an hour, also with many parallel requests. ``max_failures`` 0 turns this off.
    """
    username = (username or "").strip()[:100]
    if username and max_failures > 0:
        retry_after = _claim_attempt(session, username, max_failures, timedelta(minutes=window_minutes))
        if retry_after is not None:
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
    if ok and max_failures > 0:
        _reset_attempts(session, username)
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

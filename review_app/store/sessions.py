"""Signed-in sessions held on the server: the only write path for them.

A signed cookie alone cannot be taken back: a copy stays valid until it expires. So a sign-in
creates a ``UserSession`` row and the cookie carries a random token that names it; every request
looks the row up. A session ends when

* the user signs out (``end``),
* it was not used for ``idle`` (default 30 minutes: ``KAIFANG_SESSION_IDLE_MINUTES``),
* its absolute lifetime ends (``KAIFANG_SESSION_MAX_HOURS``, default 12),
* it is revoked (``revoke_all``): the password is changed or reset, the role changes, the account
  is disabled, or an admin signs the user out everywhere (``kaifang users sign-out``).

Only the SHA-256 of the token is stored (a lookup key, not part of the audit chain), so a copy of
the table signs nobody in. ``last_seen`` is written at most once a minute per session: it is
bookkeeping, not a change to the record, and no audit event.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, update
from sqlmodel import Session, select

from review_app.tables import User, UserSession

#: how stale ``last_seen`` may get before a request writes it again
TOUCH_EVERY = timedelta(minutes=1)
#: ended sessions are kept this long (who was signed in when), then pruned at a sign-in
KEEP_ENDED = timedelta(days=90)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(ts: datetime) -> datetime:
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=timezone.utc)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(*, session: Session, user: User, lifetime: timedelta, source: str = "") -> tuple[UserSession, str]:
    """A new session for ``user``; returns the row and the token for the cookie (committed)."""
    now = _now()
    token = secrets.token_urlsafe(32)
    row = UserSession(token_hash=token_hash(token), user_id=user.id, created_at=now, last_seen=now,
                      expires_at=now + lifetime, source=source[:100])
    session.add(row)
    session.exec(delete(UserSession).where(UserSession.expires_at < now - KEEP_ENDED))
    session.commit()
    session.refresh(row)
    return row, token


def resolve(*, session: Session, token: str | None, idle: timedelta) -> tuple[User, UserSession] | None:
    """The signed-in user and session of ``token``, or None when it ended, was revoked or never was."""
    if not token:
        return None
    now = _now()
    row = session.exec(select(UserSession).where(UserSession.token_hash == token_hash(token))).first()
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now:
        return None
    if _aware(row.last_seen) + idle <= now:
        return None  # idle too long: unusable from now on (no write needed: last_seen stays old)
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if now - _aware(row.last_seen) >= TOUCH_EVERY:
        session.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen=now)
                        .execution_options(synchronize_session=False))
        session.commit()
    return user, row


def _revoke(session: Session, ids: list[int], reason: str, now: datetime) -> int:
    if not ids:
        return 0
    result = session.execute(update(UserSession).where(UserSession.id.in_(ids), UserSession.revoked_at.is_(None))
                             .values(revoked_at=now, revoked_reason=reason[:50])
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0


def end(*, session: Session, token: str | None, reason: str = "logout") -> UserSession | None:
    """End the session of ``token`` (sign-out); returns its row, or None if there was none. No commit."""
    if not token:
        return None
    row = session.exec(select(UserSession).where(UserSession.token_hash == token_hash(token))).first()
    if row is not None:
        _revoke(session, [row.id], reason, _now())
    return row


def revoke_all(*, session: Session, user_id: int, reason: str) -> int:
    """Revoke every live session of a user inside the caller's transaction; returns how many."""
    now = _now()
    ids = list(session.exec(select(UserSession.id).where(UserSession.user_id == user_id,
                                                         UserSession.revoked_at.is_(None),
                                                         UserSession.expires_at > now)))
    return _revoke(session, ids, reason, now)


def active_sessions(*, session: Session, user_id: int, idle: timedelta) -> list[UserSession]:
    """A user's sessions that are still usable (for the admin page and ``kaifang users sessions``)."""
    now = _now()
    rows = session.exec(select(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None),
                                                  UserSession.expires_at > now).order_by(UserSession.id))
    return [r for r in rows if _aware(r.last_seen) + idle > now]

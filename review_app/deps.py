"""FastAPI dependencies: the database session, the signed-in user, role checks and CSRF.

Routes never read cookies or build sessions themselves; they ask for ``require("decide")`` and
get the user or a refusal (401 for nobody, 403 for the wrong role). HTML pages turn a 401 into
a redirect to the login page (see ``main``).
"""
from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Callable, Iterator

from fastapi import Depends, Request
from sqlmodel import Session

from review_app.auth import CSRF_FIELD, CSRF_HEADER, SessionData, can, csrf_matches, new_session
from review_app.http_errors import http_error
from review_app.store import sessions as session_store
from review_app.tables import User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


def web_session(request: Request) -> SessionData:
    """The cookie session of this request (set up by the session middleware in ``main``)."""
    return request.state.web_session


#: The request's database session, as a parameter type (FastAPI's ``Annotated`` style): one
#: definition instead of ``Depends(get_session)`` repeated on every route.
SessionDep = Annotated[Session, Depends(get_session)]


def current_user(request: Request, session: SessionDep) -> User | None:
    """The user of this request's server-side session, or None.

    A cookie whose session ended (signed out, idle, expired, revoked, account disabled) is
    replaced by a fresh anonymous one in this response, so the browser stops sending it.
    """
    sess: SessionData = request.state.web_session
    if sess.token is None:
        return None
    settings = request.app.state.settings
    found = session_store.resolve(session=session, token=sess.token,
                                  idle=timedelta(minutes=settings.session_idle_minutes))
    if found is None:
        request.state.web_session = new_session()
        request.state.session_changed = True
        return None
    return found[0]


#: The signed-in user or None (pages that anyone may see, such as the login page).
CurrentUser = Annotated[User | None, Depends(current_user)]


def require(permission: str) -> Callable[..., User]:
    """A dependency that returns the signed-in user if their role grants ``permission``."""

    def dep(user: CurrentUser) -> User:
        if user is None:
            raise http_error(401, "err.sign_in")
        if not can(user.role, permission):
            raise http_error(403, "err.forbidden", role=user.role, permission=permission)
        return user

    dep.__name__ = f"require_{permission}"
    return dep


# The signed-in user whose role grants a permission, as parameter types: a route says
# ``user: Reader`` and gets the user or a 401/403 (``require``). One alias per permission.
Reader = Annotated[User, Depends(require("read"))]
SpanEditor = Annotated[User, Depends(require("edit_spans"))]
Decider = Annotated[User, Depends(require("decide"))]
Finalizer = Annotated[User, Depends(require("finalize"))]
Auditor = Annotated[User, Depends(require("audit"))]
Admin = Annotated[User, Depends(require("admin"))]
ElusionSampler = Annotated[User, Depends(require("elusion"))]


async def csrf_protect(request: Request) -> None:
    """Every state-changing request must echo the session's CSRF token (header or form field)."""
    if request.method in SAFE_METHODS:
        return
    sess: SessionData = request.state.web_session
    token = request.headers.get(CSRF_HEADER)
    if not token:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            token = value if isinstance(value, str) else None
    if not csrf_matches(sess.csrf, token):
        raise http_error(403, "err.csrf")

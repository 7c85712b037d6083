"""Signing in and out (HTML form and JSON); every attempt is an audit event (store.users).

A sign-in opens a server-side session (``store.sessions``) and sets a new cookie with a new CSRF
token; a sign-out ends that session on the server, so a copy of the old cookie is worthless.
"""
from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from sqlmodel import Session

from review_app.auth import new_session
from review_app.deps import CurrentUser, SessionDep
from review_app.http_errors import http_error
from review_app.i18n import localize, t
from review_app.store import sessions as session_store
from review_app.store import users as user_store
from review_app.tables import User

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only local paths: an open redirect after login would help phishing."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/queue"


def _sign_in(request: Request, session: Session, user: User) -> None:
    """Open a server-side session for ``user`` (ending the one this cookie had, if any)."""
    user_store.sign_out(session=session, token=request.state.web_session.token, source=_source(request))
    hours = request.app.state.settings.session_max_hours
    _row, token = session_store.start(session=session, user=user, lifetime=timedelta(hours=hours),
                                      source=_source(request))
    request.state.web_session = new_session(token)
    request.state.session_changed = True


def _sign_out(request: Request, session: Session) -> None:
    user_store.sign_out(session=session, token=request.state.web_session.token, source=_source(request))
    request.state.web_session = new_session()
    request.state.session_changed = True


def _source(request: Request) -> str:
    return request.client.host if request.client else ""


def _authenticate(request: Request, session: Session, username: str, password: str) -> User | None:
    """``store.users.authenticate`` with this deployment's throttle; a throttled account is a 429."""
    settings = request.app.state.settings
    try:
        return user_store.authenticate(session=session, username=username, password=password,
                                       source=_source(request), max_failures=settings.login_max_failures,
                                       window_minutes=settings.login_window_minutes)
    except user_store.LoginThrottled as exc:
        raise http_error(429, "err.throttled", headers={"Retry-After": str(exc.retry_after)},
                         minutes=exc.retry_after // 60 + 1) from None


@router.get("/login", include_in_schema=False)
def login_page(*, request: Request, next: str | None = None, user: CurrentUser):
    return request.app.state.templates.TemplateResponse(request, "login.html",
                                                        {"user": user, "next": _safe_next(next), "error": None})


@router.post("/login", include_in_schema=False)
def login_form(*, request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/queue"),
               session: SessionDep):
    try:
        user = _authenticate(request, session, username, password)
    except HTTPException as exc:
        return request.app.state.templates.TemplateResponse(
            request, "login.html", {"user": None, "next": _safe_next(next), "error": localize(exc, request.state.lang)},
            status_code=exc.status_code, headers=exc.headers)
    if user is None:
        return request.app.state.templates.TemplateResponse(
            request, "login.html", {"user": None, "next": _safe_next(next),
                                    "error": t("err.wrong_password", request.state.lang)}, status_code=401)
    _sign_in(request, session, user)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", include_in_schema=False)
def logout(*, request: Request, session: SessionDep):
    _sign_out(request, session)
    return RedirectResponse("/login", status_code=303)


class LoginBody(BaseModel):
    username: str
    password: str


@router.post("/api/login")
def api_login(*, body: LoginBody, request: Request, session: SessionDep) -> dict:
    user = _authenticate(request, session, body.username, body.password)
    if user is None:
        raise http_error(401, "err.wrong_password")
    _sign_in(request, session, user)
    return {"username": user.username, "role": user.role, "csrf": request.state.web_session.csrf}


@router.post("/api/logout")
def api_logout(*, request: Request, session: SessionDep) -> dict:
    _sign_out(request, session)
    return {"ok": True, "csrf": request.state.web_session.csrf}


@router.get("/api/me")
def me(*, request: Request, user: CurrentUser) -> dict:
    """Who is signed in, and this session's CSRF token (needed for any POST)."""
    return {"username": user.username if user else None, "role": user.role if user else None,
            "csrf": request.state.web_session.csrf}

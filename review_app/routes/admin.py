"""Administration pages: accounts (create, role, deactivate) and the model versions in service."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from review_app.deps import audit_algo, get_session, require
from review_app.store import model_registry
from review_app.store import users as user_store
from review_app.store.users import ROLES
from review_app.tables import User

router = APIRouter(include_in_schema=False)


def _page(request: Request, session: Session, user: User, error: str | None = None, status: int = 200):
    ctx = {"user": user, "users": user_store.list_users(session=session), "roles": ROLES, "error": error,
           "csrf": request.state.web_session.csrf, "versions": model_registry.list_versions(session=session),
           "loaded": request.app.state.model_service.loaded_key()}
    return request.app.state.templates.TemplateResponse(request, "admin.html", ctx, status_code=status)


@router.get("/admin")
def admin_page(request: Request, session: Session = Depends(get_session), user: User = Depends(require("admin"))):
    return _page(request, session, user)


@router.post("/admin/users")
def admin_create(request: Request, username: str = Form(...), password: str = Form(...), role: str = Form(...),
                 display_name: str = Form(""), session: Session = Depends(get_session), algo: str = Depends(audit_algo),
                 user: User = Depends(require("admin"))):
    try:
        user_store.create_user(session=session, algo=algo, username=username.strip(), password=password, role=role,
                               actor=user.username, display_name=display_name)
    except user_store.UserError as exc:
        return _page(request, session, user, error=str(exc), status=400)
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/users/{username}")
def admin_change(request: Request, username: str, role: str = Form(""), active: str = Form(""),
                 session: Session = Depends(get_session), algo: str = Depends(audit_algo), user: User = Depends(require("admin"))):
    try:
        if role:
            user_store.set_role(session=session, algo=algo, username=username, role=role, actor=user.username)
        if active in ("0", "1"):
            user_store.set_active(session=session, algo=algo, username=username, active=active == "1", actor=user.username)
    except user_store.UserError as exc:
        return _page(request, session, user, error=str(exc), status=400)
    return RedirectResponse("/admin", status_code=303)

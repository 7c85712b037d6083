"""Administration pages: accounts (create, role, deactivate), the model versions in service, and
retraining as a background job (started here, progress polled by htmx; reviewers keep working)."""
from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from review_app.deps import Admin, SessionDep
from review_app.i18n import t
from review_app.store import model_registry
from review_app.store import users as user_store
from review_app.store.users import ROLES
from review_app.tables import User

router = APIRouter(include_in_schema=False)


def _jobs_ctx(request: Request, session: Session) -> dict:
    """The job table. Read-only: a job whose worker stopped beating is *shown* as lost; it is marked
    killed (a write, an audit event) only when a job is started or ``kaifang train --status`` runs."""
    jobs = model_registry.list_jobs(session=session, limit=10)
    lost = {j.id for j in jobs if model_registry.job_is_lost(j)}
    return {"jobs": jobs, "lost": lost, "training_available": request.app.state.start_training is not None,
            "training_active": any(j.status not in model_registry.JOB_FINAL and j.id not in lost for j in jobs)}


def _page(request: Request, session: Session, user: User, error: str | None = None, status: int = 200,
          training_error: str | None = None):
    ctx = {"user": user, "users": user_store.list_users(session=session), "roles": ROLES, "error": error,
           "default_role": user_store.least_privileged_role(),
           "csrf": request.state.web_session.csrf, "versions": model_registry.list_versions(session=session),
           "loaded": request.app.state.model_service.loaded_key(), "training_error": training_error,
           **_jobs_ctx(request, session)}
    return request.app.state.templates.TemplateResponse(request, "admin.html", ctx, status_code=status)


@router.get("/admin")
def admin_page(*, request: Request, session: SessionDep, user: Admin):
    return _page(request, session, user)


@router.post("/admin/users")
def admin_create(*, request: Request, username: str = Form(...), password: str = Form(...), role: str = Form(...),
                 display_name: str = Form(""), session: SessionDep,
                 user: Admin):
    try:
        user_store.create_user(session=session, username=username.strip(), password=password, role=role,
                               actor=user.username, display_name=display_name)
    except user_store.UserError as exc:
        return _page(request, session, user, error=str(exc), status=400)
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/users/{username}")
def admin_change(*, request: Request, username: str, role: str = Form(""), active: str = Form(""),
                 session: SessionDep, user: Admin):
    try:
        if role:
            user_store.set_role(session=session, username=username, role=role, actor=user.username)
        if active in ("0", "1"):
            user_store.set_active(session=session, username=username, active=active == "1", actor=user.username)
    except user_store.UserError as exc:
        return _page(request, session, user, error=str(exc), status=400)
    return RedirectResponse("/admin", status_code=303)


@router.get("/admin/training")
def admin_training_jobs(*, request: Request, session: SessionDep,
                        user: Admin):
    """The training-job table alone (htmx polls it every 2 s while a job is queued or running)."""
    return request.app.state.templates.TemplateResponse(request, "_training_jobs.html", _jobs_ctx(request, session))


@router.post("/admin/training")
def admin_start_training(*, request: Request, session: SessionDep,
                         user: Admin):
    """Start retraining in a background worker; the job's creation is an audit event
    (``training.start``, by this admin), its end another. The current model stays in service
    until a better candidate is promoted; a failed or killed run changes nothing."""
    start = request.app.state.start_training
    if start is None:
        return _page(request, session, user, status=503,
                     training_error=t("admin.training_unavailable", request.state.lang))
    try:
        start(user.username)
    except model_registry.RegistryError as exc:  # e.g. a job is already running
        return _page(request, session, user, status=409, training_error=str(exc))
    except OSError as exc:
        return _page(request, session, user, status=500,
                     training_error=t("admin.training_failed", request.state.lang, error=str(exc)))
    return RedirectResponse("/admin#training", status_code=303)

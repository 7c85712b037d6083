"""The review app: ``create_app(settings)`` builds everything from settings, nothing at import.

Pages are rendered on the server (Jinja2), with htmx and a little JavaScript for the review
keys; there is no build step. JSON lives under ``/api``. Every state-changing request carries
the session's CSRF token; every route asks for a permission (``review_app.auth.PERMISSIONS``).
Every request is first checked for NUL characters (``validation.reject_nul``). There is no
``/docs``: FastAPI's Swagger UI loads its scripts from a CDN, which an offline archive network
cannot reach and the Content-Security-Policy forbids; the schema is at ``/openapi.json``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware

from review_app.auth import SESSION_COOKIE, SessionSigner, load_or_create_secret, new_session
from review_app.config import Settings
from review_app.deps import csrf_protect
from review_app.i18n import LANG_COOKIE, localize, normalise_lang, t
from review_app.validation import reject_nul

HERE = Path(__file__).parent
#: Only our own scripts (no inline script, no CDN: archives run offline networks).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(HERE / "templates"))
    from review_app import rendering

    t.env.globals.update(rendering.template_globals())
    t.env.filters.update(rendering.template_filters())
    return t


class SessionMiddleware(BaseHTTPMiddleware):
    """Reads the signed session cookie into ``request.state.web_session``; writes it back when new
    or changed (login, logout)."""

    def __init__(self, app, signer: SessionSigner, secure: bool = False) -> None:
        super().__init__(app)
        self.signer = signer
        self.secure = secure

    async def dispatch(self, request: Request, call_next):
        sess = self.signer.loads(request.cookies.get(SESSION_COOKIE))
        fresh = sess is None
        request.state.web_session = sess or new_session()
        request.state.session_changed = False
        request.state.lang = normalise_lang(request.cookies.get(LANG_COOKIE))
        response = await call_next(request)
        if fresh or request.state.session_changed:
            response.set_cookie(SESSION_COOKIE, self.signer.dumps(request.state.web_session),
                                max_age=self.signer.max_age, httponly=True, samesite="lax", secure=self.secure,
                                path="/")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CSP)  # every response, the schema too
        return response


def create_app(settings: Settings | None = None, *, engine: Engine | None = None, model_service=None,
               start_training: Callable[[str], Any] | None = None,
               rescore: Callable[..., Any] | None = None,
               elusion_summary: Callable[..., dict] | None = None,
               draw_elusion: Callable[..., Any] | None = None) -> FastAPI:
    """Build the app. ``engine`` may be injected (tests); else it comes from ``settings`` (migrated).

    The app never imports ``training`` (models <- review_app <- training); what only training can
    do is plugged in by the composition root (``kaifang.cli.serve.build_app``), each optional:

    * ``start_training(actor) -> TrainingJob``: start a background retraining job (admin page);
      absent, the admin page says retraining is not available in this deployment;
    * ``rescore(session, document_ids, actor)``: recompute the active-learning scores of documents
      after a rescan gave them a new proposal;
    * ``elusion_summary(session, sample_id) -> dict``: an elusion sample's estimate with its 95 %
      interval, shown to the committee; absent, only the counts are shown;
    * ``draw_elusion(session, actor=, collection_id=, max_rate=) -> ElusionSample``: draw a sample
      from the committee page (its size follows from ``max_rate``); absent, the page says to use
      ``kaifang elusion draw``.
    """
    from review_app import audit
    from review_app.db import check_audit_settings, engine_for
    from review_app.model_service import ModelService
    from review_app.routes import admin, api, audit_pages, elusion, login, pages

    settings = settings or Settings()
    settings.ensure_home()
    if engine is None:
        engine = engine_for(settings)
    else:  # an injected engine (tests) gets this deployment's audit settings too
        audit.configure(engine, algo=settings.audit_hash, head_file=settings.audit_head_path)
    check_audit_settings(engine)  # refuse to start rather than mix two hashes in one chain
    app = FastAPI(title="Kaifang 开放审核工作台", dependencies=[Depends(reject_nul), Depends(csrf_protect)],
                  docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.engine = engine
    app.state.templates = templates()
    app.state.model_service = model_service or ModelService(settings=settings, engine=engine)
    app.state.start_training = start_training
    app.state.rescore = rescore
    app.state.elusion_summary = elusion_summary
    app.state.draw_elusion = draw_elusion
    signer = SessionSigner(load_or_create_secret(settings.home, settings.secret_key),
                           max_age=settings.session_max_hours * 3600)
    app.add_middleware(SessionMiddleware, signer=signer, secure=settings.cookie_secure)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (login, pages, audit_pages, admin, elusion, api):
        app.include_router(module.router)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        """Pages get an error page in the reader's language with the way back; the JSON API gets
        ``detail`` (English, stable), ``message`` (the reader's language) and ``code`` (the key)."""
        lang = _lang(request)
        if exc.status_code == 401 and wants_html(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        if exc.status_code == 404 and not getattr(exc, "key", None) and exc.detail == "Not Found":
            exc.key, exc.params = "err.no_page", {"path": request.url.path[:200]}
        if wants_html(request):
            return html_error(request, exc.status_code, localize(exc, lang))
        body = {"detail": exc.detail, "message": localize(exc, lang), "code": getattr(exc, "key", None)}
        return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        """A malformed address typed into the browser (``/documents/abc``) is a page, not JSON."""
        if wants_html(request):
            return html_error(request, 400, t("err.bad_request", _lang(request)))
        return await request_validation_exception_handler(request, exc)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        """An unexpected failure: a page that says so and leads back, never a bare traceback."""
        if wants_html(request):
            return html_error(request, 500, t("err.internal", _lang(request)))
        return JSONResponse({"detail": "internal error", "message": t("err.internal", _lang(request)),
                             "code": "err.internal"}, status_code=500)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict:
        return {"ok": True}

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(HERE / "static" / "favicon.ico", media_type="image/x-icon",
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/queue", status_code=303)

    return app


def _lang(request: Request) -> str:
    return getattr(request.state, "lang", None) or normalise_lang(request.cookies.get(LANG_COOKIE))


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get("accept", "")


def _signed_in(request: Request):
    """The signed-in user, for the navigation of an error page (None when nobody or unreadable)."""
    from datetime import timedelta

    from sqlmodel import Session

    from review_app.store import sessions as session_store

    sess = getattr(request.state, "web_session", None)
    if sess is None or sess.token is None:
        return None
    try:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            found = session_store.resolve(session=session, token=sess.token,
                                          idle=timedelta(minutes=request.app.state.settings.session_idle_minutes))
            return found[0] if found is not None else None
    except Exception:  # an error page must render even when the database is the problem
        return None


def html_error(request: Request, status: int, message: str) -> HTMLResponse:
    """The error page: what happened in words, and the way on (back, the queue, sign in)."""
    ref = urlsplit(request.headers.get("referer", ""))
    back = None
    if ref.netloc == request.url.netloc and ref.path.startswith("/") and ref.path != request.url.path:
        back = ref.path + (f"?{ref.query}" if ref.query else "")
    return request.app.state.templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message, "user": _signed_in(request), "back": back},
        status_code=status)

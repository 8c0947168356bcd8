"""create_app(settings): the one composition root (resources, routes, middleware, errors)."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount

from forum import i18n, live
from forum.api.routes import routes as api_routes
from forum.auth.middleware import AuthMiddleware
from forum.auth.ratelimit import LoginThrottle
from forum.db import Database, make_engine, migrate
from forum.documents import runtime as documents_runtime
from forum.errors import Conflict, ForumError, InvalidInput, NotFound, PermissionDenied, RateLimited
from forum.files.serving import PRECOMPRESSED_TYPES
from forum.files.storage import LocalStorage
from forum.forms import CsrfFailed, FormTooLarge
from forum.middleware import (
    AccessLogMiddleware,
    SecurityHeadersMiddleware,
    add_security_headers,
    content_security_policy,
    redact_path,
)
from forum.routes import routes as html_routes
from forum.search import make_search_backend
from forum.settings import Settings
from forum.static_files import STATIC_DIR, CachedStaticFiles
from forum.templating import make_environment, render

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> Starlette:
    """Build the application; resources are created in the lifespan and kept on app.state."""
    settings = settings.with_secret()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = make_engine(settings.resolved_database_url)
        migrate(engine)
        db = app.state.db = Database(engine)
        app.state.search = make_search_backend(engine)
        app.state.storage = LocalStorage(settings.data_dir / "files")
        app.state.image_limiter = anyio.CapacityLimiter(2)  # decoded photos are big
        app.state.throttle = LoginThrottle(
            settings.ratelimit_url,
            per_ip=settings.login_attempts_per_ip,
            per_account=settings.login_attempts_per_account,
            window_seconds=settings.login_window_seconds,
        )
        app.state.live = await live.start_broker(
            settings.pubsub_url, settings.resolved_database_url
        )
        try:
            async with documents_runtime.running(
                app.state, settings=settings, engine=engine, db=db
            ):
                yield
        finally:
            await app.state.live.close()
            db.dispose()

    ws_origin = settings.origin.replace("http", "ws", 1)
    csp = content_security_policy(ws_origin)
    app = Starlette(
        routes=[
            *html_routes(),
            *documents_runtime.collab_routes(),
            Mount("/api/v1", routes=api_routes()),
            Mount("/static", app=CachedStaticFiles(directory=STATIC_DIR), name="static"),
        ],
        middleware=[
            Middleware(AccessLogMiddleware),
            Middleware(SecurityHeadersMiddleware, csp=csp),
            Middleware(
                GZipMiddleware,
                minimum_size=500,
                # zlib level 5: a topic page 1.4 % larger than at level 9, for 60 % of its CPU
                # (Starlette's default is 9: 1.6 ms for a 42 KB page here, against 1.0 ms).
                compresslevel=5,
                exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, *PRECOMPRESSED_TYPES),
            ),
            Middleware(AuthMiddleware),
        ],
        exception_handlers={
            ForumError: forum_error,
            HTTPException: http_error,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.csp = csp
    app.state.templates = make_environment(settings)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


ERROR_CODES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
    500: "server_error",
}


def error_response(
    request: Request, status: int, title: str, message: str, code: str | None = None
) -> Response:
    """An error page (HTML) or body (JSON under /api: a stable code and a translated message)."""
    if _wants_json(request):
        code = code or ERROR_CODES.get(status, "error")
        return JSONResponse({"error": code, "message": message}, status_code=status)
    return render(
        request, "error.html", {"status": status, "title": title, "message": message}, status
    )


async def forum_error(request: Request, exc: Exception) -> Response:
    """Map domain errors to responses, once for the whole app."""
    _ = i18n.gettext
    if isinstance(exc, NotFound):
        return error_response(
            request,
            404,
            _("Page introuvable"),
            _("Cette page n'existe pas, ou vous n'y avez pas accès."),
        )
    if isinstance(exc, PermissionDenied):
        actor = getattr(request.state, "actor", None)
        if not _wants_json(request) and actor is not None and not actor.is_authenticated:
            target = quote(request.url.path, safe="/")
            return RedirectResponse(f"/login?next={target}", status_code=303)
        return error_response(
            request, 403, _("Action non autorisée"), _("Vous ne pouvez pas faire cela ici.")
        )
    if isinstance(exc, CsrfFailed):
        return error_response(
            request,
            403,
            _("Formulaire expiré"),
            _(
                "Le formulaire a expiré ou ne vient pas de ce site. "
                "Rechargez la page et recommencez."
            ),
            code="csrf",
        )
    if isinstance(exc, FormTooLarge):
        detail = getattr(exc, "message", None) or _("Ce formulaire est trop volumineux.")
        return error_response(request, 413, _("Envoi trop volumineux"), detail)
    if isinstance(exc, RateLimited):
        response = error_response(
            request,
            429,
            _("Trop de tentatives"),
            _("Trop de tentatives : réessayez dans quelques minutes."),
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, InvalidInput):
        if _wants_json(request):
            return JSONResponse(
                {"error": "invalid", "message": _("Données invalides."), "fields": exc.errors},
                status_code=422,
            )
        return error_response(request, 400, _("Données invalides"), "; ".join(exc.errors.values()))
    if isinstance(exc, Conflict):
        return error_response(request, 409, _("Conflit"), exc.message)
    return await server_error(request, exc)


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own HTTP errors (unknown URL, wrong method) as our error pages."""
    assert isinstance(exc, HTTPException)
    _ = i18n.gettext
    if exc.status_code == 404:
        return await forum_error(request, NotFound(request.url.path))
    if exc.status_code == 405:
        response = error_response(
            request, 405, _("Méthode non permise"), _("Cette adresse n'accepte pas cette action.")
        )
    else:
        response = error_response(request, exc.status_code, _("Erreur"), str(exc.detail))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    """An unexpected failure: logged with its traceback, shown as a calm page."""
    path = redact_path(request.url.path)
    log.exception("unhandled error on %s %s", request.method, path, exc_info=exc)
    _ = i18n.gettext
    response = error_response(
        request,
        500,
        _("Erreur du serveur"),
        _(
            "Une erreur inattendue s'est produite. Réessayez dans un instant ; "
            "si cela persiste, prévenez un administrateur."
        ),
    )
    # This answer is sent from outside the middleware stack: add the headers here.
    add_security_headers(response.headers, csp=request.app.state.csp, path=request.url.path)
    return response

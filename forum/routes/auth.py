"""Signing in and out, and the one-time links (first administrator, choosing a password)."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum.auth import passwords
from forum.auth.middleware import SESSION_COOKIE, cookie_signer
from forum.db import Database
from forum.errors import Conflict, InvalidInput, RateLimited
from forum.forms import read_form
from forum.i18n import gettext as _
from forum.routes.navigation import client_ip, safe_next, see_other
from forum.services import sessions as session_service
from forum.services import setup_links
from forum.services import users as user_service
from forum.settings import Settings
from forum.templating import render


def set_session_cookie(response: Response, settings: Settings, key: str) -> None:
    """Hand the browser its (signed) session key."""
    response.set_cookie(
        SESSION_COOKIE,
        cookie_signer(settings.secret_key).dumps(key),
        max_age=settings.session_days * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


async def login_page(request: Request) -> Response:
    """The sign-in form."""
    if request.state.actor.is_authenticated:
        return see_other(safe_next(request.query_params.get("next")))
    values = {"next": safe_next(request.query_params.get("next"))}
    return render(request, "login.html", {"values": values})


async def login(request: Request) -> Response:
    """Check a login and password; same answer and similar time for unknown logins."""
    settings: Settings = request.app.state.settings
    db: Database = request.app.state.db
    form = await read_form(request)
    typed = form.get("login").strip()
    password = form.get("password")
    values = {"login": typed, "next": safe_next(form.get("next"))}
    if not typed or not password:
        errors = {"login": _("Indiquez votre identifiant et votre mot de passe.")}
        return render(request, "login.html", {"values": values, "errors": errors}, 400)
    throttle = request.app.state.throttle
    ip = client_ip(request)
    account_key = user_service.login_candidates(typed, settings.login_suffix)[0][:100]
    try:
        await throttle.check(ip=ip, login=account_key)
    except RateLimited as exc:
        errors = {"login": _("Trop de tentatives : réessayez dans quelques minutes.")}
        response = render(request, "login.html", {"values": values, "errors": errors}, 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    user = await db.run_read(user_service.find_user_for_sign_in, typed, settings.login_suffix)
    stored_hash = user.password_hash if user is not None else None
    ok = await passwords.verify_password(password, stored_hash)
    if user is None or user.id is None or not ok or not user.is_active:
        await throttle.failed(ip=ip, login=account_key)
        errors = {"login": _("Identifiant ou mot de passe incorrect.")}
        return render(request, "login.html", {"values": values, "errors": errors}, 400)
    await throttle.succeeded(login=account_key)
    if stored_hash and passwords.needs_rehash(stored_hash):
        new_hash = await passwords.hash_password(password)
        await db.run_in_transaction(
            user_service.set_password_hash, user_id=user.id, password_hash=new_hash
        )
    key, _row = await db.run_in_transaction(
        session_service.start_session,
        user_id=user.id,
        days=settings.session_days,
        ip=ip,
        user_agent=request.headers.get("user-agent", ""),
        replaces=request.state.session_key,
    )
    redirect = see_other(values["next"])
    set_session_cookie(redirect, settings, key)
    return redirect


async def logout(request: Request) -> Response:
    """Sign this browser out (its session is revoked on the server)."""
    await read_form(request)
    key = request.state.session_key
    if key:
        db: Database = request.app.state.db
        await db.run_in_transaction(session_service.revoke_session, key=key)
    response = see_other("/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def welcome_page(request: Request) -> Response:
    """A one-time link: the first-administrator form or the choose-a-password form."""
    db: Database = request.app.state.db
    key = request.path_params["key"]
    user = await db.run_read(setup_links.link_user, key=key)
    return render(request, "welcome.html", {"link_user": user, "key": key})


async def welcome(request: Request) -> Response:
    """Use a one-time link; on success the member is signed in."""
    settings: Settings = request.app.state.settings
    db: Database = request.app.state.db
    key = request.path_params["key"]
    form = await read_form(request)
    user = await db.run_read(setup_links.link_user, key=key)
    password = form.get("password")
    if user is not None:
        login_for_check = user.login
    else:
        login_for_check = user_service.login_candidates(form.get("login"), settings.login_suffix)[0]
    errors: dict[str, str] = {}
    problem = passwords.password_problem(password, login=login_for_check)
    if problem:
        errors["password"] = problem
    elif password != form.get("password_confirm"):
        errors["password_confirm"] = _("Les deux mots de passe ne correspondent pas.")
    context = {"link_user": user, "key": key, "values": form.values()}
    if errors:
        return render(request, "welcome.html", {**context, "errors": errors}, 400)
    password_hash = await passwords.hash_password(password)
    try:
        if user is None:
            user = await db.run_in_transaction(
                setup_links.complete_first_admin,
                key=key,
                login=form.get("login"),
                display_name=form.get("display_name"),
                email=form.get("email"),
                password_hash=password_hash,
                login_suffix=settings.login_suffix,
            )
        else:
            user = await db.run_in_transaction(
                setup_links.complete_password_link, key=key, password_hash=password_hash
            )
    except InvalidInput as exc:
        return render(request, "welcome.html", {**context, "errors": exc.errors}, 400)
    except Conflict as exc:
        errors = {exc.field or "login": exc.message}
        return render(request, "welcome.html", {**context, "errors": errors}, 409)
    assert user.id is not None
    session_key, _row = await db.run_in_transaction(
        session_service.start_session,
        user_id=user.id,
        days=settings.session_days,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent", ""),
        replaces=request.state.session_key,
    )
    response = see_other("/")
    set_session_cookie(response, settings, session_key)
    return response


routes = [
    Route("/login", login_page, methods=["GET"], name="login"),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"], name="logout"),
    Route("/welcome/{key}", welcome_page, methods=["GET"], name="welcome"),
    Route("/welcome/{key}", welcome, methods=["POST"]),
]

"""Administration of accounts: list, create (with a one-time link), edit, groups, tokens."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum.access import Actor, access_site_admin
from forum.db import Database
from forum.errors import Conflict, InvalidInput
from forum.forms import read_form
from forum.routes.navigation import see_other
from forum.services import admin as admin_service
from forum.settings import Settings
from forum.templating import render


def _admin(request: Request) -> Actor:
    """The acting administrator; to anyone else these pages don't exist (404)."""
    actor: Actor = request.state.actor
    access_site_admin(actor)
    return actor


def _user_id(request: Request) -> int:
    user_id: int = request.path_params["user_id"]
    return user_id


async def users_page(request: Request) -> Response:
    """The accounts table, filtered by ?q= (login or name)."""
    actor = _admin(request)
    db: Database = request.app.state.db
    search = request.query_params.get("q", "")[:120]
    rows = await db.run_read(admin_service.list_accounts, actor=actor, search=search)
    context = {"rows": rows, "q": search, "saved": request.query_params.get("saved", "")}
    return render(request, "admin/users.html", context)


async def _new_user_form(request: Request, status: int = 200, **context: object) -> Response:
    db: Database = request.app.state.db
    groups = await db.run_read(admin_service.all_groups, actor=request.state.actor)
    settings: Settings = request.app.state.settings
    page: dict[str, object] = {
        "groups": groups,
        "chosen": {},
        "login_suffix": settings.login_suffix,
    }
    page.update(context)
    return render(request, "admin/user_new.html", page, status)


async def new_user_page(request: Request) -> Response:
    """The form creating an account."""
    _admin(request)
    return await _new_user_form(request)


async def create_user(request: Request) -> Response:
    """Create the account and its groups, then show the one-time link (never redirected)."""
    actor = _admin(request)
    form = await read_form(request)
    settings: Settings = request.app.state.settings
    db: Database = request.app.state.db
    chosen = {slug: form.get(f"role-{slug}", "member") for slug in form.getlist("groups")}
    try:
        issued = await db.run_in_transaction(
            admin_service.create_account,
            actor=actor,
            login=form.get("login"),
            display_name=form.get("display_name"),
            email=form.get("email"),
            is_admin=form.flag("is_admin"),
            groups=chosen,
            login_suffix=settings.login_suffix,
            link_days=settings.setup_link_days,
        )
    except InvalidInput as exc:
        return await _new_user_form(
            request, 400, errors=exc.errors, values=form.values(), chosen=chosen
        )
    except Conflict as exc:
        errors = {exc.field or "login": exc.message}
        return await _new_user_form(
            request, 409, errors=errors, values=form.values(), chosen=chosen
        )
    return _secret_page(request, issued, kind="created")


def _secret_page(request: Request, issued: admin_service.Issued, *, kind: str) -> Response:
    """Show a one-time link ("created", "link") or a token ("token") once: never in a URL."""
    settings: Settings = request.app.state.settings
    secret = issued.secret
    context = {
        "user": issued.user,
        "kind": kind,
        "secret": secret if kind == "token" else f"{settings.base_url}/welcome/{secret}",
        "days": settings.setup_link_days,
    }
    return render(request, "admin/secret.html", context)


async def _user_page(request: Request, status: int = 200, **context: object) -> Response:
    db: Database = request.app.state.db
    detail = await db.run_read(
        admin_service.account_detail, actor=request.state.actor, user_id=_user_id(request)
    )
    user = detail.user
    values = {
        "display_name": user.display_name,
        "email": user.email or "",
        "is_admin": "1" if user.is_admin else "",
        "is_active": "1" if user.is_active else "",
    }
    page: dict[str, object] = {
        "detail": detail,
        "values": values,
        "group_errors": {},
        "link_errors": {},
        "token_errors": {},
        "token_name": "",
        "saved": request.query_params.get("saved", ""),
    }
    page.update(context)
    return render(request, "admin/user.html", page, status)


async def user_page(request: Request) -> Response:
    """One account: profile and rights, groups, password link, sessions, tokens."""
    _admin(request)
    return await _user_page(request)


def _back(request: Request, saved: str) -> Response:
    return see_other(f"/admin/users/{_user_id(request)}?saved={saved}")


async def update_user(request: Request) -> Response:
    """Save name, e-mail address, admin rights and active flag."""
    actor = _admin(request)
    form = await read_form(request)
    db: Database = request.app.state.db
    try:
        await db.run_in_transaction(
            admin_service.update_account,
            actor=actor,
            user_id=_user_id(request),
            display_name=form.get("display_name"),
            email=form.get("email"),
            is_admin=form.flag("is_admin"),
            is_active=form.flag("is_active"),
        )
    except InvalidInput as exc:
        return await _user_page(request, 400, errors=exc.errors, values=form.values())
    return _back(request, "account")


async def set_group(request: Request) -> Response:
    """Add the account to a group, or change its role there."""
    actor = _admin(request)
    form = await read_form(request)
    db: Database = request.app.state.db
    try:
        await db.run_in_transaction(
            admin_service.set_membership,
            actor=actor,
            user_id=_user_id(request),
            group_slug=form.get("group"),
            role=form.get("role"),
        )
    except InvalidInput as exc:
        return await _user_page(request, 400, group_errors=exc.errors)
    return _back(request, "groups")


async def remove_group(request: Request) -> Response:
    """Take the account out of a group."""
    actor = _admin(request)
    await read_form(request)
    db: Database = request.app.state.db
    await db.run_in_transaction(
        admin_service.remove_membership,
        actor=actor,
        user_id=_user_id(request),
        group_slug=request.path_params["slug"],
    )
    return _back(request, "groups")


async def password_link(request: Request) -> Response:
    """A new one-time link to choose a password (older ones stop working), shown once."""
    actor = _admin(request)
    await read_form(request)
    settings: Settings = request.app.state.settings
    db: Database = request.app.state.db
    try:
        issued = await db.run_in_transaction(
            admin_service.new_password_link,
            actor=actor,
            user_id=_user_id(request),
            days=settings.setup_link_days,
        )
    except Conflict as exc:
        return await _user_page(request, 409, link_errors={"password_link": exc.message})
    return _secret_page(request, issued, kind="link")


async def sign_out(request: Request) -> Response:
    """Close every session of the account (the admin's own browser stays signed in)."""
    actor = _admin(request)
    await read_form(request)
    db: Database = request.app.state.db
    await db.run_in_transaction(
        admin_service.sign_out_everywhere,
        actor=actor,
        user_id=_user_id(request),
        keep=request.state.session_key,
    )
    return _back(request, "signed-out")


async def create_token(request: Request) -> Response:
    """Create a personal access token for the account and show it once."""
    actor = _admin(request)
    form = await read_form(request)
    db: Database = request.app.state.db
    try:
        issued = await db.run_in_transaction(
            admin_service.create_token,
            actor=actor,
            user_id=_user_id(request),
            name=form.get("token_name"),
        )
    except InvalidInput as exc:
        token_name = form.get("token_name")
        return await _user_page(request, 400, token_errors=exc.errors, token_name=token_name)
    return _secret_page(request, issued, kind="token")


async def revoke_token(request: Request) -> Response:
    """Revoke one of the account's tokens."""
    actor = _admin(request)
    await read_form(request)
    db: Database = request.app.state.db
    await db.run_in_transaction(
        admin_service.revoke_token,
        actor=actor,
        user_id=_user_id(request),
        token_id=request.path_params["token_id"],
    )
    return _back(request, "token-revoked")


USER = "/admin/users/{user_id:int}"
routes = [
    Route("/admin/users", users_page, methods=["GET"], name="admin_users"),
    Route("/admin/users/new", new_user_page, methods=["GET"], name="admin_user_new"),
    Route("/admin/users/new", create_user, methods=["POST"]),
    Route(USER, user_page, methods=["GET"], name="admin_user"),
    Route(USER, update_user, methods=["POST"]),
    Route(USER + "/groups", set_group, methods=["POST"]),
    Route(USER + "/groups/{slug}/remove", remove_group, methods=["POST"]),
    Route(USER + "/password-link", password_link, methods=["POST"]),
    Route(USER + "/sign-out", sign_out, methods=["POST"]),
    Route(USER + "/tokens", create_token, methods=["POST"]),
    Route(USER + "/tokens/{token_id:int}/revoke", revoke_token, methods=["POST"]),
]

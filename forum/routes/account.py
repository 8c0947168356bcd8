"""The member's own account: profile, public directory profile, language, password, sessions."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum.access import Actor
from forum.auth import passwords
from forum.db import Database
from forum.errors import InvalidInput, NotFound, RateLimited
from forum.forms import read_form
from forum.i18n import gettext as _
from forum.routes.navigation import client_ip, see_other
from forum.services import accounts as account_service
from forum.services import directory as directory_service
from forum.services import sessions as session_service
from forum.services import users as user_service
from forum.templating import render


def _member(request: Request) -> int:
    actor: Actor = request.state.actor
    if actor.user_id is None:
        raise NotFound("account")
    return actor.user_id


def _public_values(public: directory_service.OwnProfile) -> dict[str, str]:
    profile = public.profile
    if profile is None:
        return {}
    return {
        "organisation": public.organisation.slug if public.organisation else "",
        "role_in_organisation": profile.role_in_organisation,
        "territory": profile.territory,
        "languages": profile.languages,
        "presentation": profile.presentation,
        "show_email": "1" if profile.show_email else "",
    }


async def _page(request: Request, status: int = 200, **context: object) -> Response:
    db: Database = request.app.state.db
    user_id = _member(request)
    overview = await db.run_read(account_service.account_overview, user_id=user_id)
    public = await db.run_read(directory_service.own_profile, user_id=user_id)
    values = {
        "display_name": overview.user.display_name,
        "email": overview.user.email or "",
        "locale": overview.user.locale or "",
    }
    page = {
        "overview": overview,
        "values": values,
        "errors": {},
        "public": public,
        "public_values": _public_values(public),
        "public_errors": {},
        "password_errors": {},
        "saved": "",
    }
    page.update(context)
    return render(request, "account.html", page, status)


async def account_page(request: Request) -> Response:
    """The account page (anonymous visitors are sent to sign in)."""
    if not request.state.actor.is_authenticated:
        return see_other("/login?next=/account")
    return await _page(request, saved=request.query_params.get("saved", ""))


async def update_profile(request: Request) -> Response:
    """Save name, e-mail address and language."""
    user_id = _member(request)
    form = await read_form(request)
    db: Database = request.app.state.db
    try:
        await db.run_in_transaction(
            user_service.update_profile,
            user_id=user_id,
            display_name=form.get("display_name"),
            email=form.get("email"),
            locale=form.get("locale"),
        )
    except InvalidInput as exc:
        return await _page(request, 400, errors=exc.errors, values=form.values())
    return see_other("/account?saved=profile")


async def update_public_profile(request: Request) -> Response:
    """Save what the member directory shows about oneself."""
    _member(request)
    form = await read_form(request)
    db: Database = request.app.state.db
    try:
        await db.run_in_transaction(
            directory_service.update_member_profile,
            actor=request.state.actor,
            organisation=form.get("organisation"),
            role_in_organisation=form.get("role_in_organisation"),
            territory=form.get("territory"),
            languages=form.get("languages"),
            presentation=form.get("presentation"),
            show_email=form.flag("show_email"),
        )
    except InvalidInput as exc:
        return await _page(request, 400, public_errors=exc.errors, public_values=form.values())
    return see_other("/account?saved=public-profile#profil-public")


async def change_password(request: Request) -> Response:
    """Change one's password: the current one first, then the new one twice."""
    actor: Actor = request.state.actor
    user_id = _member(request)
    form = await read_form(request)
    db: Database = request.app.state.db
    user = await db.run_read(user_service.get_user, user_id)
    errors: dict[str, str] = {}
    new = form.get("new_password")
    # Someone at an unattended browser may try to guess the current password: the same
    # throttle as signing in applies.
    throttle = request.app.state.throttle
    ip = client_ip(request)
    try:
        await throttle.check(ip=ip, login=actor.login)
    except RateLimited:
        errors = {"current_password": _("Trop de tentatives : réessayez dans quelques minutes.")}
        return await _page(request, 429, password_errors=errors)
    if not await passwords.verify_password(form.get("current_password"), user.password_hash):
        await throttle.failed(ip=ip, login=actor.login)
        errors["current_password"] = _("Le mot de passe actuel n'est pas le bon.")
    elif problem := passwords.password_problem(new, login=actor.login):
        errors["new_password"] = problem
    elif new != form.get("new_password_confirm"):
        errors["new_password_confirm"] = _("Les deux mots de passe ne correspondent pas.")
    if errors:
        return await _page(request, 400, password_errors=errors)
    new_hash = await passwords.hash_password(new)
    await db.run_in_transaction(
        account_service.change_password,
        user_id=user_id,
        password_hash=new_hash,
        keep_session=request.state.session_key,
    )
    return see_other("/account?saved=password")


async def revoke_session(request: Request) -> Response:
    """Sign out one of one's other browsers."""
    user_id = _member(request)
    await read_form(request)
    db: Database = request.app.state.db
    await db.run_in_transaction(
        session_service.revoke_session_by_id,
        user_id=user_id,
        session_id=request.path_params["session_id"],
    )
    return see_other("/account?saved=sessions")


async def revoke_other_sessions(request: Request) -> Response:
    """Sign out everywhere else."""
    user_id = _member(request)
    await read_form(request)
    db: Database = request.app.state.db
    await db.run_in_transaction(
        session_service.revoke_all_sessions, user_id=user_id, keep=request.state.session_key
    )
    return see_other("/account?saved=sessions")


routes = [
    Route("/account", account_page, methods=["GET"], name="account"),
    Route("/account", update_profile, methods=["POST"]),
    Route(
        "/account/public-profile",
        update_public_profile,
        methods=["POST"],
        name="account_public_profile",
    ),
    Route("/account/password", change_password, methods=["POST"], name="account_password"),
    Route(
        "/account/sessions/{session_id:int}/revoke",
        revoke_session,
        methods=["POST"],
        name="account_revoke_session",
    ),
    Route(
        "/account/sessions/revoke-others",
        revoke_other_sessions,
        methods=["POST"],
        name="account_revoke_others",
    ),
]

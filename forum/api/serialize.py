"""Service results turned into the JSON objects of /api/v1 (shapes described in openapi.py)."""

from datetime import UTC, datetime
from typing import Any

from forum.models import Organisation
from forum.services.accounts import AccountOverview
from forum.services.boards import BoardPage
from forum.services.directory import MemberCard
from forum.services.organisations import OrganisationRow

JSON = dict[str, Any]


def iso_utc(moment: datetime) -> str:
    """A timestamp as ISO 8601 in UTC with a `Z` suffix, e.g. 2024-05-01T09:30:00.250000Z."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def board(page: BoardPage) -> JSON:
    """A board as the caller sees it, with what they may do there."""
    group = page.group
    return {
        "slug": page.board.slug,
        "name": page.board.name,
        "description": page.board.description,
        "visibility": page.board.visibility,
        "group": None if group is None else {"slug": group.slug, "name": group.name},
        "url": f"/b/{page.board.slug}",
        "created_at": iso_utc(page.board.created_at),
        "permissions": {
            "read": True,
            "post": page.can_post,
            "moderate": page.can_moderate,
            "administer": page.can_administer,
        },
    }


def me(overview: AccountOverview) -> JSON:
    """The caller's own account and groups."""
    user = overview.user
    return {
        "id": user.id,
        "login": user.login,
        "display_name": user.display_name,
        "email": user.email,
        "is_admin": user.is_admin,
        "locale": user.locale,
        "created_at": iso_utc(user.created_at),
        "groups": [
            {"slug": group.slug, "name": group.name, "role": role}
            for group, role in overview.groups
        ],
    }


def member(card: MemberCard) -> JSON:
    """A member of the directory; "email" only when the caller may see it."""
    org = card.organisation
    body: JSON = {
        "login": card.user.login,
        "display_name": card.user.display_name,
        "organisation": None if org is None else {"slug": org.slug, "name": org.name},
        "role": card.role,
        "territory": card.territory,
        "languages": card.languages,
    }
    if card.email is not None:
        body["email"] = card.email
    return body


ORGANISATION_TEXTS = (
    "acronym",
    "kind",
    "country",
    "city",
    "address",
    "website",
    "email",
    "phone",
    "description",
    "territories",
    "trades_and_activities",
    "resources",
    "pooling",
    "expectations",
)


def organisation(row: OrganisationRow) -> JSON:
    """An organisation with every field of the survey."""
    org: Organisation = row.organisation
    return {
        "slug": org.slug,
        "name": org.name,
        **{name: getattr(org, name) for name in ORGANISATION_TEXTS},
        "members": row.members,
        "url": f"/organisations/{org.slug}",
        "updated_at": iso_utc(org.updated_at),
    }

"""Service results turned into the JSON objects of /api/v1 (shapes described in openapi.py)."""

from datetime import UTC, datetime
from typing import Any

from forum.models import Organisation
from forum.services.accounts import AccountOverview
from forum.services.boards import BoardPage
from forum.services.directory import MemberCard
from forum.services.organisations import OrganisationRow
from forum.services.poll_views import PollView

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


def poll(view: PollView) -> JSON:
    """A poll as the caller sees it: counts if they may see results, voters for moderators."""
    return {
        "id": view.id,
        "post_id": view.post_id,
        "url": f"/polls/{view.id}",
        "question": view.question,
        "multiple": view.multiple,
        "max_choices": view.max_choices,
        "closes_at": iso_utc(view.closes_at) if view.closes_at else None,
        "closed": view.closed,
        "results_visibility": view.results_visibility,
        "results_visible": view.results_visible,
        "total_voters": view.total_voters,
        "has_voted": view.has_voted,
        "can_vote": view.can_vote,
        "can_close": view.can_close,
        "options": [
            {
                "id": option.id,
                "label": option.label,
                "chosen": option.chosen,
                "votes": option.votes,
                "percent": option.percent,
                "voters": None
                if option.voters is None
                else [{"id": v.id, "display_name": v.display_name} for v in option.voters],
            }
            for option in view.options
        ],
    }

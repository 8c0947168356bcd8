"""The OpenAPI description of the member directory under /api/v1 (merged by forum.api.openapi)."""

from forum.api.openapi import JSON, SIGNED_IN, _error, _get, _json, _query, _ref
from forum.models import OrganisationKind

_TEXT = {"type": "string"}
NOT_SIGNED_IN = _error("Not signed in, or the bearer token is unknown or revoked.")

ORGANISATION_TEXTS = (
    "slug",
    "name",
    "acronym",
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
    "url",
)

SCHEMAS: dict[str, JSON] = {
    "OrganisationRef": {
        "type": "object",
        "required": ["slug", "name"],
        "properties": {"slug": _TEXT, "name": _TEXT},
        "additionalProperties": False,
    },
    "Member": {
        "type": "object",
        "description": "A member of the directory (active accounts only).",
        "required": ["login", "display_name", "organisation", "role", "territory", "languages"],
        "properties": {
            "login": _TEXT,
            "display_name": _TEXT,
            "organisation": {"oneOf": [_ref("OrganisationRef"), {"type": "null"}]},
            "role": {"type": "string", "description": "The member's role in their organisation."},
            "territory": _TEXT,
            "languages": _TEXT,
            "email": {
                "type": "string",
                "description": (
                    "Present only when the member chose to show it "
                    "(administrators and the member themself always get it)."
                ),
            },
        },
        "additionalProperties": False,
    },
    "MemberList": {
        "type": "object",
        "required": ["members"],
        "properties": {"members": {"type": "array", "items": _ref("Member")}},
        "additionalProperties": False,
    },
    "Organisation": {
        "type": "object",
        "description": "A member organisation with the fields of the network's survey.",
        "required": [*ORGANISATION_TEXTS, "kind", "members", "updated_at"],
        "properties": {
            **dict.fromkeys(ORGANISATION_TEXTS, _TEXT),
            "kind": {"enum": [k.value for k in OrganisationKind]},
            "members": {"type": "integer", "description": "Active members who name it."},
            "updated_at": {"type": "string", "format": "date-time"},
        },
        "additionalProperties": False,
    },
    "OrganisationList": {
        "type": "object",
        "required": ["organisations"],
        "properties": {"organisations": {"type": "array", "items": _ref("Organisation")}},
        "additionalProperties": False,
    },
}

PATHS: dict[str, JSON] = {
    "/members": _get(
        "listMembers",
        "The member directory, by name; every filter is optional and ignores accents and case.",
        SIGNED_IN,
        {"200": _json("Matching members.", _ref("MemberList")), "401": NOT_SIGNED_IN},
        [
            _query("q", "Words found in the name, organisation, role, territory or activities."),
            _query("territory", "Words found in the member's or organisation's territory."),
            _query("activity", "Words found in the organisation's activities or the role."),
            _query("organisation", "An organisation's slug."),
        ],
    ),
    "/organisations": _get(
        "listOrganisations",
        "The member organisations, by name; every filter is optional and ignores accents.",
        SIGNED_IN,
        {"200": _json("Matching organisations.", _ref("OrganisationList")), "401": NOT_SIGNED_IN},
        [
            _query("q", "Words found in the name, acronym, places or activities."),
            _query("territory", "Words found in the territories, city or country."),
            _query("activity", "Words found in the trades and activities."),
        ],
    ),
}

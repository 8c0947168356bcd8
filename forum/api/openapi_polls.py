"""The OpenAPI description of polls under /api/v1 (merged by forum.api.openapi)."""

from forum.api.openapi import ANYONE, BAD_TOKEN, JSON, SIGNED_IN, _error, _json, _ref
from forum.models import PollResults
from forum.services.polls import OPTION_MAX, OPTIONS_MAX, OPTIONS_MIN, QUESTION_MAX

_NULLABLE_INT = {"type": ["integer", "null"]}

SCHEMAS: dict[str, JSON] = {
    "NewPoll": {
        "type": "object",
        "description": (
            "A poll carried by the new post, created in the same transaction. Invalid fields "
            "are reported (422) under the names poll_question, poll_options, poll_kind, "
            "poll_max, poll_closes_on and poll_results."
        ),
        "required": ["question", "options"],
        "properties": {
            "question": {
                "type": "string",
                "minLength": 1,
                "maxLength": QUESTION_MAX,
                "pattern": r"\S",
            },
            "options": {
                "type": "array",
                "description": (
                    f"{OPTIONS_MIN} to {OPTIONS_MAX} answers, in order, each up to {OPTION_MAX} "
                    "characters; blank ones are dropped; no two alike (case ignored)."
                ),
                "minItems": OPTIONS_MIN,
                "maxItems": OPTIONS_MAX,
                "uniqueItems": True,
                "items": {"type": "string", "maxLength": OPTION_MAX},
            },
            "multiple": {
                "type": "boolean",
                "default": False,
                "description": "Several answers per voter (default: one).",
            },
            "max_choices": {
                **_NULLABLE_INT,
                "minimum": 2,
                "maximum": OPTIONS_MAX,
                "description": (
                    "For a multiple-choice poll: most answers per voter, at most the number "
                    "of options (null: all of them). Ignored for a single-choice poll."
                ),
            },
            "closes_at": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "When voting ends, in the future (no offset: UTC). Null: open.",
            },
            "results_visibility": {
                "enum": [r.value for r in PollResults],
                "default": PollResults.AFTER_VOTING.value,
                "description": (
                    "after_voting: a member sees the counts once they voted; after_closing: "
                    "once the poll is closed. Everyone sees them after closing."
                ),
            },
        },
    },
    "Voter": {
        "type": "object",
        "required": ["id", "display_name"],
        "properties": {"id": {"type": "integer"}, "display_name": {"type": "string"}},
        "additionalProperties": False,
    },
    "PollOption": {
        "type": "object",
        "required": ["id", "label", "chosen", "votes", "percent", "voters"],
        "properties": {
            "id": {"type": "integer"},
            "label": {"type": "string"},
            "chosen": {"type": "boolean", "description": "Chosen by the caller."},
            "votes": {**_NULLABLE_INT, "description": "Null while results are hidden."},
            "percent": {
                **_NULLABLE_INT,
                "description": "Share of the voters, rounded; null while results are hidden.",
            },
            "voters": {
                "oneOf": [{"type": "array", "items": _ref("Voter")}, {"type": "null"}],
                "description": "Who chose it: for the board's moderators and admins only.",
            },
        },
        "additionalProperties": False,
    },
    "Poll": {
        "type": "object",
        "required": [
            "id",
            "post_id",
            "url",
            "question",
            "multiple",
            "max_choices",
            "closes_at",
            "closed",
            "results_visibility",
            "results_visible",
            "total_voters",
            "has_voted",
            "can_vote",
            "can_close",
            "options",
        ],
        "properties": {
            "id": {"type": "integer"},
            "post_id": {"type": "integer"},
            "url": {"type": "string", "description": "The poll's own page."},
            "question": {"type": "string"},
            "multiple": {"type": "boolean"},
            "max_choices": {"type": "integer"},
            "closes_at": {"type": ["string", "null"], "format": "date-time"},
            "closed": {"type": "boolean"},
            "results_visibility": {"enum": [r.value for r in PollResults]},
            "results_visible": {"type": "boolean"},
            "total_voters": {**_NULLABLE_INT, "description": "Null while results are hidden."},
            "has_voted": {"type": "boolean"},
            "can_vote": {"type": "boolean"},
            "can_close": {"type": "boolean"},
            "options": {"type": "array", "items": _ref("PollOption")},
        },
        "additionalProperties": False,
    },
    "PollVote": {
        "type": "object",
        "required": ["options"],
        "properties": {
            "options": {
                "type": "array",
                "description": "The chosen option ids (one for a single-choice poll).",
                "minItems": 1,
                "items": {"type": "integer"},
            }
        },
    },
}

POLL_ID: JSON = {"name": "poll_id", "in": "path", "required": True, "schema": {"type": "integer"}}
HIDDEN_POLL = _error("No such poll, or its post is not visible to the caller (indistinguishable).")
NO_MEMBER = _error("Not signed in, or the bearer token is unknown or revoked.")
REFUSED = _error("The caller may read the poll but not do this (e.g. vote in a read-only board).")
CSRF = "Cookie sessions must send the X-CSRF-Token header; tokens need not."

PATHS: dict[str, JSON] = {
    "/polls/{poll_id}": {
        "parameters": [POLL_ID],
        "get": {
            "operationId": "getPoll",
            "summary": "A poll; counts only when the caller may see them.",
            "security": ANYONE,
            "responses": {
                "200": _json("The poll.", _ref("Poll")),
                "401": BAD_TOKEN,
                "404": HIDDEN_POLL,
            },
        },
    },
    "/polls/{poll_id}/votes": {
        "parameters": [POLL_ID],
        "post": {
            "operationId": "votePoll",
            "summary": "Vote, or replace one's vote, while the poll is open.",
            "description": CSRF,
            "security": SIGNED_IN,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("PollVote")}},
            },
            "responses": {
                "200": _json("The poll as the voter now sees it.", _ref("Poll")),
                "401": NO_MEMBER,
                "403": REFUSED,
                "404": HIDDEN_POLL,
                "413": _error("The request body is larger than 1 MB."),
                "422": _error(
                    "Refused vote, in `fields.options`: unknown option, too many choices, "
                    "several in a single-choice poll, or the poll is closed."
                ),
            },
        },
    },
    "/polls/{poll_id}/close": {
        "parameters": [POLL_ID],
        "post": {
            "operationId": "closePoll",
            "summary": "Close the poll now (its post's author, or a moderator). Idempotent.",
            "description": CSRF,
            "security": SIGNED_IN,
            "responses": {
                "200": _json("The closed poll.", _ref("Poll")),
                "401": NO_MEMBER,
                "403": REFUSED,
                "404": HIDDEN_POLL,
            },
        },
    },
}

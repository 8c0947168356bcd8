"""The OpenAPI description of topics and posts under /api/v1 (merged by forum.api.openapi)."""

from forum.api.openapi import (
    ANYONE,
    BAD_TOKEN,
    JSON,
    SIGNED_IN,
    SLUG_PARAMETER,
    _error,
    _json,
    _ref,
)
from forum.services.post_views import DELETED, HIDDEN, POSTS_PER_PAGE, VISIBLE
from forum.services.topic_views import TOPICS_PER_PAGE
from forum.services.topics import BODY_MAX, TITLE_MAX, TITLE_MIN

_DATE = {"type": "string", "format": "date-time"}
_BODY = {
    "type": "string",
    "minLength": 1,
    "maxLength": BODY_MAX,
    "pattern": r"\S",
    "description": f"Markdown, 1 to {BODY_MAX} characters, not only spaces.",
}

_NEW_POLL = {"oneOf": [_ref("NewPoll"), {"type": "null"}], "description": "Optional."}

_FILE_IDS = {
    "type": "array",
    "maxItems": 20,
    "items": {"type": "string", "minLength": 1, "maxLength": 32},
    "description": "Ids of files uploaded to the same board (POST /boards/{slug}/files).",
}

SCHEMAS: dict[str, JSON] = {
    "Author": {
        "type": "object",
        "required": ["id", "display_name"],
        "properties": {"id": {"type": "integer"}, "display_name": {"type": "string"}},
        "additionalProperties": False,
    },
    "BoardRef": {
        "type": "object",
        "required": ["slug", "name"],
        "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
        "additionalProperties": False,
    },
    "Post": {
        "type": "object",
        "description": (
            "A post. Deleted posts, and posts hidden by moderation, keep their number "
            "in their topic's list but come with an empty body and html and no author."
        ),
        "required": [
            "id",
            "topic_id",
            "number",
            "url",
            "state",
            "author",
            "reply_to",
            "body",
            "html",
            "created_at",
            "edited_at",
            "poll",
            "files",
        ],
        "properties": {
            "id": {"type": "integer"},
            "topic_id": {"type": "integer"},
            "number": {"type": "integer", "description": "Position in the topic, from 1."},
            "url": {"type": "string", "description": "Stable link to the post's page."},
            "state": {"enum": [VISIBLE, DELETED, HIDDEN]},
            "author": {"oneOf": [_ref("Author"), {"type": "null"}]},
            "reply_to": {"type": ["integer", "null"], "description": "The post answered."},
            "body": {"type": "string", "description": "The Markdown source."},
            "html": {"type": "string", "description": "The sanitised HTML rendering."},
            "created_at": _DATE,
            "edited_at": {"type": ["string", "null"], "format": "date-time"},
            "poll": {"oneOf": [_ref("Poll"), {"type": "null"}], "description": "Its poll."},
            "files": {
                "type": "array",
                "items": _ref("File"),
                "description": (
                    "The files attached, in order, as uploads answer them: deleted files are "
                    "left out, and so is everything of a deleted or hidden post."
                ),
            },
        },
        "additionalProperties": False,
    },
    "TopicSummary": {
        "type": "object",
        "required": [
            "id",
            "title",
            "url",
            "board",
            "author",
            "created_at",
            "last_post_at",
            "post_count",
            "is_pinned",
            "is_locked",
        ],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "url": {"type": "string"},
            "board": _ref("BoardRef"),
            "author": _ref("Author"),
            "created_at": _DATE,
            "last_post_at": _DATE,
            "post_count": {"type": "integer", "description": "Posts, the first one included."},
            "is_pinned": {"type": "boolean"},
            "is_locked": {"type": "boolean"},
        },
        "additionalProperties": False,
    },
    "TopicList": {
        "type": "object",
        "required": ["board", "page", "pages", "total", "topics"],
        "properties": {
            "board": _ref("BoardRef"),
            "page": {"type": "integer"},
            "pages": {"type": "integer"},
            "total": {"type": "integer"},
            "topics": {"type": "array", "items": _ref("TopicSummary")},
        },
        "additionalProperties": False,
    },
    "NewTopic": {
        "type": "object",
        "required": ["title", "body"],
        "properties": {
            "title": {
                "type": "string",
                "minLength": TITLE_MIN,
                "maxLength": TITLE_MAX,
                "pattern": r"\S\s*\S\s*\S|\S\s+\S",
                "description": (
                    f"{TITLE_MIN} to {TITLE_MAX} characters once spaces are trimmed and runs "
                    "of spaces collapsed; control characters are removed."
                ),
            },
            "body": _BODY,
            "poll": _NEW_POLL,
            "files": _FILE_IDS,
        },
    },
    "NewPost": {
        "type": "object",
        "required": ["body"],
        "properties": {
            "body": _BODY,
            "reply_to": {
                "type": ["integer", "null"],
                "description": "A post of the same topic that this one answers.",
            },
            "poll": _NEW_POLL,
            "files": _FILE_IDS,
        },
    },
    "EditPost": {
        "type": "object",
        "description": "What to change; a field left out stays as it is.",
        "properties": {
            "body": _BODY,
            "files": {
                **_FILE_IDS,
                "description": (
                    "Every file the post must carry, in order: ids it has now are kept, "
                    "others are attached (files of the same board), missing ones removed "
                    "from the post (they stay in the board's library). [] removes them all."
                ),
            },
        },
    },
}
# A topic is its summary plus every post, the first one included.
SCHEMAS["Topic"] = {
    **SCHEMAS["TopicSummary"],
    "required": [*SCHEMAS["TopicSummary"]["required"], "posts"],
    "properties": {
        **SCHEMAS["TopicSummary"]["properties"],
        "posts": {"type": "array", "items": _ref("Post")},
    },
}

TOPIC_ID: JSON = {"name": "topic_id", "in": "path", "required": True, "schema": {"type": "integer"}}
POST_ID: JSON = {"name": "post_id", "in": "path", "required": True, "schema": {"type": "integer"}}
PAGE: JSON = {
    "name": "page",
    "in": "query",
    "required": False,
    "description": f"Page number, from 1 ({TOPICS_PER_PAGE} topics a page); past the end: last.",
    "schema": {"type": "integer", "minimum": 1},
}

HIDDEN_TOPIC = _error("No such topic, or the caller may not see it (indistinguishable).")
HIDDEN_POST = _error("No such post, deleted, or not visible to the caller (indistinguishable).")
INVALID = _error("Invalid input; `fields` says what is wrong with each field.")
REFUSED = _error("The caller may read but not post here (e.g. a locked topic).")
TOO_LARGE = _error("The request body is larger than 1 MB.")
NO_MEMBER = _error("Not signed in, or the bearer token is unknown or revoked.")


def _body(schema: str) -> JSON:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


PATHS: dict[str, JSON] = {
    "/boards/{slug}/topics": {
        "parameters": [SLUG_PARAMETER],
        "get": {
            "operationId": "listTopics",
            "summary": "A page of a board's topics: pinned first, then by latest post.",
            "security": ANYONE,
            "parameters": [PAGE],
            "responses": {
                "200": _json("The topics.", _ref("TopicList")),
                "401": BAD_TOKEN,
                "404": _error("No such board, or the caller may not see it."),
            },
        },
        "post": {
            "operationId": "startTopic",
            "summary": "Start a topic: its title and first post, in one transaction.",
            "description": "Cookie sessions must send the X-CSRF-Token header; tokens need not.",
            "security": SIGNED_IN,
            "requestBody": _body("NewTopic"),
            "responses": {
                "201": _json("The new topic, with its first post.", _ref("Topic")),
                "401": NO_MEMBER,
                "403": REFUSED,
                "404": _error("No such board, or the caller may not see it."),
                "413": TOO_LARGE,
                "422": INVALID,
            },
        },
    },
    "/topics/{topic_id}": {
        "parameters": [TOPIC_ID],
        "get": {
            "operationId": "getTopic",
            "summary": "A topic with every one of its posts, the first one included.",
            "security": ANYONE,
            "responses": {
                "200": _json("The topic.", _ref("Topic")),
                "401": BAD_TOKEN,
                "404": HIDDEN_TOPIC,
            },
        },
    },
    "/topics/{topic_id}/posts": {
        "parameters": [TOPIC_ID],
        "post": {
            "operationId": "replyToTopic",
            "summary": "Reply in a topic (locked topics: moderators only).",
            "description": "Cookie sessions must send the X-CSRF-Token header; tokens need not.",
            "security": SIGNED_IN,
            "requestBody": _body("NewPost"),
            "responses": {
                "201": _json("The new post.", _ref("Post")),
                "401": NO_MEMBER,
                "403": REFUSED,
                "404": HIDDEN_TOPIC,
                "413": TOO_LARGE,
                "422": INVALID,
            },
        },
    },
    "/posts/{post_id}": {
        "parameters": [POST_ID],
        "get": {
            "operationId": "getPost",
            "summary": f"One post; its page in the topic holds {POSTS_PER_PAGE} posts.",
            "security": ANYONE,
            "responses": {
                "200": _json("The post.", _ref("Post")),
                "401": BAD_TOKEN,
                "404": HIDDEN_POST,
            },
        },
        "patch": {
            "operationId": "editPost",
            "summary": "Edit one's own post: its text, its attached files, or both.",
            "description": (
                "The previous text is kept in the post's history; a change of files alone "
                "is recorded there too. Cookie sessions must send the X-CSRF-Token header; "
                "tokens need not."
            ),
            "security": SIGNED_IN,
            "requestBody": _body("EditPost"),
            "responses": {
                "200": _json("The post as it now is.", _ref("Post")),
                "401": NO_MEMBER,
                "403": _error("The post is someone else's, or its topic is locked."),
                "404": HIDDEN_POST,
                "413": TOO_LARGE,
                "422": INVALID,
            },
        },
    },
}

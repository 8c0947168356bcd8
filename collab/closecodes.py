"""Named WebSocket close codes of the collaboration server (4xxx mirror the HTTP statuses)."""

NORMAL = 1000
GOING_AWAY = 1001  # the server shuts down
TOO_BIG = 1009  # a message over CollabSettings.max_message_bytes
INTERNAL_ERROR = 1011

BAD_MESSAGE = 4400  # the guard or the CRDT refused a message
FORBIDDEN = 4403  # access refused or revoked
TOO_SLOW = 4408  # the client reads too slowly: its send queue overflowed
RATE_LIMITED = 4429  # the client sends too much
LOAD_FAILED = 4500  # the document could not be loaded: never serve an empty one

REASONS = {
    NORMAL: "bye",
    GOING_AWAY: "server shutting down",
    TOO_BIG: "message too big",
    INTERNAL_ERROR: "internal error",
    BAD_MESSAGE: "bad message",
    FORBIDDEN: "access revoked",
    TOO_SLOW: "too slow",
    RATE_LIMITED: "rate limited",
    LOAD_FAILED: "document could not be loaded",
}

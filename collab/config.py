"""CollabSettings: every limit and interval of the collaboration server, as one frozen value."""

from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True)
class CollabSettings:
    """Limits and timings; the defaults suit a forum (tests pass smaller ones)."""

    # The guard. Measured: yrs keeps ~45x the bytes of an update in memory, so a message cap
    # is also a memory cap. Uvicorn's own `ws_max_size` should be set to at least this.
    max_message_bytes: int = 2 * MiB
    max_any_depth: int = 64  # nested Any values; yrs recurses on them (100k levels: a segfault)
    max_awareness_bytes: int = 64 * 1024  # one awareness state (JSON) in bytes
    max_awareness_ids_per_peer: int = 8  # a y-websocket tab announces exactly one
    max_awareness_entries: int = 10_000  # per room

    # One connection: a bounded send queue, and a token bucket on what it sends us.
    send_queue_messages: int = 2048
    send_queue_bytes: int = 16 * MiB
    rate_messages_per_second: float = 200.0  # fast typing is ~30/s (update + cursor)
    rate_burst_messages: int = 1000
    rate_bytes_per_second: float = 2 * MiB
    rate_burst_bytes: int = 8 * MiB
    close_grace_seconds: float = 5.0  # a stuck writer is abandoned after this

    # Rooms.
    resync_seconds: float = 30.0  # state-vector resync with each client and each instance
    presence_timeout_seconds: float = 30.0  # Yjs' outdatedTimeout: clients renew every 15 s
    idle_unload_seconds: float = 30.0  # an empty room stays loaded this long
    maintenance_seconds: float = 1.0  # how often the registry looks at its rooms

    # Persistence.
    # Appends wait this long for company before their transaction (a group commit): one
    # INSERT per tick instead of one per update. The fan-out never waits for it.
    append_batch_seconds: float = 0.1
    checkpoint_rows: int = 500  # log rows that trigger a checkpoint
    checkpoint_idle_seconds: float = 10.0  # or this long without an append
    shutdown_flush_seconds: float = 10.0

    # Access.
    recheck_seconds: float | None = 1.0  # None: only explicit revoke() closes connections
    origins: tuple[str, ...] = ()  # allowed Origin headers; empty: any (the Authorizer decides)
    max_document_id_length: int = 200

"""y-protocols framing: message types, encoders, and parsing of client messages through the guard.

A y-websocket message is `varuint type` then, for sync, `varuint substep` and a
length-prefixed payload (state vector or v1 update); for awareness, a length-prefixed
awareness update. Encoders use pycrdt's helpers; decoding is ours because every client byte
passes the guard before pycrdt sees it (pycrdt's `handle_sync_message` would apply directly).
"""

from dataclasses import dataclass
from enum import IntEnum

from pycrdt import (
    YMessageType,
    YSyncMessageType,
    create_awareness_message,
    create_update_message,
    write_var_uint,
)

from collab.guard import ProtocolError, Reader, check_state_vector, check_update

MESSAGE_SYNC = int(YMessageType.SYNC)  # 0
MESSAGE_AWARENESS = int(YMessageType.AWARENESS)  # 1
MESSAGE_AUTH = 2
MESSAGE_QUERY_AWARENESS = 3
SYNC_STEP1 = int(YSyncMessageType.SYNC_STEP1)  # 0
SYNC_STEP2 = int(YSyncMessageType.SYNC_STEP2)  # 1
SYNC_UPDATE = int(YSyncMessageType.SYNC_UPDATE)  # 2

EMPTY_UPDATE = b"\x00\x00"  # no structs, no deletions


class Kind(IntEnum):
    """What a client message is, once parsed."""

    SYNC_STEP1 = 0
    SYNC_STEP2 = 1
    SYNC_UPDATE = 2
    AWARENESS = 3
    QUERY_AWARENESS = 4
    AUTH = 5


class MessageTooBig(ProtocolError):
    """A message over the size cap (closed with 1009)."""


@dataclass(frozen=True, slots=True)
class Message:
    """A parsed client message: its kind and its payload (state vector, update, awareness)."""

    kind: Kind
    payload: bytes = b""


def parse_message(data: bytes, *, max_bytes: int, max_depth: int) -> Message:
    """Parse and guard one client message; raise ProtocolError when it must be refused."""
    if len(data) > max_bytes:
        raise MessageTooBig(f"{len(data)} bytes")
    reader = Reader(data)
    message_type = reader.varuint()
    if message_type == MESSAGE_SYNC:
        step = reader.varuint()
        payload = reader.varbytes()
        reader.expect_end()
        if step == SYNC_STEP1:
            check_state_vector(payload)
            return Message(Kind.SYNC_STEP1, payload)
        if step in (SYNC_STEP2, SYNC_UPDATE):
            check_update(payload, max_depth=max_depth)
            return Message(Kind.SYNC_STEP2 if step == SYNC_STEP2 else Kind.SYNC_UPDATE, payload)
        raise ProtocolError(f"unknown sync step {step}")
    if message_type == MESSAGE_AWARENESS:
        payload = reader.varbytes()
        reader.expect_end()
        return Message(Kind.AWARENESS, payload)  # read_awareness() checks it further
    if message_type == MESSAGE_QUERY_AWARENESS:
        return Message(Kind.QUERY_AWARENESS)
    if message_type == MESSAGE_AUTH:
        return Message(Kind.AUTH)  # y-websocket clients never send one; ignored
    raise ProtocolError(f"unknown message type {message_type}")


def varbytes(data: bytes) -> bytes:
    """A length-prefixed byte string (lib0 writeVarUint8Array)."""
    return write_var_uint(len(data)) + data


def sync_step1(state_vector: bytes) -> bytes:
    """Sync step 1: our state vector; the other side answers with what we lack."""
    return bytes((MESSAGE_SYNC, SYNC_STEP1)) + varbytes(state_vector)


def sync_step2(update: bytes) -> bytes:
    """Sync step 2: the update the other side lacks, in answer to its step 1."""
    return bytes((MESSAGE_SYNC, SYNC_STEP2)) + varbytes(update)


def update_message(update: bytes) -> bytes:
    """A document update, as broadcast to every peer of a room."""
    return create_update_message(update)


def awareness_message(payload: bytes) -> bytes:
    """An awareness update (presence, cursors)."""
    return create_awareness_message(payload)


def encode_awareness(entries: list[tuple[int, int, str | None]]) -> bytes:
    """An awareness update payload: (client id, clock, JSON state or None for gone) entries."""
    parts = [write_var_uint(len(entries))]
    for client, clock, state in entries:
        raw = b"null" if state is None else state.encode()
        parts += (write_var_uint(client), write_var_uint(clock), varbytes(raw))
    return b"".join(parts)

"""Presence: a room's awareness states by client id, with Yjs' clock rules and their owners.

States stay as the JSON text the client sent (checked, never re-encoded). Each state is owned
by the connection that last announced it, so that closing a connection removes exactly its
own client ids, even when a reconnecting tab announced the same id on a new connection.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from collab.guard import AwarenessEntry


class Owner(Protocol):
    """Whoever announces awareness states: a peer, or the relay for other instances."""

    awareness_ids: set[int]


@dataclass(slots=True)
class _Entry:
    clock: int
    state: str | None
    owner: Owner | None
    updated: float


class Presence:
    """Awareness states of one room."""

    def __init__(self, *, max_entries: int, now: Callable[[], float] = time.monotonic) -> None:
        self._entries: dict[int, _Entry] = {}
        self._max_entries = max_entries
        self._now = now

    def __len__(self) -> int:
        return sum(1 for entry in self._entries.values() if entry.state is not None)

    def apply(
        self, entries: list[AwarenessEntry], owner: Owner, *, max_owned: int | None = None
    ) -> list[AwarenessEntry]:
        """Apply what owner announced; return the entries accepted (to pass on)."""
        now = self._now()
        accepted: list[AwarenessEntry] = []
        for client, clock, state in entries:
            entry = self._entries.get(client)
            if entry is None:
                if state is None or len(self._entries) >= self._max_entries:
                    continue
                if max_owned is not None and len(owner.awareness_ids) >= max_owned:
                    continue
                self._entries[client] = _Entry(clock, state, owner, now)
                owner.awareness_ids.add(client)
                accepted.append((client, clock, state))
                continue
            newer = entry.clock < clock
            if not (newer or (entry.clock == clock and state is None and entry.state is not None)):
                continue
            if state is not None and entry.owner is not owner:
                if max_owned is not None and len(owner.awareness_ids) >= max_owned:
                    continue
                self._release(client, entry)
                entry.owner = owner
                owner.awareness_ids.add(client)
            elif state is None:
                self._release(client, entry)
            entry.clock, entry.state, entry.updated = clock, state, now
            accepted.append((client, clock, state))
        return accepted

    def _release(self, client: int, entry: _Entry) -> None:
        if entry.owner is not None:
            entry.owner.awareness_ids.discard(client)
            entry.owner = None

    def remove_owner(self, owner: Owner) -> list[AwarenessEntry]:
        """Remove every state owner announced (its connection closed); return the removals."""
        removed: list[AwarenessEntry] = []
        now = self._now()
        for client in sorted(owner.awareness_ids):
            entry = self._entries.get(client)
            if entry is not None and entry.owner is owner:
                entry.state, entry.owner, entry.updated = None, None, now
                # Same clock and a null state: Yjs clients remove it (y-protocols' own rule).
                removed.append((client, entry.clock, None))
        owner.awareness_ids.clear()
        return removed

    def expire(self, timeout: float) -> list[AwarenessEntry]:
        """Remove states not renewed within timeout (clients renew every 15 s); forget old
        removals. Return the removals to announce."""
        now = self._now()
        removed: list[AwarenessEntry] = []
        for client, entry in list(self._entries.items()):
            if now - entry.updated < timeout:
                continue
            if entry.state is None:
                del self._entries[client]
            else:
                self._release(client, entry)
                entry.state, entry.updated = None, now
                removed.append((client, entry.clock, None))
        return removed

    def snapshot(self) -> list[AwarenessEntry]:
        """Every current state, for a client that joins or asks."""
        return [
            (client, entry.clock, entry.state)
            for client, entry in self._entries.items()
            if entry.state is not None
        ]

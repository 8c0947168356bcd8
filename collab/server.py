"""CollabServer: the collaboration service assembled (store, rooms, relay, access) and run."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from collab import closecodes
from collab.access import Authorizer, Grant
from collab.config import CollabSettings
from collab.peer import Peer
from collab.persistence import Persistence
from collab.pubsub import PubSub
from collab.registry import Registry
from collab.relay import Relay
from collab.store import UpdateStore

log = logging.getLogger(__name__)

RECHECK_CONCURRENCY = 16


class CollabServer:
    """Holds everything a collab endpoint needs; start() / close() (or running()) in a lifespan."""

    def __init__(
        self,
        *,
        store: UpdateStore,
        authorizer: Authorizer,
        pubsub: PubSub | None = None,
        settings: CollabSettings | None = None,
        channel_prefix: str = "collab:",
    ) -> None:
        self.settings = settings or CollabSettings()
        self.authorizer = authorizer
        self.pubsub = pubsub
        self.persistence = Persistence(store, self.settings)
        self.relay = (
            Relay(pubsub, self.settings, prefix=channel_prefix) if pubsub is not None else None
        )
        self.registry = Registry(self.persistence, self.settings, relay=self.relay)
        self._by_user: dict[str, dict[Peer, None]] = {}
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Start the writer, relay, upkeep and access-recheck tasks."""
        loop = asyncio.get_running_loop()
        self.persistence.start()
        if self.relay is not None:
            self.relay.start()
        self._tasks.append(loop.create_task(self.registry.run()))
        if self.settings.recheck_seconds is not None:
            self._tasks.append(loop.create_task(self._recheck_loop(self.settings.recheck_seconds)))

    async def close(self) -> None:
        """Shutdown: close every connection (1001), write everything pending, disconnect."""
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks)
        self._tasks.clear()
        for peer in self.peers():
            peer.close(closecodes.GOING_AWAY)
        await self.registry.close_all()
        if self.relay is not None:
            await self.relay.close()
        if self.pubsub is not None:
            await self.pubsub.close()

    @asynccontextmanager
    async def running(self) -> AsyncIterator["CollabServer"]:
        """`async with server.running():` in the application's lifespan."""
        await self.start()
        try:
            yield self
        finally:
            await self.close()

    # --- connections ----------------------------------------------------------------------

    def connected(self, peer: Peer) -> None:
        """Index a new connection by its user (the endpoint calls this)."""
        self._by_user.setdefault(peer.grant.user_id, {})[peer] = None

    def disconnected(self, peer: Peer) -> None:
        """Forget a connection."""
        peers = self._by_user.get(peer.grant.user_id)
        if peers is not None:
            peers.pop(peer, None)
            if not peers:
                del self._by_user[peer.grant.user_id]

    def peers(self, *, user_id: str | None = None, document_id: str | None = None) -> list[Peer]:
        """Open connections (closing ones left out), of one user and/or to one document."""
        if user_id is not None:
            found = list(self._by_user.get(user_id, ()))
        else:
            found = [peer for peers in self._by_user.values() for peer in peers]
        return [
            p
            for p in found
            if not p.closed and (document_id is None or p.document_id == document_id)
        ]

    # --- access changes -------------------------------------------------------------------

    def revoke(
        self, *, user_id: str, document_id: str | None = None, reason: str = "access revoked"
    ) -> int:
        """Close the user's connections (to one document, or all) with 4403 now; call it on
        the event loop, after the commit that took the access away. Returns how many."""
        peers = self.peers(user_id=user_id, document_id=document_id)
        for peer in peers:
            peer.close(closecodes.FORBIDDEN, reason)
        return len(peers)

    def regrant(self, grant: Grant, *, document_id: str | None = None) -> int:
        """Give the user's open connections a new grant (e.g. now read-only)."""
        peers = self.peers(user_id=grant.user_id, document_id=document_id)
        for peer in peers:
            peer.grant = grant
        return len(peers)

    async def recheck(self) -> int:
        """Ask the Authorizer about every open (user, document) pair once; close those no
        longer allowed (4403), update changed grants. Returns how many connections closed."""
        pairs: dict[tuple[str, str], list[Peer]] = {}
        for peer in self.peers():
            pairs.setdefault((peer.grant.user_id, peer.document_id), []).append(peer)
        limit = asyncio.Semaphore(RECHECK_CONCURRENCY)

        async def check(peers: list[Peer]) -> int:
            first = peers[0]
            async with limit:
                try:
                    grant = await self.authorizer.still_allowed(first.grant, first.document_id)
                except Exception:
                    log.exception("access recheck failed for %r (kept open)", first)
                    return 0
            for peer in peers:
                if grant is None:
                    peer.close(closecodes.FORBIDDEN)
                else:
                    peer.grant = grant
            return len(peers) if grant is None else 0

        results = await asyncio.gather(*(check(peers) for peers in pairs.values()))
        return sum(results)

    async def _recheck_loop(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.recheck()
            except Exception:
                log.exception("access recheck failed")

"""The forum's side of a live document: read its current state, and make server-side edits
(restoring a version) through its room, as a new edit on top of what members wrote.

A restore never re-seeds the document: it removes the current blocks and inserts copies of
the version's, in one transaction on the room's Doc, so every client merges it as an edit.
"""

from typing import Any, cast

import anyio.to_thread
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from collab import CollabServer, Grant
from collab.peer import Peer
from collab.protocol import update_message
from collab.store import merge_state
from forum.documents.content import FRAGMENT, Node, Run, read_blocks

SERVER_GRANT = Grant(user_id="forum", name="forum")


def collab_id(document_id: int) -> str:
    """The id of a document's room in collab (the URL's `{document_id}`)."""
    return str(document_id)


async def current_state(server: CollabServer, document_id: int) -> bytes:
    """The document's whole state as a v1 update: from its room when it is open here, else
    from the store (checkpoint and log)."""
    room = server.registry.rooms.get(collab_id(document_id))
    if room is not None:
        return room.doc.get_update()
    stored = await server.persistence.store.load(collab_id(document_id))
    updates = stored.all_updates()
    if not updates:
        return b""
    if len(updates) == 1:
        return updates[0]
    return await anyio.to_thread.run_sync(merge_state, updates)


def _marks(run: Run) -> dict[str, Any]:
    # y-prosemirror stores each mark as an attribute holding the mark's own attributes.
    marks: dict[str, Any] = {
        name: {}
        for name, flag in (
            ("bold", run.bold),
            ("italic", run.italic),
            ("strike", run.strike),
            ("code", run.code),
            ("underline", run.underline),
        )
        if flag
    }
    if run.link:
        marks["link"] = {"href": run.link}
    return marks


def _fill(element: XmlElement | XmlFragment, children: "list[Node | Run]") -> None:
    """Append copies of children to an integrated element (text in whole runs, at its end)."""
    text: XmlText | None = None
    length = 0  # pycrdt counts UTF-8 bytes; we only ever append at the very end
    for child in children:
        if isinstance(child, Run):
            if text is None:
                text = element.children.append(XmlText())
                length = 0
            text.insert(length, child.text, _marks(child) or None)
            length += len(child.text.encode())
        else:
            text = None
            # Attributes are copied as read: numbers (a heading's level), lists (a column's
            # widths), null; pycrdt's hints say str, its encoder takes any JSON value.
            new = element.children.append(XmlElement(child.kind, cast(Any, dict(child.attrs))))
            _fill(new, child.children)


def replacement_update(current: bytes, blocks: list[Node]) -> bytes:
    """The update that turns the document `current` into one showing `blocks`: the present
    blocks deleted, copies of `blocks` inserted (an edit, not a re-seed)."""
    doc: Doc[Any] = Doc()
    if current:
        doc.apply_update(current)
    before = doc.get_state()
    fragment = doc.get(FRAGMENT, type=XmlFragment)
    with doc.transaction():
        count = len(fragment.children)
        for index in range(count - 1, -1, -1):
            del fragment.children[index]
        _fill(fragment, list(blocks))
    return doc.get_update(before)


class _NoTransport:
    """The server's own edits travel through the room only: nothing to send back."""

    async def send(self, message: bytes) -> None:
        return None

    async def close(self, code: int, reason: str) -> None:
        return None


async def restore(server: CollabServer, document_id: int, version_state: bytes) -> None:
    """Make the document show a version's content again, as a new edit through its room
    (connected members see it at once; it is stored and relayed like theirs)."""
    room = await server.registry.acquire(collab_id(document_id))
    try:
        blocks = read_blocks(version_state)
        update = replacement_update(room.doc.get_update(), blocks)
        peer = Peer(_NoTransport(), SERVER_GRANT, room.document_id, server.settings)
        room.receive(peer, update_message(update))
    finally:
        server.registry.release(room)

"""The content of a document's CRDT as plain data: blocks and text runs, ready to render.

The editor (TipTap through y-prosemirror) keeps a ProseMirror document in the Y.XmlFragment
named "default": elements named after node types (paragraph, heading, bulletList, ...) with
their attributes, and XmlText whose formatting attributes are the marks (bold, italic,
link). Reading never edits the Doc and never trusts it: a state that can't be read gives an
empty document rather than an error page.
"""

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc, XmlElement, XmlFragment, XmlText

log = logging.getLogger(__name__)

FRAGMENT = "default"  # the name TipTap's Collaboration extension uses
MAX_DEPTH = 40  # nested lists and tables deeper than this are flattened away


@dataclass(frozen=True)
class Run:
    """A piece of text with its marks."""

    text: str
    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    underline: bool = False
    link: str | None = None


@dataclass
class Node:
    """A block or inline element (paragraph, heading, listItem, image, hardBreak...)."""

    kind: str
    attrs: dict[str, Any] = field(default_factory=dict)
    children: "list[Node | Run]" = field(default_factory=list)


def _marks(attributes: dict[str, Any] | None) -> dict[str, Any]:
    marks: dict[str, Any] = {}
    for name, value in (attributes or {}).items():
        if name in ("bold", "italic", "strike", "code", "underline"):
            marks[name] = value is not None and value is not False
        elif name == "link" and isinstance(value, dict):
            href = value.get("href")
            if isinstance(href, str):
                marks["link"] = href
    return marks


def _text_runs(text: XmlText) -> list[Run]:
    runs: list[Run] = []
    for chunk, attributes in text.diff():
        if isinstance(chunk, str) and chunk:
            runs.append(Run(chunk, **_marks(attributes)))
    return runs


def _node(element: XmlElement, depth: int) -> Node:
    pairs: Any = element.attributes  # (name, value) pairs; pycrdt types them loosely
    attrs = {str(key): value for key, value in pairs}
    node = Node(str(element.tag), attrs)
    if depth < MAX_DEPTH:
        node.children = _children(element.children, depth + 1)
    return node


def _children(children: Any, depth: int) -> "list[Node | Run]":
    found: list[Node | Run] = []
    for child in children:
        if isinstance(child, XmlText):
            found.extend(_text_runs(child))
        elif isinstance(child, XmlElement):
            found.append(_node(child, depth))
    return found


def read_blocks(state: bytes | None) -> list[Node]:
    """The blocks of a document state (a Yjs v1 update); empty when there is none or it is
    unreadable (logged)."""
    if not state:
        return []
    try:
        doc: Doc[Any] = Doc()
        doc.apply_update(state)
        fragment = doc.get(FRAGMENT, type=XmlFragment)
        blocks = _children(fragment.children, 0)
    except (KeyboardInterrupt, SystemExit, asyncio.CancelledError):
        raise
    except BaseException:  # pycrdt panics are BaseException; another root type under "default"
        log.exception("a document state could not be read")
        return []
    return [b if isinstance(b, Node) else Node("paragraph", children=[b]) for b in blocks]


def plain_text(blocks: list[Node]) -> str:
    """The text of the blocks, one line per paragraph, heading, list item or table cell."""
    lines: list[str] = []

    def walk(node: Node) -> None:
        inline = [c for c in node.children if isinstance(c, Run) or c.kind == "hardBreak"]
        if inline and len(inline) == len(node.children):
            lines.append(
                "".join(c.text if isinstance(c, Run) else "\n" for c in node.children).strip()
            )
            return
        if node.kind == "image":
            alt = node.attrs.get("alt")
            if isinstance(alt, str) and alt:
                lines.append(alt)
        for child in node.children:
            if isinstance(child, Node):
                walk(child)
            elif child.text.strip():
                lines.append(child.text.strip())

    for block in blocks:
        walk(block)
    return "\n".join(line for line in lines if line)

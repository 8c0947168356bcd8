"""A document's content read once and turned into what pages, the API and exports need."""

import re
import unicodedata
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

import anyio.to_thread
from starlette.datastructures import State
from starlette.responses import Response

from collab import CollabServer
from forum.documents.content import Node, plain_text, read_blocks
from forum.documents.live import current_state
from forum.documents.office import DOCX_MIME, ODT_MIME, to_docx, to_odt
from forum.documents.render import blocks_html, blocks_markdown


@dataclass(frozen=True)
class DocumentContent:
    """The blocks of a document (or of one of its versions)."""

    blocks: list[Node]

    def html(self, *, lowest_heading: int = 1) -> str:
        """Sanitised HTML of the content."""
        return blocks_html(self.blocks, lowest_heading=lowest_heading)

    @property
    def text(self) -> str:
        """Plain text, one line per paragraph."""
        return plain_text(self.blocks)

    def markdown(self, title: str) -> str:
        """Markdown, the title first."""
        return blocks_markdown(self.blocks, title)


async def document_export(
    state: State, document_id: int, *, state_bytes: bytes | None = None
) -> DocumentContent:
    """The current content of a document (or the given state's), parsed off the event loop."""
    if state_bytes is None:
        server: CollabServer = state.collab
        state_bytes = await current_state(server, document_id)
    blocks = await anyio.to_thread.run_sync(read_blocks, state_bytes)
    return DocumentContent(blocks)


def html_page(title: str, content: DocumentContent) -> str:
    """A standalone HTML file of the document."""
    return (
        '<!doctype html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n</head>\n<body>\n<h1>{escape(title)}</h1>\n"
        f"{content.html(lowest_heading=2)}\n</body>\n</html>\n"
    )


def file_name(title: str, extension: str) -> str:
    """A file name from a title: accents kept, characters that file systems dislike removed."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', " ", unicodedata.normalize("NFC", title))
    name = " ".join(name.split())[:120].strip(" .") or "document"
    return f"{name}.{extension}"


def _ascii(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9._ -]+", "_", folded) or "document"


def export_response(title: str, content: DocumentContent, fmt: str) -> Response:
    """The content as a download in one of the formats: html, md, odt, docx."""
    if fmt == "html":
        body: bytes = html_page(title, content).encode()
        media = "text/html; charset=utf-8"
    elif fmt == "md":
        body = content.markdown(title).encode()
        media = "text/markdown; charset=utf-8"
    elif fmt == "odt":
        body, media = to_odt(title, content.blocks), ODT_MIME
    elif fmt == "docx":
        body, media = to_docx(title, content.blocks), DOCX_MIME
    else:
        raise ValueError(fmt)
    name = file_name(title, fmt)
    disposition = f"attachment; filename=\"{_ascii(name)}\"; filename*=UTF-8''{quote(name)}"
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})

"""Exporting a document as OpenDocument text (.odt) and Word (.docx), written with zipfile.

Both formats get the same small subset: headings, paragraphs, lists (as indented paragraphs
with their bullet or number), tables, bold/italic/underline/strike, links; images become
their description and address (the file itself stays in the forum).
"""

# ruff: noqa: E501  (fixed XML parts of the two formats read best one element a line)

import io
import zipfile
from collections.abc import Iterator
from xml.sax.saxutils import escape, quoteattr

from forum.documents.content import Node, Run
from forum.documents.render import safe_url

ODT_MIME = "application/vnd.oasis.opendocument.text"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _x(text: str) -> str:
    # XML 1.0 forbids most control characters; the CRDT may hold them.
    clean = "".join(c for c in text if c in "\t\n" or ord(c) >= 32)
    return escape(clean)


# --- a flat view shared by both writers --------------------------------------------------------


def _paragraphs(
    blocks: list[Node], depth: int = 0
) -> Iterator[tuple[str, int, str, list[Run | Node]]]:
    """(kind, level or depth, prefix, inline content) for each paragraph-like block; tables
    come as ("table", 0, "", [the table node])."""
    for block in blocks:
        kind = block.kind
        if kind == "heading":
            raw = block.attrs.get("level", 1)
            level = min(6, max(1, int(raw))) if isinstance(raw, int | float) else 1
            yield "heading", level, "", list(block.children)
        elif kind in ("bulletList", "orderedList"):
            start = block.attrs.get("start", 1)
            number = int(start) if isinstance(start, int | float) else 1
            for item in block.children:
                if not isinstance(item, Node):
                    continue
                prefix = f"{number}. " if kind == "orderedList" else "• "
                number += 1
                for inner in _paragraphs([c for c in item.children if isinstance(c, Node)], 1):
                    ikind, level, iprefix, content = inner
                    if ikind == "paragraph" and prefix:
                        yield "list", depth + level, prefix, content
                        prefix = ""
                    elif ikind == "list":
                        yield "list", depth + level, iprefix, content
                    else:
                        yield inner
        elif kind == "table":
            yield "table", 0, "", [block]
        elif kind == "image":
            src = safe_url(block.attrs.get("src")) or ""
            alt = block.attrs.get("alt")
            text = (alt if isinstance(alt, str) and alt else "image") + (f" ({src})" if src else "")
            yield "paragraph", 0, "", [Run(text, italic=True)]
        elif kind == "blockquote":
            yield from _paragraphs([c for c in block.children if isinstance(c, Node)], depth)
        elif kind == "horizontalRule":
            yield "paragraph", 0, "", [Run("———")]
        else:
            yield "paragraph", 0, "", list(block.children)


def _cells(table: Node) -> list[list[Node]]:
    return [
        [cell for cell in row.children if isinstance(cell, Node)]
        for row in table.children
        if isinstance(row, Node)
    ]


# --- ODT ---------------------------------------------------------------------------------------

_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3"'
)
_ODT_STYLES = (
    '<office:automatic-styles>'
    '<style:style style:name="B" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>'
    '<style:style style:name="I" style:family="text"><style:text-properties fo:font-style="italic"/></style:style>'
    '<style:style style:name="BI" style:family="text"><style:text-properties fo:font-weight="bold" fo:font-style="italic"/></style:style>'
    + "".join(
        f'<style:style style:name="L{n}" style:family="paragraph">'
        f'<style:paragraph-properties fo:margin-left="{n * 0.6:.1f}cm"/></style:style>'
        for n in range(1, 7)
    )
    + "</office:automatic-styles>"
)  # fmt: skip
_ODT_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODT_MIME}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)  # fmt: skip


def _odt_inline(content: list[Run | Node]) -> str:
    out: list[str] = []
    for item in content:
        if isinstance(item, Node):
            out.append(
                "<text:line-break/>" if item.kind == "hardBreak" else _odt_inline(item.children)
            )
            continue
        text = _x(item.text)
        style = (
            "BI" if item.bold and item.italic else "B" if item.bold else "I" if item.italic else ""
        )
        if style:
            text = f'<text:span text:style-name="{style}">{text}</text:span>'
        href = safe_url(item.link, allow_relative=False) if item.link else None
        if href:
            text = f'<text:a xlink:type="simple" xlink:href={quoteattr(href)}>{text}</text:a>'
        out.append(text)
    return "".join(out)


def _odt_body(blocks: list[Node]) -> str:
    out: list[str] = []
    for kind, level, prefix, content in _paragraphs(blocks):
        if kind == "heading":
            out.append(f'<text:h text:outline-level="{level}">{_odt_inline(content)}</text:h>')
        elif kind == "table":
            rows = _cells(content[0])  # type: ignore[arg-type]
            width = max((len(r) for r in rows), default=0)
            if not width:
                continue
            out.append(
                f'<table:table><table:table-column table:number-columns-repeated="{width}"/>'
            )
            for row in rows:
                out.append("<table:table-row>")
                for cell in row + [Node("tableCell")] * (width - len(row)):
                    out.append('<table:table-cell office:value-type="string">')
                    out.append(
                        _odt_body([c for c in cell.children if isinstance(c, Node)]) or "<text:p/>"
                    )
                    out.append("</table:table-cell>")
                out.append("</table:table-row>")
            out.append("</table:table>")
        else:
            style = f' text:style-name="L{min(level, 6)}"' if kind == "list" and level else ""
            out.append(f"<text:p{style}>{_x(prefix)}{_odt_inline(content)}</text:p>")
    return "".join(out)


def to_odt(title: str, blocks: list[Node]) -> bytes:
    """The document as an .odt file (its title as the first heading and in its metadata)."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODT_NS}>'
        f"{_ODT_STYLES}<office:body><office:text>"
        f'<text:h text:outline-level="1">{_x(title)}</text:h>{_odt_body(blocks)}'
        "</office:text></office:body></office:document-content>"
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_ODT_NS}>'
        f"<office:meta><dc:title>{_x(title)}</dc:title></office:meta></office:document-meta>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # The mimetype comes first and uncompressed: that is how readers recognise the format.
        archive.writestr("mimetype", ODT_MIME, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", _ODT_MANIFEST, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("meta.xml", meta, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# --- DOCX --------------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL_HYPERLINK = _R + "/hyperlink"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)  # fmt: skip
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    "</Relationships>"
)  # fmt: skip
_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="{_W}">'
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
    '<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:rPr><w:b/><w:sz w:val="40"/></w:rPr></w:style>'
    + "".join(
        f'<w:style w:type="paragraph" w:styleId="Heading{n}"><w:name w:val="heading {n}"/>'
        f'<w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="{n - 1}"/></w:pPr>'
        f'<w:rPr><w:b/><w:sz w:val="{36 - 3 * n}"/></w:rPr></w:style>'
        for n in range(1, 7)
    )
    + '<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/><w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr></w:style>'
    "</w:styles>"
)  # fmt: skip


class _Links:
    """The hyperlink relationships of word/document.xml."""

    def __init__(self) -> None:
        self.targets: list[str] = []

    def add(self, href: str) -> str:
        self.targets.append(href)
        return f"rLink{len(self.targets)}"

    def xml(self) -> str:
        rels = "".join(
            f'<Relationship Id="rLink{n}" Type="{_REL_HYPERLINK}" Target={quoteattr(href)} '
            'TargetMode="External"/>'
            for n, href in enumerate(self.targets, 1)
        )
        rels += (
            '<Relationship Id="rStyles" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/styles" Target="styles.xml"/>'
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships '
            f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
            "</Relationships>"
        )


def _docx_runs(content: list[Run | Node], links: _Links) -> str:
    out: list[str] = []
    for item in content:
        if isinstance(item, Node):
            out.append(
                "<w:r><w:br/></w:r>"
                if item.kind == "hardBreak"
                else _docx_runs(item.children, links)
            )
            continue
        props = "".join(
            tag
            for flag, tag in (
                (item.bold, "<w:b/>"),
                (item.italic, "<w:i/>"),
                (item.strike, "<w:strike/>"),
                (item.underline, '<w:u w:val="single"/>'),
            )
            if flag
        )
        href = safe_url(item.link, allow_relative=False) if item.link else None
        if href:
            props = '<w:rStyle w:val="Hyperlink"/>' + props
        run = f'<w:r>{f"<w:rPr>{props}</w:rPr>" if props else ""}<w:t xml:space="preserve">{_x(item.text)}</w:t></w:r>'
        out.append(f'<w:hyperlink r:id="{links.add(href)}">{run}</w:hyperlink>' if href else run)
    return "".join(out)


def _docx_body(blocks: list[Node], links: _Links) -> str:
    out: list[str] = []
    for kind, level, prefix, content in _paragraphs(blocks):
        if kind == "table":
            rows = _cells(content[0])  # type: ignore[arg-type]
            if not any(rows):
                continue
            out.append('<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr>')
            for row in rows:
                out.append("<w:tr>")
                for cell in row:
                    inner = _docx_body([c for c in cell.children if isinstance(c, Node)], links)
                    out.append(f"<w:tc>{inner or '<w:p/>'}</w:tc>")
                out.append("</w:tr>")
            out.append("</w:tbl>")
            continue
        if kind == "heading":
            props = f'<w:pPr><w:pStyle w:val="Heading{level}"/></w:pPr>'
        elif kind == "list":
            props = f'<w:pPr><w:ind w:left="{360 * level}"/></w:pPr>'
        else:
            props = ""
        lead = f'<w:r><w:t xml:space="preserve">{_x(prefix)}</w:t></w:r>' if prefix else ""
        out.append(f"<w:p>{props}{lead}{_docx_runs(content, links)}</w:p>")
    return "".join(out)


def to_docx(title: str, blocks: list[Node]) -> bytes:
    """The document as a .docx file (its title as the first paragraph and in its metadata)."""
    links = _Links()
    body = _docx_body(blocks, links)
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{_W}" xmlns:r="{_R}"><w:body>'
        f'<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t xml:space="preserve">{_x(title)}</w:t></w:r></w:p>'
        f"{body}<w:sectPr/></w:body></w:document>"
    )  # fmt: skip
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{_x(title)}</dc:title></cp:coreProperties>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("docProps/core.xml", core)
        archive.writestr("word/document.xml", document)
        archive.writestr("word/styles.xml", _STYLES)
        archive.writestr("word/_rels/document.xml.rels", links.xml())
    return buffer.getvalue()

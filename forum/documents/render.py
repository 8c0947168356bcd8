"""Rendering a document's blocks as sanitised HTML (pages, export) and as Markdown."""

from html import escape
from typing import Any

import nh3

from forum.documents.content import Node, Run

SAFE_SCHEMES = ("http://", "https://", "mailto:")
ALLOWED_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "tbody", "tr", "td",
    "th", "strong", "em", "s", "u", "code", "pre", "blockquote", "hr", "br", "a", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
SIMPLE_BLOCKS = {
    "paragraph": "p",
    "bulletList": "ul",
    "orderedList": "ol",
    "listItem": "li",
    "tableRow": "tr",
    "blockquote": "blockquote",
}


def safe_url(value: Any, *, allow_relative: bool = True) -> str | None:
    """A link or image address we may show: http(s), mailto, or a local path."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if url.lower().startswith(SAFE_SCHEMES):
        return url
    if allow_relative and url.startswith("/") and not url.startswith("//"):
        return url
    return None


def _level(node: Node, lowest: int = 1) -> int:
    raw = node.attrs.get("level", 1)
    level = int(raw) if isinstance(raw, int | float) else 1
    return min(6, max(lowest, level))


def _span(node: Node, name: str) -> str:
    raw = node.attrs.get(name)
    if isinstance(raw, int | float) and 1 < int(raw) <= 100:
        return f' {name}="{int(raw)}"'
    return ""


def _run_html(run: Run) -> str:
    html = escape(run.text).replace("\n", "<br>")
    for flag, tag in (
        (run.code, "code"),
        (run.strike, "s"),
        (run.underline, "u"),
        (run.italic, "em"),
        (run.bold, "strong"),
    ):
        if flag:
            html = f"<{tag}>{html}</{tag}>"
    href = safe_url(run.link) if run.link else None
    if href:
        html = f'<a href="{escape(href)}">{html}</a>'
    return html


def _children_html(node: Node, lowest: int) -> str:
    return "".join(
        _run_html(child) if isinstance(child, Run) else _node_html(child, lowest)
        for child in node.children
    )


def _node_html(node: Node, lowest: int) -> str:
    kind = node.kind
    inner = _children_html(node, lowest)
    if kind == "heading":
        level = _level(node, lowest)
        return f"<h{level}>{inner}</h{level}>"
    if kind == "orderedList":
        start = node.attrs.get("start")
        extra = f' start="{int(start)}"' if isinstance(start, int | float) and start != 1 else ""
        return f"<ol{extra}>{inner}</ol>"
    if kind in SIMPLE_BLOCKS:
        tag = SIMPLE_BLOCKS[kind]
        return f"<{tag}>{inner}</{tag}>"
    if kind == "table":
        return f"<table><tbody>{inner}</tbody></table>"
    if kind in ("tableCell", "tableHeader"):
        tag = "th" if kind == "tableHeader" else "td"
        return f"<{tag}{_span(node, 'colspan')}{_span(node, 'rowspan')}>{inner}</{tag}>"
    if kind == "codeBlock":
        text = "".join(c.text for c in node.children if isinstance(c, Run))
        return f"<pre><code>{escape(text)}</code></pre>"
    if kind == "horizontalRule":
        return "<hr>"
    if kind == "hardBreak":
        return "<br>"
    if kind == "image":
        src = safe_url(node.attrs.get("src"))
        if src is None:
            return ""
        alt = node.attrs.get("alt")
        alt_text = alt if isinstance(alt, str) else ""
        return f'<p><img src="{escape(src)}" alt="{escape(alt_text)}"></p>'
    return inner  # an unknown node: its content, without its wrapper


def blocks_html(blocks: list[Node], *, lowest_heading: int = 1) -> str:
    """Sanitised HTML of the blocks. The editor writes headings of levels 2 to 4 (the page's
    title is the h1); lowest_heading=2 keeps a level-1 heading written by a script below it."""
    raw = "".join(_node_html(block, lowest_heading) for block in blocks)
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )


# --- Markdown ----------------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})


def _run_md(run: Run) -> str:
    if run.code:
        text = f"`{run.text}`"
    else:
        text = run.text.translate(_MD_SPECIAL)
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()) :]
        core = text.strip()
        if core:
            if run.italic:
                core = f"_{core}_"
            if run.bold:
                core = f"**{core}**"
            if run.strike:
                core = f"~~{core}~~"
        text = lead + core + trail
    href = safe_url(run.link) if run.link else None
    return f"[{text}]({href})" if href else text


def _inline_md(node: Node) -> str:
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, Run):
            parts.append(_run_md(child))
        elif child.kind == "hardBreak":
            parts.append("  \n")
        else:
            parts.append(_inline_md(child))
    return "".join(parts)


def _list_md(node: Node, indent: str) -> list[str]:
    lines: list[str] = []
    ordered = node.kind == "orderedList"
    start = node.attrs.get("start", 1)
    number = int(start) if isinstance(start, int | float) else 1
    for item in node.children:
        if not isinstance(item, Node):
            continue
        marker = f"{number}. " if ordered else "- "
        number += 1
        first = True
        for block in item.children:
            if not isinstance(block, Node):
                continue
            if block.kind in ("bulletList", "orderedList"):
                lines.extend(_list_md(block, indent + "   "))
                continue
            for line in _block_md(block, indent + " " * len(marker)):
                if first:
                    lines.append(indent + marker + line.lstrip())
                    first = False
                else:
                    lines.append(line)
        if first:
            lines.append(indent + marker.rstrip())
    return lines


def _cell_md(cell: Node) -> str:
    texts = [_inline_md(b) for b in cell.children if isinstance(b, Node)]
    return " ".join(t.replace("\n", " ") for t in texts).strip() or " "


def _table_md(node: Node) -> list[str]:
    rows = [
        [_cell_md(cell) for cell in row.children if isinstance(cell, Node)]
        for row in node.children
        if isinstance(row, Node)
    ]
    rows = [row for row in rows if row]
    if not rows:
        return []
    width = max(len(row) for row in rows)
    rows = [row + [" "] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
    lines.extend("| " + " | ".join(row) + " |" for row in rows[1:])
    return lines


def _block_md(node: Node, indent: str = "") -> list[str]:
    kind = node.kind
    if kind == "heading":
        return [indent + "#" * _level(node) + " " + _inline_md(node)]
    if kind in ("bulletList", "orderedList"):
        return _list_md(node, indent)
    if kind == "table":
        return [indent + line for line in _table_md(node)]
    if kind == "codeBlock":
        text = "".join(c.text for c in node.children if isinstance(c, Run))
        return [indent + line for line in ["```", *text.split("\n"), "```"]]
    if kind == "blockquote":
        inner = [line for b in node.children if isinstance(b, Node) for line in _block_md(b)]
        return [indent + "> " + line for line in inner]
    if kind == "horizontalRule":
        return [indent + "---"]
    if kind == "image":
        src = safe_url(node.attrs.get("src"))
        alt = node.attrs.get("alt")
        alt_text = (alt if isinstance(alt, str) else "").translate(_MD_SPECIAL)
        return [f"{indent}![{alt_text}]({src})"] if src else []
    text = _inline_md(node)
    return [indent + line for line in text.split("\n")] if text else []


def blocks_markdown(blocks: list[Node], title: str = "") -> str:
    """The blocks as Markdown (GitHub-flavoured tables), with the title as a first heading."""
    chunks = [f"# {title.translate(_MD_SPECIAL)}"] if title else []
    for block in blocks:
        lines = _block_md(block)
        if lines:
            chunks.append("\n".join(lines))
    return "\n\n".join(chunks) + "\n"

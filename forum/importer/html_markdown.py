"""HTML-only mail turned into clean Markdown (a small converter on html.parser).

Mailers' HTML is mostly paragraphs, line breaks, emphasis, links, lists, quotations and
the odd table; styles, scripts, Office's XML islands and comments are dropped. Each block
(blockquote, list item) renders into its own buffer, then is prefixed as a whole, which
keeps nesting right without a tree.
"""

import re
from html.parser import HTMLParser

_SKIPPED = {"script", "style", "head", "title", "xml", "o:p", "template", "noscript"}
_BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "center",
    "address",
    "table",
    "form",
    "dl",
    "dt",
    "dd",
}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 4, "h6": 4}
_EMPHASIS = {"strong": "**", "b": "**", "em": "*", "i": "*", "s": "~~", "strike": "~~", "del": "~~"}
_ESCAPE = re.compile(r"([\\`*_\[\]])")
_LINE_START = re.compile(r"^(\s*)([#>+]|-(?=\s)|\d+\.(?=\s))", re.MULTILINE)
_SPACES = re.compile(r"[ \t\r\n\f\u00a0]+")


def escape_text(text: str) -> str:
    """Text that Markdown shows literally (light: mail text is not hostile, only accidental)."""
    return _ESCAPE.sub(r"\\\1", text)


class _Frame:
    """A buffer being filled: the document, a quotation, a list item or a preformatted block."""

    def __init__(self, tag: str, prefix: str = "") -> None:
        self.tag = tag
        self.prefix = prefix
        self.parts: list[str] = []
        self.link: str | None = None

    def text(self) -> str:
        joined = "".join(self.parts)
        joined = re.sub(r"[ \t]*\n[ \t]*", "\n", joined) if self.tag != "pre" else joined
        return re.sub(r"\n{3,}", "\n\n", joined).strip("\n")


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.frames = [_Frame("document")]
        self.skipping = 0
        self.lists: list[list[int]] = []  # per open list: [next number] or [] for bullets
        self.links: list[tuple[str, int]] = []  # (href, index of the part where it began)

    @property
    def frame(self) -> _Frame:
        return self.frames[-1]

    def emit(self, text: str) -> None:
        self.frame.parts.append(text)

    def block_break(self) -> None:
        if self.frame.parts and not "".join(self.frame.parts[-2:]).endswith("\n\n"):
            self.emit("\n\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in _SKIPPED:
            self.skipping += 1
        elif self.skipping:
            return
        elif tag == "br":
            self.emit("  \n" if self.frame.tag != "pre" else "\n")
        elif tag in _BLOCKS or tag == "tr":
            self.block_break()
        elif tag in _HEADINGS:
            self.block_break()
            self.emit("#" * _HEADINGS[tag] + " ")
        elif tag in _EMPHASIS:
            self.emit(_EMPHASIS[tag])
        elif tag in ("td", "th"):
            if self.frame.parts and not self.frame.parts[-1].endswith("\n"):
                self.emit(" | ")
        elif tag == "hr":
            self.block_break()
            self.emit("* * *\n\n")
        elif tag in ("ul", "ol"):
            self.block_break()
            self.lists.append([int(values.get("start") or 1)] if tag == "ol" else [])
        elif tag == "li":
            counter = self.lists[-1] if self.lists else []
            marker = f"{counter[0]}. " if counter else "- "
            if counter:
                counter[0] += 1
            self.frames.append(_Frame("li", marker))
        elif tag in ("blockquote", "pre"):
            self.block_break()
            self.frames.append(_Frame(tag))
        elif tag == "a":
            href = values.get("href", "")
            usable = href.startswith(("http://", "https://", "mailto:"))
            self.links.append((href if usable else "", len(self.frame.parts)))
            if usable:
                self.emit("[")
        elif tag == "img":
            alt = escape_text(" ".join(values.get("alt", "").split()))
            src = values.get("src", "")
            if src.startswith(("http://", "https://")):
                self.emit(f"![{alt}]({src})")
            elif alt:
                self.emit(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif self.skipping:
            return
        elif tag in _BLOCKS or tag == "tr" or tag in _HEADINGS:
            self.block_break()
        elif tag in _EMPHASIS:
            self.emit(_EMPHASIS[tag])
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self.block_break()
        elif tag in ("li", "blockquote", "pre") and self.frame.tag == tag:
            self.close_frame()
        elif tag == "a" and self.links:
            href, _start = self.links.pop()
            if href:
                self.emit(f"]({href})")

    def close_frame(self) -> None:
        done = self.frames.pop()
        content = done.text()
        if done.tag == "blockquote":
            self.emit("\n".join(f"> {line}".rstrip() for line in content.split("\n")))
            self.emit("\n\n")
        elif done.tag == "pre":
            self.emit("```\n" + content + "\n```\n\n")
        else:  # a list item: the marker, then continuation lines indented under it
            indent = " " * len(done.prefix)
            lines = content.split("\n") or [""]
            rest = [f"{indent}{line}" if line else "" for line in lines[1:]]
            self.emit("\n".join([done.prefix + lines[0], *rest]) + "\n")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.frame.tag == "pre":
            self.emit(data)
            return
        text = _SPACES.sub(" ", data)
        at_line_start = not self.frame.parts or self.frame.parts[-1].endswith("\n")
        if at_line_start:
            text = text.lstrip()
        if text:
            text = escape_text(text)
            self.emit(_LINE_START.sub(r"\1\\\2", text, count=1) if at_line_start else text)

    def result(self) -> str:
        while len(self.frames) > 1:
            self.close_frame()
        return self.frame.text()


def html_to_markdown(html: str) -> str:
    """Markdown for an HTML mail body; never raises on broken HTML."""
    converter = _Converter()
    converter.feed(html)
    converter.close()
    return converter.result()

"""Plain text for the index from rendered HTML: tags dropped, blocks kept apart."""

import re
from html.parser import HTMLParser

BLOCKS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 "
    "h5 h6 header hr li main nav ol p pre section table td th tr ul".split()
)
SKIPPED = frozenset({"script", "style", "template"})
BLANKS = re.compile(r"[ \t\r\f\v]+")
LINES = re.compile(r"\s*\n\s*")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skipping += 1
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def text_from_html(html: str) -> str:
    """The readable text of an HTML fragment (e.g. a rendered post), for indexing."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    text = BLANKS.sub(" ", "".join(collector.parts))
    return LINES.sub("\n", text).strip()

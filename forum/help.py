"""The guides shipped with the forum (docs/*.md): found on disk, rendered once, cached."""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt

# Installed wheels carry the guides inside the package (forum/docs); a checkout has docs/.
_CANDIDATES = (Path(__file__).parent / "docs", Path(__file__).parent.parent / "docs")
SCREENSHOT_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,80}\.png")
TITLE = re.compile(r"^# (.+)$", re.MULTILINE)

GUIDES = {
    ("member", "fr"): "guide-fr.md",
    ("member", "en"): "guide-en.md",
    ("admin", "fr"): "admin-fr.md",
    ("admin", "en"): "admin-fr.md",  # the administrators' guide exists in French only
}


def docs_dir() -> Path:
    """Where the guides are."""
    for candidate in _CANDIDATES:
        if (candidate / "guide-fr.md").is_file():
            return candidate
    raise FileNotFoundError("the guides (docs/guide-fr.md) are missing from this installation")


@dataclass(frozen=True)
class Guide:
    """A rendered guide: its title (first heading), its HTML and its language."""

    title: str
    html: str
    lang: str


def _renderer() -> MarkdownIt:
    # Our own trusted files: raw HTML (the <a id> anchors) is allowed, unlike in posts.
    return MarkdownIt("commonmark", {"html": True, "typographer": False}).enable("table")


@lru_cache(maxsize=8)
def _render(path: Path, mtime: float, lang: str) -> Guide:
    source = path.read_text(encoding="utf-8")
    found = TITLE.search(source)
    title = found.group(1).strip() if found else path.stem
    html = _renderer().render(source)
    # Screenshots are referenced as screenshots/NAME.png; they are served under /aide.
    html = html.replace('src="screenshots/', 'src="/aide/captures/')
    return Guide(title=title, html=html, lang=lang)


def guide(kind: str, locale: str) -> Guide:
    """The guide of this kind ("member" or "admin") in the locale, French otherwise."""
    name = GUIDES.get((kind, locale)) or GUIDES[(kind, "fr")]
    path = docs_dir() / name
    lang = "fr" if name.endswith("-fr.md") else locale
    return _render(path, path.stat().st_mtime, lang)


def screenshot(name: str) -> Path | None:
    """The path of a screenshot by file name, or None (bad name, or no such file)."""
    if not SCREENSHOT_NAME.fullmatch(name):
        return None
    try:
        path = docs_dir() / "screenshots" / name
    except FileNotFoundError:
        return None
    return path if path.is_file() else None

"""Members' Markdown turned into safe HTML, and the Markdown of a quotation.

Two layers: markdown-it's `js-default` preset never lets raw HTML through (the `commonmark`
preset would), and nh3 then keeps only an explicit allowlist of tags, attributes and URL
schemes, whatever the parser produced. Headings are shifted down two levels so that a post's
`# Titre` never competes with the page's own <h1> and <h2>; block elements get `dir="auto"`
so that each paragraph of Arabic reads right to left.
"""

import re
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "strong",
        "em",
        "s",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "h3",
        "h4",
        "h5",
        "h6",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener ugc"
ALIGN_CLASSES = {"align-left", "align-center", "align-right"}
DIRECTIONAL_BLOCKS = ("p", "li", "blockquote", "h3", "h4", "h5", "h6", "th", "td")
HEADING_SHIFT = 2
_ALIGN = re.compile(r"^text-align:(left|center|right)$")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")


def _adjust_tokens(state: StateCore) -> None:
    """Shift headings down, and turn table alignment styles into classes (styles are dropped)."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + HEADING_SHIFT, 6)
            token.tag = f"h{level}"
        elif token.type in ("th_open", "td_open"):
            style = str(token.attrs.pop("style", ""))
            match = _ALIGN.match(style)
            if match:
                token.attrs["class"] = f"align-{match.group(1)}"


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("js-default", {"linkify": True, "breaks": True, "html": False})
    parser.enable(["table", "linkify", "strikethrough"])
    parser.core.ruler.push("forum_adjust", _adjust_tokens)
    return parser


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Images load only from http(s) addresses: no relative or other-scheme sources."""
    if tag == "img" and attribute == "src":
        return value if value.lower().startswith(("http://", "https://")) else None
    return value


@cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
        allowed_classes={"th": set(ALIGN_CLASSES), "td": set(ALIGN_CLASSES)},
        set_tag_attribute_values={tag: {"dir": "auto"} for tag in DIRECTIONAL_BLOCKS},
        attribute_filter=_filter_attribute,
    )


def sanitize(html: str) -> str:
    """Keep only the allowlisted tags, attributes and URL schemes of an HTML fragment."""
    return _cleaner().clean(html)


def render_markdown(source: str) -> str:
    """A member's Markdown as sanitised HTML, ready to be stored and shown."""
    return sanitize(_parser().render(source))


def escape_markdown(text: str) -> str:
    """Text shown literally by Markdown (a name with stars or brackets stays a name)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def quote_markdown(body: str, attribution: str) -> str:
    """A Markdown quotation: the attribution line, then every line of body prefixed by `> `."""
    lines = [attribution, ""] + body.strip("\n").splitlines()
    quoted = "\n".join(f"> {line}".rstrip() for line in lines)
    return quoted + "\n\n"

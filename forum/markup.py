"""Members' Markdown turned into safe HTML, and the Markdown of a quotation.

Two layers: markdown-it's `js-default` preset never lets raw HTML through (the `commonmark`
preset would), and nh3 then keeps only an explicit allowlist of tags, attributes and URL
schemes, whatever the parser produced. Headings are shifted down two levels so that a post's
`# Titre` never competes with the page's own <h1> and <h2>; block elements get `dir="auto"`
so that each paragraph of Arabic reads right to left.
"""

import re
from collections.abc import Mapping
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

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
OWN_IMAGE = re.compile(r"/f/[A-Za-z0-9_-]{1,64}(?:/(?:display|thumb))?")
EXTERNAL_IMAGE_PREFIX = "🖼 "  # an image of another site, shown as a link
LINK_REL = "nofollow noopener ugc"
ALIGN_CLASSES = {"align-left", "align-center", "align-right"}
DIRECTIONAL_BLOCKS = ("p", "li", "blockquote", "h3", "h4", "h5", "h6", "th", "td")
HEADING_SHIFT = 2
_ALIGN = re.compile(r"^text-align:(left|center|right)$")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")
# @login or @group: not inside a word, an address or a path; a final dot ends the sentence.
MENTION = re.compile(r"(?<![\w@./-])@([A-Za-z0-9](?:[A-Za-z0-9.-]{0,62}[A-Za-z0-9])?)")


def _external_image_as_link(image: Token) -> list[Token]:
    """An image from another site, as a link to it: the page never loads it (no tracking
    pixel, and the Content-Security-Policy would block it anyway)."""
    src = str(image.attrGet("src") or "")
    label = image.content.strip() or src
    opening = Token("link_open", "a", 1)
    opening.attrs = {"href": src}
    return [
        opening,
        Token("text", "", 0, content=EXTERNAL_IMAGE_PREFIX + label),
        Token("link_close", "a", -1),
    ]


def _adjust_images(block: Token) -> None:
    if not block.children or not any(t.type == "image" for t in block.children):
        return
    children: list[Token] = []
    for token in block.children:
        src = str(token.attrGet("src") or "") if token.type == "image" else ""
        if token.type == "image" and src.lower().startswith(("http://", "https://")):
            children += _external_image_as_link(token)
        else:
            children.append(token)
    block.children = children


def _adjust_tokens(state: StateCore) -> None:
    """Shift headings down, turn table alignment styles into classes (styles are dropped),
    and external images into links."""
    for token in state.tokens:
        if token.type == "inline":
            _adjust_images(token)
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + HEADING_SHIFT, 6)
            token.tag = f"h{level}"
        elif token.type in ("th_open", "td_open"):
            style = str(token.attrs.pop("style", ""))
            match = _ALIGN.match(style)
            if match:
                token.attrs["class"] = f"align-{match.group(1)}"


def plain_text_tokens(tokens: list[Token]) -> list[Token]:
    """The text tokens of a parsed document that are neither code nor inside a link."""
    found = []
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        depth = 0
        for token in block.children:
            depth += 1 if token.type == "link_open" else -1 if token.type == "link_close" else 0
            if token.type == "text" and depth == 0:
                found.append(token)
    return found


def _mention_tokens(token: Token, links: Mapping[str, str]) -> list[Token]:
    """A text token cut around its known mentions: a link (members) or bold text (groups)."""
    out: list[Token] = []
    text, start = token.content, 0
    for match in MENTION.finditer(text):
        href = links.get(match.group(1).lower())
        if href is None:
            continue
        if match.start() > start:
            out.append(Token("text", "", 0, content=text[start : match.start()]))
        tag = "a" if href else "strong"
        opening = Token(f"{'link' if href else 'strong'}_open", tag, 1)
        if href:
            opening.attrs = {"href": href}
        out += [
            opening,
            Token("text", "", 0, content=match.group(0)),
            Token(f"{'link' if href else 'strong'}_close", tag, -1),
        ]
        start = match.end()
    if not out:
        return [token]
    if start < len(text):
        out.append(Token("text", "", 0, content=text[start:]))
    return out


def _link_mentions(state: StateCore) -> None:
    """Turn the @mentions named in env["mentions"] (name -> href, "" for no link) into links."""
    links: Mapping[str, str] | None = state.env.get("mentions") if state.env else None
    if not links:
        return
    targets = {id(token) for token in plain_text_tokens(state.tokens)}
    for block in state.tokens:
        if block.type == "inline" and block.children:
            block.children = [
                piece
                for token in block.children
                for piece in (_mention_tokens(token, links) if id(token) in targets else [token])
            ]


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("js-default", {"linkify": True, "breaks": True, "html": False})
    parser.enable(["table", "linkify", "strikethrough"])
    parser.core.ruler.push("forum_adjust", _adjust_tokens)
    parser.core.ruler.push("forum_mentions", _link_mentions)
    return parser


def parse(source: str) -> list[Token]:
    """The tokens of a member's Markdown, as the renderer sees them."""
    return _parser().parse(source)


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Images load only from the forum's own files (/f/ID/display, /f/ID/thumb): access is
    checked when they are served; anything else loses its source."""
    if tag == "img" and attribute == "src":
        return value if OWN_IMAGE.fullmatch(value) else None
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


def render_markdown(source: str, mentions: Mapping[str, str] | None = None) -> str:
    """A member's Markdown as sanitised HTML, ready to be stored and shown.

    mentions maps a lower-case @name to the address its link goes to ("" for bold, no link).
    """
    env = {"mentions": mentions} if mentions else {}
    return sanitize(_parser().render(source, env))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_control(text: str) -> str:
    """Text without control characters (NUL and the like; tabs and line breaks stay):
    invisible, and PostgreSQL refuses NUL in text."""
    return _CONTROL.sub("", text)


def escape_markdown(text: str) -> str:
    """Text shown literally by Markdown (a name with stars or brackets stays a name)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def quote_markdown(body: str, attribution: str) -> str:
    """A Markdown quotation: the attribution line, then every line of body prefixed by `> `."""
    lines = [attribution, ""] + body.strip("\n").splitlines()
    quoted = "\n".join(f"> {line}".rstrip() for line in lines)
    return quoted + "\n\n"

"""Markdown rendering: what members may write, and a corpus of XSS payloads that must die.

The corpus is checked twice: on render_markdown's output, and on the topic pages and API
answers where posts are shown, parsed with BeautifulSoup (not by looking at the stored text).
"""

import re

import pytest
from bs4 import BeautifulSoup, Tag
from starlette.testclient import TestClient

from forum.db import Database
from forum.markup import escape_markdown, quote_markdown, render_markdown, sanitize
from forum.services.post_views import POSTS_PER_PAGE
from tests.conftest import ClientAs, MakeMember
from tests.discussions import PUBLIC_BOARD, add_reply, arrange_people, new_topic, soup

XSS_PAYLOADS = [
    # raw HTML
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="https://ok.example/a.png" onload="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<iframe srcdoc="<script>alert(1)</script>">',
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">clic</a>',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>*{background:url(javascript:alert(1))}</style>",
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<input autofocus onfocus="alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href=javascript:alert(1)//>",
    '<link rel="stylesheet" href="javascript:alert(1)">',
    # unclosed and broken tags
    "<img src=x onerror=alert(1)",
    "<script>alert(1)",
    "<<script>script>alert(1)<</script>/script>",
    '<a href="javascript:alert(1)"',
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    # entity and encoding tricks
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "[clic](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[clic](&#x6A;avascript:alert(1))",
    "[clic](jav&#x09;ascript:alert(1))",
    "[clic](javascript&colon;alert(1))",
    "[clic](%6A%61%76%61%73%63%72%69%70%74:alert(1))",
    "[clic](\\javascript:alert(1))",
    # Markdown link and image tricks
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic]( javascript:alert(1) )",
    "[clic](<javascript:alert(1)>)",
    "[clic](vbscript:msgbox(1))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[clic](file:///etc/passwd)",
    "![img](javascript:alert(1))",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![img](data:image/png;base64,iVBORw0KGgo=)",
    '![img](https://ok.example/a.png "x\\" onerror=\\"alert(1)")',
    '[clic](https://ok.example "x\\" onmouseover=\\"alert(1)")',
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<https://ok.example/a?b=<script>alert(1)</script>>",
    "[![img](x)](javascript:alert(1))",
    "**<img src=x onerror=alert(1)>**",
    "```html\n<script>alert(1)</script>\n```",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    "> <iframe src=https://evil.example></iframe>",
    "javascript:alert(1)",
    "www.example.com/<script>alert(1)</script>",
]

BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data|file)\s*:", re.IGNORECASE)
FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "style",
    "svg",
    "math",
    "form",
    "input",
    "button",
    "meta",
    "link",
    "base",
    "body",
    "details",
}


# On a whole page, our own layout has forms, a stylesheet link, a meta tag and disclosure
# widgets (the poll fieldset); posts themselves are checked against FORBIDDEN_TAGS.
PAGE_FORBIDDEN_TAGS = FORBIDDEN_TAGS - {
    "form",
    "input",
    "button",
    "meta",
    "link",
    "body",
    "details",
}


def dangers(fragment: Tag | BeautifulSoup, whole_page: bool = False) -> list[str]:
    """Everything in parsed HTML that could run script or load from a bad scheme.

    On a whole page, only our own scripts (from /static/, without inline code) may appear.
    """
    found = []
    for script in fragment.find_all("script"):
        src = str(script.get("src", ""))
        if not whole_page or not src.startswith("/static/") or script.get_text().strip():
            found.append(f"script {script}")
    forbidden = PAGE_FORBIDDEN_TAGS if whole_page else FORBIDDEN_TAGS
    found += [str(tag) for tag in fragment.find_all(forbidden - {"script"})]
    for tag in fragment.find_all(True):
        for name, value in tag.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on") or name.lower() in ("style", "srcdoc", "formaction"):
                found.append(f"{tag.name}[{name}]")
            if name.lower() in ("href", "src", "action", "data", "xlink:href"):
                if BAD_SCHEME.match(text):
                    found.append(f"{tag.name}[{name}={text}]")
    return found


def test_the_corpus_is_large_enough() -> None:
    assert len(XSS_PAYLOADS) >= 40
    assert len(set(XSS_PAYLOADS)) == len(XSS_PAYLOADS)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_is_neutralised_by_rendering(payload: str) -> None:
    html = render_markdown(payload)
    assert dangers(BeautifulSoup(html, "html.parser")) == []


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_sanitize_alone_neutralises_raw_html(payload: str) -> None:
    # Second line of defence: even if the parser let raw HTML through, nh3 would not.
    assert dangers(BeautifulSoup(sanitize(payload), "html.parser")) == []


def test_dangers_sees_what_it_looks_for() -> None:
    bad = '<script>1</script><a href=" javascript:x">a</a><img src=x onerror=y><p style="">'
    assert len(dangers(BeautifulSoup(bad, "html.parser"))) == 4
    ours = '<script src="/static/quote.js"></script><script src="https://evil.example/x.js">'
    assert len(dangers(BeautifulSoup(ours, "html.parser"), whole_page=True)) == 1
    assert len(dangers(BeautifulSoup(ours, "html.parser"))) == 2


def test_the_corpus_is_neutralised_on_the_pages_and_in_the_api(
    db: Database, make_member: MakeMember, client: TestClient, client_as: ClientAs
) -> None:
    people = arrange_people(db, make_member)
    topic_id, first = new_topic(
        db, people.member_a, PUBLIC_BOARD, title="<script>alert(1)</script>", body=XSS_PAYLOADS[0]
    )
    for payload in XSS_PAYLOADS[1:]:
        add_reply(db, people.member_a, topic_id, body=payload)
    pages = (len(XSS_PAYLOADS) + POSTS_PER_PAGE - 1) // POSTS_PER_PAGE
    amina = client_as(people.member_a)
    for browser in (client, amina):
        for page in range(1, pages + 1):
            document = soup(browser.get(f"/t/{topic_id}?page={page}").text)
            articles = document.select("article.post")
            assert articles
            assert [dangers(article) for article in articles] == [[] for _a in articles]
            assert dangers(document, whole_page=True) == [], page
        board = soup(browser.get(f"/b/{PUBLIC_BOARD}").text)
        assert dangers(board, whole_page=True) == []
    title = soup(client.get(f"/t/{topic_id}").text).find("h1")
    assert title is not None and title.get_text() == "<script>alert(1)</script>"
    # The edit form and the quote pre-fill carry the source as text, escaped.
    quoting = soup(amina.get(f"/t/{topic_id}?quote={first}").text)
    assert quoting.find("textarea", id="f-body").get_text().startswith("> ")  # type: ignore[union-attr]
    assert dangers(quoting, whole_page=True) == []
    topic = client.get(f"/api/v1/topics/{topic_id}").json()
    assert len(topic["posts"]) == len(XSS_PAYLOADS)
    for post, payload in zip(topic["posts"], XSS_PAYLOADS, strict=True):
        assert post["body"] == payload
        assert dangers(BeautifulSoup(post["html"], "html.parser")) == [], payload


def test_markdown_features_members_use() -> None:
    html = render_markdown(
        "# Titre\n\n**gras** *italique* ~~barré~~ `code`\n\n"
        "| Pôle | Membres |\n|:-----|-------:|\n| ESS | 12 |\n\n"
        "- un\n- deux\n\n3. trois\n\n> cité\n\nune ligne\nla suivante\n\n"
        "https://exemple.org et contact@exemple.org\n\n![logo](https://exemple.org/logo.png)"
    )
    page = BeautifulSoup(html, "html.parser")
    assert page.find("h3") is not None and page.find("h1") is None  # shifted under the page's h2
    assert [t.name for t in page.select("strong, em, s, code")] == ["strong", "em", "s", "code"]
    cells = page.select("td")
    assert [c.get("class") for c in cells] == [["align-left"], ["align-right"]]
    assert page.select_one("ol")["start"] == "3"  # type: ignore[index]
    assert page.find("br") is not None  # a single newline is a line break
    links = {str(a["href"]): str(a["rel"]) for a in page.find_all("a")}
    assert set(links) == {
        "https://exemple.org",
        "mailto:contact@exemple.org",
        "https://exemple.org/logo.png",
    }
    assert all(rel == str(["nofollow", "noopener", "ugc"]) for rel in links.values())
    # An image of another site is a link to it, never loaded by the page.
    assert page.find("img") is None
    external = page.find("a", href="https://exemple.org/logo.png")
    assert external is not None and "logo" in external.get_text()
    blocks = page.find_all(["p", "li", "blockquote", "h3", "th", "td"])
    assert blocks and all(block.get("dir") == "auto" for block in blocks)


@pytest.mark.parametrize(
    "source",
    [
        "![x](/logout)",
        "![x](//evil.example/a.png)",
        "![x](ftp://evil.example/a.png)",
        "![x](/f/../logout)",
    ],
)
def test_images_load_only_from_the_forums_files(source: str) -> None:
    image = BeautifulSoup(render_markdown(source), "html.parser").find("img")
    assert isinstance(image, Tag) and not image.get("src")


def test_the_forums_own_images_are_shown() -> None:
    for src in ("/f/Ab3_x-9/display", "/f/Ab3_x-9/thumb", "/f/Ab3_x-9"):
        image = BeautifulSoup(render_markdown(f"![photo]({src})"), "html.parser").find("img")
        assert isinstance(image, Tag) and image["src"] == src and image["alt"] == "photo"
    for src in ("/f/x/../../logout", "/f/x/display?y=1", "/fichiers/x"):
        image = BeautifulSoup(render_markdown(f"![photo]({src})"), "html.parser").find("img")
        assert isinstance(image, Tag) and not image.get("src"), src


def test_quotation_markdown() -> None:
    name = escape_markdown("*Amina* [admin]")
    assert name == "\\*Amina\\* \\[admin\\]"
    quoted = quote_markdown("une\n\ndeux  \n", f"**{name}** a écrit :")
    assert quoted == "> **\\*Amina\\* \\[admin\\]** a écrit :\n>\n> une\n>\n> deux\n\n"
    rendered = BeautifulSoup(render_markdown(quoted), "html.parser")
    assert rendered.select_one("blockquote strong").get_text() == "*Amina* [admin]"  # type: ignore[union-attr]

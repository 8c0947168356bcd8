"""Reading the editor's CRDT and rendering it: sanitised HTML, Markdown, exports, file names,
and states that can't be read."""

import io
import zipfile
from typing import Any
from xml.etree import ElementTree

import pytest
from pycrdt import Doc, Text, XmlElement, XmlText

from forum.documents.content import Node, Run, plain_text, read_blocks
from forum.documents.diff import line_diff
from forum.documents.exports import file_name
from forum.documents.live import replacement_update
from forum.documents.office import to_docx, to_odt
from forum.documents.render import blocks_html, blocks_markdown
from tests.document_helpers import add_heading, add_paragraph, fragment, rich_state


@pytest.mark.parametrize("state", [b"", b"\x00", b"\xff\xff\xff\xff", b"garbage bytes"])
def test_unreadable_or_empty_states_give_an_empty_document(state: bytes) -> None:
    assert read_blocks(state) == []


def test_a_document_whose_default_root_is_not_xml_reads_as_empty() -> None:
    doc: Doc[Any] = Doc()
    doc["default"] = Text("pas du XML")
    assert plain_text(read_blocks(doc.get_update())) == ""


def test_headings_stay_under_the_page_title_and_within_h6() -> None:
    doc: Doc[Any] = Doc()
    add_heading(doc, "Un", 1)
    add_heading(doc, "Trois", 3)
    add_heading(doc, "Neuf", 9)
    html = blocks_html(read_blocks(doc.get_update()), lowest_heading=2)
    assert html == "<h2>Un</h2><h3>Trois</h3><h6>Neuf</h6>"


@pytest.mark.parametrize(
    ("href", "kept"),
    [
        ("https://exemple.org/a?b=1&c=2", True),
        ("mailto:copil@exemple.org", True),
        ("/d/3", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//evil.example/x", False),
    ],
)
def test_only_safe_links_keep_their_address(href: str, kept: bool) -> None:
    doc: Doc[Any] = Doc()
    add_paragraph(doc, "lien", link={"href": href})
    html = blocks_html(read_blocks(doc.get_update()))
    assert ("href" in html) is kept
    assert "lien" in html


def test_markup_in_text_is_escaped_everywhere() -> None:
    doc: Doc[Any] = Doc()
    add_paragraph(doc, '<script>alert("x")</script> & <b>')
    blocks = read_blocks(doc.get_update())
    assert "<script>" not in blocks_html(blocks)
    assert "&lt;script&gt;" in blocks_html(blocks)
    assert "\\<script\\>" in blocks_markdown(blocks)


def test_nested_lists_in_markdown() -> None:
    item = Node(
        "listItem",
        children=[
            Node("paragraph", children=[Run("Premier")]),
            Node(
                "orderedList",
                children=[Node("listItem", children=[Node("paragraph", children=[Run("Sous")])])],
            ),
        ],
    )
    markdown = blocks_markdown([Node("bulletList", children=[item])])
    assert markdown == "- Premier\n   1. Sous\n"


def test_exports_survive_control_characters_and_keep_accents() -> None:
    blocks = [Node("paragraph", children=[Run("Été\x01 \x0bœuvre", bold=True)])]
    for data, part in (
        (to_odt("T\x02", blocks), "content.xml"),
        (to_docx("T", blocks), "word/document.xml"),
    ):
        root = ElementTree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(part))
        assert "Été œuvre" in "".join(root.itertext())


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Plan d'été", "Plan d'été.odt"),
        ("a/b\\c:d*e?f", "a b c d e f.odt"),
        ("...", "document.odt"),
        ("x" * 300, "x" * 120 + ".odt"),
    ],
)
def test_file_names(title: str, expected: str) -> None:
    assert file_name(title, "odt") == expected


def test_a_replacement_is_an_edit_on_top_of_the_current_state() -> None:
    current: Doc[Any] = Doc()
    add_paragraph(current, "Actuel")
    version: Doc[Any] = Doc()
    add_heading(version, "Ancien titre é")
    add_paragraph(version, "gras", bold={})
    update = replacement_update(current.get_update(), read_blocks(version.get_update()))
    before = current.get_state()
    current.apply_update(update)
    assert current.get_state() != before  # new structs: an edit, not a re-seed
    assert (
        blocks_html(read_blocks(current.get_update()))
        == "<h2>Ancien titre é</h2><p><strong>gras</strong></p>"
    )
    assert len(fragment(current).children) == 2


def test_line_diff() -> None:
    lines = line_diff("a\nb\nc", "a\nc\nd")
    assert [(line.change, line.text) for line in lines] == [
        ("same", "a"),
        ("removed", "b"),
        ("same", "c"),
        ("added", "d"),
    ]


def test_plain_text_of_a_rich_document() -> None:
    text = plain_text(read_blocks(rich_state()))
    assert text.splitlines()[:2] == [
        "Objectifs de l'été",
        "Œuvrer ensemble et vite : le site piégé",
    ]


def test_xml_elements_built_by_pycrdt_read_back() -> None:
    doc: Doc[Any] = Doc()
    fragment(doc).children.append(
        XmlElement("blockquote", {}, [XmlElement("paragraph", {}, [XmlText("Cité")])])
    )
    assert blocks_html(read_blocks(doc.get_update())) == "<blockquote><p>Cité</p></blockquote>"


def test_a_replacement_keeps_every_attribute_the_editor_wrote() -> None:
    version: Doc[Any] = Doc()
    attrs: Any = {"colspan": 1, "rowspan": 1, "colwidth": [120], "align": None}
    cell = XmlElement("tableCell", attrs, [XmlElement("paragraph", {}, [XmlText("Case")])])
    fragment(version).children.append(XmlElement("table", {}, [XmlElement("tableRow", {}, [cell])]))
    current: Doc[Any] = Doc()
    current.apply_update(replacement_update(b"", read_blocks(version.get_update())))
    restored = read_blocks(current.get_update())
    row = restored[0].children[0]
    assert isinstance(row, Node)
    restored_cell = row.children[0]
    assert isinstance(restored_cell, Node)
    assert restored_cell.attrs == {"colspan": 1, "rowspan": 1, "colwidth": [120], "align": None}

"""Decoding old mail: charsets, RFC 2047, QP/base64, HTML to Markdown, quoted history, dates."""

from datetime import UTC, datetime

import pytest

from forum.importer.charsets import decode_declared, header_text
from forum.importer.html_markdown import html_to_markdown
from forum.importer.message import Flag, ParsedMessage
from forum.importer.parse import Unreadable, parse_message
from forum.importer.quoting import split_quoted
from forum.importer.render import post_html
from tests.importer.archives import PDF, Mail, build

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def parse(mail: Mail, envelope_date: datetime | None = None) -> ParsedMessage:
    return parse_message(build(mail), source="test", now=NOW, envelope_date=envelope_date)


def test_rfc2047_headers_in_several_charsets_are_decoded() -> None:
    text, redecoded = header_text(
        "=?utf-8?q?Caf=C3=A9?= du =?iso-8859-1?q?p=E8re?= No=?utf-8?b?w6s=?="
    )
    assert text == "Café du père Noë"
    assert not redecoded


def test_raw_8bit_header_is_guessed_and_flagged() -> None:
    raw = "Réunion".encode("cp1252").decode("ascii", "surrogateescape")
    assert header_text(raw) == ("Réunion", True)


@pytest.mark.parametrize(
    ("data", "declared", "expected", "redecoded"),
    [
        ("élève".encode(), "utf-8", "élève", False),
        ("élève".encode("latin-1"), "iso-8859-1", "élève", False),
        ("élève".encode(), "iso-8859-1", "élève", True),  # UTF-8 lying as Latin-1
        ("l’œuvre".encode("cp1252"), "iso-8859-1", "l’œuvre", False),  # Windows superset
        ("élève".encode("latin-1"), "utf-8", "élève", True),  # declared UTF-8, wrong
        ("élève".encode(), None, "élève", True),
        ("élève".encode("cp1252"), None, "élève", True),
        ("élève".encode(), "x-unknown", "élève", True),
        (b"plain", None, "plain", False),
    ],
)
def test_body_charsets(data: bytes, declared: str | None, expected: str, redecoded: bool) -> None:
    assert decode_declared(data, declared) == (expected, redecoded)


@pytest.mark.parametrize("encoding", ["quoted-printable", "base64", "8bit"])
def test_transfer_encodings_and_declared_latin1(encoding: str) -> None:
    message = parse(
        Mail(body="Ça débute à l'école, naïf.", charset="iso-8859-1", encoding=encoding)
    )
    assert message.body == "Ça débute à l'école, naïf."
    assert Flag.CHARSET_REDECODED not in message.flags


def test_undeclared_8bit_body_is_redecoded_and_flagged() -> None:
    message = parse(Mail(body="Théâtre forum à Rabat", charset=None, body_bytes_charset="cp1252"))
    assert message.body == "Théâtre forum à Rabat"
    assert Flag.CHARSET_REDECODED in message.flags


def test_html_only_mail_becomes_clean_markdown() -> None:
    page = (
        "<html><head><style>p {color: red}</style><title>x</title></head><body>"
        "<!--[if mso]><o:p>office</o:p><![endif]-->"
        "<p>Bonjour&nbsp;<b>à tous</b>,</p><p>Voir <a href='https://pcm.example/ordre_du_jour'>"
        "l'ordre du jour</a> et <a href='javascript:alert(1)'>ceci</a>.</p>"
        "<ul><li>Point 1</li><li>Point <i>2</i></li></ul><ol><li>un</li><li>deux</li></ol>"
        "<blockquote><p>Ancien message</p></blockquote><script>alert(1)</script>"
        "<p># pas un titre, 5 * 3</p></body></html>"
    )
    markdown = html_to_markdown(page)
    assert markdown == (
        "Bonjour **à tous**,\n\n"
        "Voir [l'ordre du jour](https://pcm.example/ordre_du_jour) et ceci.\n\n"
        "- Point 1\n- Point *2*\n\n"
        "1. un\n2. deux\n\n"
        "> Ancien message\n\n"
        "\\# pas un titre, 5 \\* 3"
    )
    message = parse(Mail(html=page, html_only=True))
    assert "alert" not in message.body
    assert "**à tous**" in message.body


def test_plain_part_is_preferred_to_its_html_alternative() -> None:
    message = parse(Mail(body="Texte brut", html="<p>Texte <b>riche</b></p>"))
    assert message.body == "Texte brut"


@pytest.mark.parametrize(
    ("text", "body", "quoted_start"),
    [
        ("Oui.\n\nLe 2 mars 2010 à 09:15, Amina a écrit :\n> Question", "Oui.", "Le 2 mars"),
        ("Oui.\n\nLe lun. 2 mars 2010 à 09:15, Amina <a@b.c> a\nécrit :\n> Q", "Oui.", "Le lun."),
        ("Yes.\n\nOn Tue, Mar 2, 2010 at 9:15 AM, Amina wrote:\n> Q", "Yes.", "On Tue"),
        (
            "D'accord.\n\nDe : Amina\nEnvoyé : mardi 2 mars 2010 09:15\nÀ : pole-ess\n"
            "Objet : Réunion\n\nQuestion",
            "D'accord.",
            "De : Amina",
        ),
        ("Vu.\n\n-----Message d'origine-----\nDe : x", "Vu.", "-----Message"),
        ("Merci\n\n> ancienne ligne\n> encore\n", "Merci", "> ancienne"),
        ("> question ?\nréponse\n> autre ?\nautre réponse", None, None),
    ],
)
def test_quoted_history_is_split_off(text: str, body: str | None, quoted_start: str | None) -> None:
    main, quoted = split_quoted(text)
    if body is None:
        assert (main, quoted) == (text, "")  # interleaved answers stay whole
    else:
        assert main == body
        assert quoted_start is not None and quoted.startswith(quoted_start)


def test_folded_history_is_kept_in_a_details_element() -> None:
    html, main = post_html("Oui.", "Le 2 mars, Amina a écrit :\n> <script>x</script>")
    assert main == '<p dir="auto">Oui.</p>\n'
    assert '<details class="quoted-history"><summary>' in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_dates_go_to_utc_keeping_the_offset() -> None:
    message = parse(Mail(date="Tue, 02 Mar 2010 09:15:00 +0100"))
    assert message.date == datetime(2010, 3, 2, 8, 15, tzinfo=UTC)
    assert message.utc_offset_minutes == 60


@pytest.mark.parametrize(
    "date",
    [
        None,
        "n'importe quoi",
        "Mon, 31 Feb 2010 10:00:00 +0100",
        "Thu, 1 Jan 1970 00:00:00 +0000",
        "Sat, 1 Jan 2095 00:00:00 +0000",
    ],
)
def test_impossible_dates_are_repaired_from_the_envelope(date: str | None) -> None:
    envelope = datetime(2010, 3, 4, 12, 0, tzinfo=UTC)
    message = parse(Mail(date=date), envelope_date=envelope)
    assert message.date == envelope
    assert Flag.DATE_REPAIRED in message.flags


def test_a_received_header_repairs_a_date_without_envelope() -> None:
    received = (
        "Received",
        "from mx.example.org by mail.example.org; Thu, 4 Mar 2010 12:00:00 +0000",
    )
    message = parse(Mail(date=None, extra_headers=[received]))
    assert message.date == datetime(2010, 3, 4, 12, tzinfo=UTC)
    assert Flag.DATE_REPAIRED in message.flags


def test_message_without_id_gets_a_stable_synthetic_one() -> None:
    first = parse(Mail(message_id=None))
    again = parse(Mail(message_id=None))
    other = parse(Mail(message_id=None, body="Autre texte"))
    assert first.message_id.startswith("synthetic-")
    assert first.message_id == again.message_id
    assert first.message_id != other.message_id


def test_attachments_kept_refused_or_missing() -> None:
    mail = Mail(
        attachments=[
            ("compte-rendu.pdf", "application/pdf", PDF),
            ("amina.vcf", "text/x-vcard", b"BEGIN:VCARD\nEND:VCARD\n"),
            ("winmail.dat", "application/ms-tnef", b"\x78\x9f\x3e\x22"),
            ("setup.exe", "application/octet-stream", b"MZ\x90\x00"),
            ("mystere.bin", "application/octet-stream", bytes(range(256))),
        ]
    )
    message = parse(mail)
    found = {a.name: a.refused for a in message.attachments}
    assert found == {
        "compte-rendu.pdf": "",
        "amina.vcf": "vcard",
        "winmail.dat": "tnef",
        "setup.exe": "executable",
        "mystere.bin": "unknown",
    }
    assert message.attachments[0].data == PDF
    assert Flag.ATTACHMENT_REFUSED in message.flags
    assert message.body.startswith("Bonjour")


def test_a_truncated_multipart_is_flagged_not_lost() -> None:
    raw = build(Mail(attachments=[("a.pdf", "application/pdf", PDF)]))
    cut = raw[: raw.index(b"--mixed-boundary--")]
    message = parse_message(cut, source="t", now=NOW)
    assert Flag.BODY_TRUNCATED in message.flags
    assert message.body.startswith("Bonjour")


def test_nothing_readable_fails() -> None:
    with pytest.raises(Unreadable):
        parse_message(b"\n\n", source="t", now=NOW)
    with pytest.raises(Unreadable):
        parse_message(b"X-Nothing: 1\n\n", source="t", now=NOW)


def test_signature_dashes_stay_dashes() -> None:
    message = parse(Mail(body="Merci\n-- \nAmina\n===\n# 3 points"))
    html, _main = post_html(message.body, "")
    assert "<h" not in html
    assert "# 3 points" in html


def test_control_characters_are_stripped_everywhere() -> None:
    message = parse(Mail(subject="Ordre\x00 du jour\x07", body="Texte\x00 avec\x1b nul\tet tab"))
    assert message.subject == "Ordre du jour"
    assert message.body == "Texte avec nul\tet tab"

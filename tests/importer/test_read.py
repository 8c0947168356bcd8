"""Each archive format is read, recognised by `auto`, and bad messages become problems."""

import gzip
import io
import mailbox
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from forum.importer.mbox import split_mbox
from forum.importer.message import Flag
from forum.importer.read import UnknownFormat, detect_format, read_archives
from tests.importer.archives import (
    PDF,
    Mail,
    build,
    conversation,
    mbox,
    write_eml_folder,
    write_groupsio,
    write_mbox,
    write_pipermail,
    write_takeout,
    write_yahoo,
)

NOW = datetime(2026, 11, 27, tzinfo=UTC)
Writer = Callable[[Path, list[bytes]], Path]

FORMATS: list[tuple[str, str, Writer]] = [
    ("mbox", "groupe.mbox", lambda p, m: write_mbox(p, m)),
    ("mbox", "groupe.mbox.gz", lambda p, m: write_mbox(p, m, crlf=True)),
    ("takeout", "takeout.zip", write_takeout),
    ("groupsio", "export.zip", write_groupsio),
    ("eml", "messages", write_eml_folder),
    ("pipermail", "2010-March.txt.gz", write_pipermail),
    ("pipermail", "2010-March.txt", write_pipermail),
    ("yahoo", "yahoo", lambda p, m: write_yahoo(p, [(raw, 7, []) for raw in m])),
]


@pytest.mark.parametrize(("fmt", "name", "write"), FORMATS)
def test_every_format_reads_the_conversation(
    tmp_path: Path, fmt: str, name: str, write: Writer
) -> None:
    path = write(tmp_path / name, conversation())
    assert detect_format(path) == fmt
    for asked in (fmt, "auto"):
        messages, problems = read_archives(asked, [path], now=NOW)
        assert problems == []
        by_subject = {m.subject: m for m in messages}
        assert set(by_subject) == {
            "Réunion du pôle ESS",
            "Re: Réunion du pôle ESS",
            "RE : Réunion du pôle ESS",
        }
        reply = by_subject["Re: Réunion du pôle ESS"]
        assert reply.sender_name == "François Pérez"
        assert reply.body == "Je serai là."
        assert reply.quoted.startswith("Le 2 mars 2010 à 09:15, Amina a écrit :")
        assert reply.date == datetime(2010, 3, 2, 10, 0, tzinfo=UTC)
        assert reply.raw.startswith(b"From:")
        first = by_subject["Réunion du pôle ESS"]
        if fmt == "yahoo":
            assert first.sender_address == "amina@..."
            assert Flag.ADDRESS_REDACTED in first.flags
            assert first.thread_hint == "yahoo-topic-7"
            assert reply.in_reply_to == first.message_id
        else:
            assert first.sender_address == "amina@example.org"
            assert first.flags == []


def test_mbox_escaping_and_crlf_are_undone(tmp_path: Path) -> None:
    body = "Bonjour\nFrom the start, tout va bien.\n>From ici aussi.\nFin"
    data = mbox([build(Mail(body=body)), build(Mail(message_id="<m2@x>"))], crlf=True)
    messages = list(split_mbox(io.BytesIO(data), "crlf.mbox"))
    assert len(messages) == 2
    assert b"\r\nFrom the start" in messages[0].data
    assert b"\r\n>From ici aussi" in messages[0].data
    assert messages[0].envelope_date == datetime(2010, 3, 2, 9, 15, tzinfo=UTC)
    (parsed,), _problems = read_archives(
        "mbox", [write_mbox(tmp_path / "a.mbox", [build(Mail(body=body))])], now=NOW
    )
    assert parsed.body == body


def test_our_split_agrees_with_python_mailbox(tmp_path: Path) -> None:
    messages = [
        build(Mail(message_id=f"<m{i}@x>", body=f"Message {i}\nFrom moi")) for i in range(5)
    ]
    path = write_mbox(tmp_path / "a.mbox", messages)
    with path.open("rb") as stream:
        ours = [m.data.rstrip(b"\n") for m in split_mbox(stream, "a.mbox")]
    box = mailbox.mbox(path, create=False)
    try:
        theirs = [box.get_bytes(key).rstrip(b"\n") for key in box.keys()]
    finally:
        box.close()
    assert len(ours) == 5
    # The same bytes, except that Python's mailbox leaves ">From" escaped.
    assert ours == [t.replace(b"\n>From ", b"\nFrom ") for t in theirs]


def test_takeout_thread_id_is_a_hint(tmp_path: Path) -> None:
    raw = build(Mail(extra_headers=[("X-GM-THRID", "1234567890")]))
    path = write_mbox(tmp_path / "takeout.mbox", [raw])
    assert detect_format(path) == "takeout"
    (message,), _problems = read_archives("auto", [path], now=NOW)
    assert message.thread_hint == "1234567890"


def test_pipermail_scrubbed_attachments_and_undeclared_8bit(tmp_path: Path) -> None:
    body = (
        "Voici le compte rendu de la réunion.\n"
        "-------------- next part --------------\n"
        "A non-text attachment was scrubbed...\n"
        "Name: compte-rendu.pdf\nType: application/pdf\nSize: 48213 bytes\n"
        "Desc: not available\nUrl : http://listes.example.org/pipermail/attachments/cr.pdf\n"
        "-------------- next part --------------\n"
        "An HTML attachment was scrubbed...\nURL: http://listes.example.org/x.html\n"
    )
    raw = build(Mail(body=body, charset=None, body_bytes_charset="cp1252"))
    path = write_pipermail(tmp_path / "2010-March.txt", [raw])
    (message,), _problems = read_archives("pipermail", [path], now=NOW)
    assert message.body == "Voici le compte rendu de la réunion."
    assert [(a.name, a.missing) for a in message.attachments] == [("compte-rendu.pdf", True)]
    assert {Flag.ATTACHMENT_MISSING, Flag.CHARSET_REDECODED} <= set(message.flags)
    assert message.sender_address == "amina@example.org"


def test_yahoo_attachments_from_disk_or_missing(tmp_path: Path) -> None:
    raw = build(Mail())
    folder = write_yahoo(tmp_path / "yahoo", [(raw, 1, [("cr.pdf", PDF), ("perdu.pdf", None)])])
    (folder / "email" / "2_raw.json").write_text("{pas du json", encoding="utf-8")
    messages, problems = read_archives("yahoo", [folder], now=NOW)
    assert [p.source for p in problems] == ["email/2_raw.json"]
    (message,) = messages
    assert [(a.name, a.data) for a in message.attachments] == [("cr.pdf", PDF), ("perdu.pdf", b"")]
    assert Flag.ATTACHMENT_MISSING in message.flags


def test_a_bad_message_is_a_problem_and_the_rest_goes_on(tmp_path: Path) -> None:
    path = write_mbox(tmp_path / "a.mbox", [build(Mail()), b"\n", build(Mail(message_id="<b@x>"))])
    data = path.read_bytes().replace(b"\n\n\n\n", b"\n\nFrom x Tue Mar  2 09:15:00 2010\n\n\n")
    path.write_bytes(data)
    messages, problems = read_archives("mbox", [path], now=NOW)
    assert len(messages) == 2
    assert len(problems) == 1 and problems[0].reason


def test_dates_missing_everywhere_come_from_neighbours(tmp_path: Path) -> None:
    raws = [
        build(Mail(message_id="<a@x>", date=None)),
        build(Mail(message_id="<b@x>", date="Wed, 03 Mar 2010 10:00:00 +0000")),
        build(Mail(message_id="<c@x>", date="pas une date")),
    ]
    path = tmp_path / "sans-enveloppe.mbox"
    path.write_bytes(b"".join(b"From \n" + r + b"\n\n" for r in raws))
    messages, _problems = read_archives("mbox", [path], now=NOW)
    neighbour = datetime(2010, 3, 3, 10, 0, tzinfo=UTC)
    assert [m.date for m in messages] == [neighbour] * 3
    assert [Flag.DATE_REPAIRED in m.flags for m in messages] == [True, False, True]


def test_unknown_formats_are_refused_clearly(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("rien à voir", encoding="utf-8")
    (tmp_path / "vide").mkdir()
    (tmp_path / "archive.gz").write_bytes(gzip.compress(b"pas un mbox"))
    for name in ("notes.txt", "vide", "archive.gz", "absent.mbox"):
        with pytest.raises(UnknownFormat):
            detect_format(tmp_path / name)


@pytest.mark.parametrize("encoding", ["utf-8", "windows-1252"])
def test_an_undeclared_8bit_attachment_name_is_read(tmp_path: Path, encoding: str) -> None:
    name = "Compte rendu de l'été.pdf"
    raw = (
        b"From amina@example.org Mon Mar  2 10:00:00 2009\n"
        b"From: Amina <amina@example.org>\n"
        b"Subject: CR\n"
        b"Message-ID: <cr-8bit@example.org>\n"
        b"Date: Mon, 2 Mar 2009 10:00:00 +0100\n"
        b"MIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain; charset=utf-8\n\nVoici le CR.\n"
        b'--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="'
        + name.encode(encoding)
        + b'"\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b--\n'
    )
    archive = tmp_path / "group.mbox"
    archive.write_bytes(raw)
    (parsed,), problems = read_archives("mbox", [archive], now=NOW)
    assert problems == []
    (attachment,) = parsed.attachments
    assert attachment.name == name

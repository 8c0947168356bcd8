"""Archives built for the tests: raw mails (charsets, encodings, HTML, attachments) and the
files each old-group export writes (mbox, gz, CRLF, Takeout, Groups.io, Yahoo, pipermail, eml)."""

import base64
import gzip
import html
import json
import quopri
import zipfile
from dataclasses import dataclass, field
from email.header import Header
from pathlib import Path


@dataclass
class Mail:
    """A message to build; every field is written exactly as given."""

    subject: str = "Réunion du pôle ESS"
    sender: str = "Amina Benali <amina@example.org>"
    date: str | None = "Tue, 02 Mar 2010 09:15:00 +0100"
    message_id: str | None = "<m1@example.org>"
    in_reply_to: str | None = None
    references: str | None = None
    body: str = "Bonjour à tous,\n\nLa réunion aura lieu jeudi à 14 h.\n\nAmina"
    charset: str | None = "utf-8"  # None: 8-bit bytes with no declared charset
    body_bytes_charset: str = ""  # encode the body in this charset (default: charset)
    encoding: str = "8bit"  # 8bit, quoted-printable, base64
    html: str | None = None  # an HTML alternative (or the only part with html_only)
    html_only: bool = False
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)
    extra_headers: list[tuple[str, str]] = field(default_factory=list)
    subject_raw: bytes | None = None  # a subject header written as raw bytes

    def header_lines(self) -> list[bytes]:
        lines: list[bytes] = []

        def add(name: str, value: str | None) -> None:
            if value is not None:
                encoded = value if value.isascii() else Header(value, "utf-8").encode()
                lines.append(f"{name}: {encoded}".encode())

        add("From", self.sender)
        add("Date", self.date)
        add("Message-ID", self.message_id)
        add("In-Reply-To", self.in_reply_to)
        add("References", self.references)
        if self.subject_raw is not None:
            lines.append(b"Subject: " + self.subject_raw)
        else:
            add("Subject", self.subject)
        for name, value in self.extra_headers:
            add(name, value)
        lines.append(b"MIME-Version: 1.0")
        return lines


def _encoded(data: bytes, encoding: str) -> bytes:
    if encoding == "base64":
        return base64.encodebytes(data)
    if encoding == "quoted-printable":
        return quopri.encodestring(data)
    return data


def _text_part(text: str, subtype: str, mail: Mail) -> bytes:
    codec = mail.body_bytes_charset or mail.charset or "utf-8"
    data = text.encode(codec)
    declared = f"; charset={mail.charset}" if mail.charset else ""
    return (
        f"Content-Type: text/{subtype}{declared}\n".encode()
        + f"Content-Transfer-Encoding: {mail.encoding}\n\n".encode()
        + _encoded(data, mail.encoding)
    )


def build(mail: Mail) -> bytes:
    """The raw bytes of a mail (LF line ends)."""
    head = b"\n".join(mail.header_lines()) + b"\n"
    parts: list[bytes] = []
    if mail.html_only:
        assert mail.html is not None
        parts.append(_text_part(mail.html, "html", mail))
    elif mail.html is not None:
        inner = [_text_part(mail.body, "plain", mail), _text_part(mail.html, "html", mail)]
        parts.append(_multipart("alternative", inner, "alt-boundary"))
    else:
        parts.append(_text_part(mail.body, "plain", mail))
    for name, content_type, data in mail.attachments:
        parts.append(
            f'Content-Type: {content_type}; name="{name}"\n'
            f'Content-Disposition: attachment; filename="{name}"\n'
            "Content-Transfer-Encoding: base64\n\n".encode()
            + base64.encodebytes(data)
        )
    if len(parts) == 1:
        return head + parts[0]
    return head + _multipart("mixed", parts, "mixed-boundary")


def _multipart(subtype: str, parts: list[bytes], boundary: str) -> bytes:
    out = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\n\n'.encode()
    for part in parts:
        out += f"--{boundary}\n".encode() + part.rstrip(b"\n") + b"\n"
    return out + f"--{boundary}--\n".encode()


def mbox(messages: list[bytes], *, crlf: bool = False, envelope: str = "") -> bytes:
    """An mbox: From_ lines, body lines starting with "From " escaped as ">From "."""
    out = b""
    for number, raw in enumerate(messages):
        line = envelope or f"From amina@example.org Tue Mar  {2 + number % 7} 09:15:00 2010"
        body = b"\n".join(
            b">" + row if row.startswith(b"From ") or row.startswith(b">From ") else row
            for row in raw.rstrip(b"\n").split(b"\n")
        )
        out += line.encode() + b"\n" + body + b"\n\n"
    return out.replace(b"\n", b"\r\n") if crlf else out


def write_mbox(path: Path, messages: list[bytes], **kwargs: bool | str) -> Path:
    """An mbox file (gzipped when the name ends with .gz)."""
    data = mbox(messages, **kwargs)  # type: ignore[arg-type]
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def write_takeout(path: Path, messages: list[bytes], group: str = "pole-ess") -> Path:
    """A Google Takeout zip holding the group's mbox."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Takeout/archive_browser.html", "<html></html>")
        archive.writestr(f"Takeout/Groups/{group}/messages.mbox", mbox(messages))
    return path


def write_groupsio(path: Path, messages: list[bytes]) -> Path:
    """A Groups.io export zip: messages.mbox and the member list."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("messages.mbox", mbox(messages))
        archive.writestr("members.csv", "email,name\n")
    return path


def write_eml_folder(folder: Path, messages: list[bytes]) -> Path:
    """A folder of .eml files (one in a subfolder)."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, raw in enumerate(messages, start=1):
        target = folder / ("sous-dossier" if number == 2 else "") / f"message-{number:03}.eml"
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(raw)
    return folder


def write_pipermail(path: Path, messages: list[bytes]) -> Path:
    """A pipermail monthly archive: senders rewritten "user at domain"."""
    out = b""
    for raw in messages:
        head, _sep, body = raw.partition(b"\n\n")
        head = b"\n".join(
            line.replace(b"@", b" at ") if line.startswith(b"From:") else line
            for line in head.split(b"\n")
        )
        out += b"From amina at example.org  Tue Mar  2 09:15:00 2010\n" + head + b"\n\n"
        out += body.rstrip(b"\n") + b"\n\n"
    path.write_bytes(gzip.compress(out) if path.name.endswith(".gz") else out)
    return path


def write_yahoo(
    folder: Path,
    messages: list[tuple[bytes, int, list[tuple[str, bytes | None]]]],
) -> Path:
    """A yahoo-group-archiver folder: (raw, topicId, [(attachment name, bytes or None)])."""
    email_dir = folder / "email"
    email_dir.mkdir(parents=True, exist_ok=True)
    for number, (raw, topic, attachments) in enumerate(messages, start=1):
        text = raw.decode("utf-8", "replace").replace("@example.org", "@...")
        raw_json = {"msgId": number, "rawEmail": html.escape(text), "authorName": ""}
        (email_dir / f"{number}_raw.json").write_text(json.dumps(raw_json), encoding="utf-8")
        details = {
            "msgId": number,
            "topicId": topic,
            "attachments": [
                {"filename": name, "fileType": "application/pdf"} for name, _data in attachments
            ],
        }
        (email_dir / f"{number}.json").write_text(json.dumps(details), encoding="utf-8")
        for name, data in attachments:
            if data is not None:
                (email_dir / f"{number}-{name}").write_bytes(data)
    (folder / "files").mkdir(exist_ok=True)
    (folder / "files" / "fileinfo.json").write_text("[]", encoding="utf-8")
    return folder


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def conversation() -> list[bytes]:
    """A small French thread: a question, two replies (one quoting), an orphan reply."""
    return [
        build(Mail()),
        build(
            Mail(
                subject="Re: Réunion du pôle ESS",
                sender="=?iso-8859-1?q?Fran=E7ois_P=E9rez?= <Francois@Example.org>",
                date="Tue, 02 Mar 2010 11:00:00 +0100",
                message_id="<m2@example.org>",
                in_reply_to="<m1@example.org>",
                references="<m1@example.org>",
                body=(
                    "Je serai là.\n\nLe 2 mars 2010 à 09:15, Amina a écrit :\n"
                    "> Bonjour à tous,\n> La réunion aura lieu jeudi."
                ),
                charset="iso-8859-1",
                encoding="quoted-printable",
            )
        ),
        build(
            Mail(
                subject="RE : Réunion du pôle ESS",
                sender="Karim <karim@example.org>",
                date="Wed, 03 Mar 2010 08:00:00 +0000",
                message_id="<m3@example.org>",
                in_reply_to="<m2@example.org>",
                references="<m1@example.org> <m2@example.org>",
                body="Moi aussi, à jeudi !",
            )
        ),
    ]

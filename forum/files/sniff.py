"""What a received file really is, decided from its bytes against an allowlist.

Magic bytes identify images, PDF, zip containers (OpenDocument, OOXML, plain zip) and OLE
compound files (legacy .doc/.xls). Plain text has no magic: .txt, .csv and .md files are
accepted when their bytes decode as UTF-8 or windows-1252, hold no NUL and no HTML or SVG
markup. Zip containers are opened to count their members and add up their uncompressed size
(zip bombs). Everything else is refused with a message meant for the member. SVG never passes:
it can carry scripts.
"""

import codecs
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from forum.errors import InvalidInput
from forum.i18n import gettext as _

HEAD_BYTES = 8192
MAX_ZIP_MEMBERS = 5000
MAX_ZIP_UNCOMPRESSED = 1024 * 1024 * 1024  # 1 GiB once unpacked
MAX_ZIP_RATIO = 200  # a member that unpacks to 200 times its size is a bomb

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
TEXT_EXTENSIONS = {".txt": "text/plain", ".csv": "text/csv", ".md": "text/markdown"}
OLE_EXTENSIONS = {".doc": "application/msword", ".xls": "application/vnd.ms-excel"}
OPENDOCUMENT_TYPES = frozenset(
    {
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)
OOXML_PARTS = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
}
ZIP_TYPE = "application/zip"
PDF_TYPE = "application/pdf"

# Tags a browser would render or run; their presence makes a "text" file something else.
_MARKUP = re.compile(
    rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|frame|object|embed|style|meta|link|"
    rb"img|form|base|math|\?xml)\b",
    re.IGNORECASE,
)
_MARKUP_OVERLAP = 32


@dataclass(frozen=True)
class Sniffed:
    """The verdict on a file: its media type and what the interface calls it."""

    content_type: str

    @property
    def is_image(self) -> bool:
        """Raster images we re-encode and show inline."""
        return self.content_type in IMAGE_TYPES


def refuse(message: str) -> InvalidInput:
    """The error raised for a refused file (the form field is always `file`)."""
    return InvalidInput({"file": message})


def _extension(filename: str) -> str:
    return PurePosixPath(filename.replace("\\", "/")).suffix.lower()


def _magic(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return PDF_TYPE
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return ZIP_TYPE
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    return None


def _read_start(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """At most `limit` unpacked bytes of a member (a member may lie about its size)."""
    with archive.open(name) as member:
        return member.read(limit)


def _zip_type(path: Path) -> str:
    """The type of a zip container, once its size and member count are found reasonable."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise refuse(
                    _(
                        "Cette archive contient trop de fichiers (%(max)s au plus).",
                        max=MAX_ZIP_MEMBERS,
                    )
                )
            total = 0
            for member in members:
                total += member.file_size
                ratio = member.file_size / max(member.compress_size, 1)
                if total > MAX_ZIP_UNCOMPRESSED or (
                    ratio > MAX_ZIP_RATIO and member.file_size > 10 * 1024 * 1024
                ):
                    raise refuse(
                        _("Cette archive se décompresse en une taille démesurée : refusée.")
                    )
            names = {member.filename for member in members}
            if "mimetype" in names:
                declared = _read_start(archive, "mimetype", 100).decode("ascii", "replace").strip()
                if declared in OPENDOCUMENT_TYPES:
                    return declared
            if "[Content_Types].xml" in names:
                types = _read_start(archive, "[Content_Types].xml", 1_000_000)
                if b"macroenabled" in types.lower():
                    raise refuse(_("Les documents Office avec macros ne sont pas acceptés."))
                for part, content_type in OOXML_PARTS.items():
                    if part in names:
                        return content_type
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, KeyError, OSError):
        raise refuse(_("Cette archive est endommagée ou illisible.")) from None
    return ZIP_TYPE


def _text_type(path: Path, extension: str) -> str:
    """text/… with its charset, when the whole file is clean text; refused otherwise."""
    for encoding in ("utf-8", "windows-1252"):
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        tail = b""
        try:
            with path.open("rb") as source:
                while chunk := source.read(1024 * 1024):
                    if b"\x00" in chunk:
                        raise refuse(_("Ce fichier n'est pas du texte."))
                    if _MARKUP.search(tail + chunk):
                        raise refuse(
                            _(
                                "Ce fichier texte contient du HTML ou du SVG : "
                                "envoyez-le dans une archive zip."
                            )
                        )
                    tail = chunk[-_MARKUP_OVERLAP:]
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return f"{TEXT_EXTENSIONS[extension]}; charset={encoding}"
    raise refuse(_("Ce fichier texte n'est ni en UTF-8 ni en windows-1252."))


def accepted_kinds() -> str:
    """The accepted types, for help texts and error messages."""
    return _(
        "images (JPEG, PNG, GIF, WebP), PDF, documents OpenDocument et Office "
        "(odt, ods, odp, docx, xlsx, pptx, doc, xls), archives zip, texte (txt, csv, md)"
    )


def sniff(path: Path, filename: str) -> Sniffed:
    """Decide a received file's type from its content; InvalidInput(file=…) when refused."""
    with path.open("rb") as source:
        head = source.read(HEAD_BYTES)
    if not head:
        raise refuse(_("Le fichier est vide."))
    extension = _extension(filename)
    found = _magic(head)
    if found == ZIP_TYPE:
        return Sniffed(_zip_type(path))
    if found == "ole":
        if extension in OLE_EXTENSIONS:
            return Sniffed(OLE_EXTENSIONS[extension])
        found = None
    if found is not None:
        return Sniffed(found)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if extension == ".svg" or stripped.startswith(b"<svg") or b"<svg" in head.lower():
        raise refuse(_("Les images SVG ne sont pas acceptées : envoyez-les en PNG ou en PDF."))
    if extension in TEXT_EXTENSIONS:
        return Sniffed(_text_type(path, extension))
    raise refuse(
        _(
            "Ce type de fichier n'est pas accepté. Types acceptés : %(kinds)s.",
            kinds=accepted_kinds(),
        )
    )

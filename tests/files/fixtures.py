"""Accepted files and one file per rejection path, generated in code (no binary fixtures)."""

import io
import struct
import zipfile
import zlib

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg(
    width: int = 64, height: int = 48, *, orientation: int | None = None, gps: bool = False
) -> bytes:
    """A JPEG, optionally with an EXIF orientation and a GPS position."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    # A marker pixel block top-left, to see where orientation puts it.
    for x in range(width // 4):
        for y in range(height // 4):
            image.putpixel((x, y), (0, 0, 255))
    exif = Image.Exif()
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if gps:
        exif[0x010F] = "TestCamera"
        gps_ifd = exif.get_ifd(GPS_IFD)
        gps_ifd[1] = "N"
        gps_ifd[2] = (48.0, 51.0, 24.0)
        gps_ifd[3] = "E"
        gps_ifd[4] = (2.0, 21.0, 3.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes() if len(exif) or gps else b"", quality=90)
    return out.getvalue()


def png(width: int = 40, height: int = 30, *, alpha: bool = False) -> bytes:
    """A PNG (with transparency if asked)."""
    image = Image.new(
        "RGBA" if alpha else "RGB", (width, height), (10, 120, 10, 128)[: 4 if alpha else 3]
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def gif() -> bytes:
    """A small GIF."""
    out = io.BytesIO()
    Image.new("P", (20, 20), 3).save(out, "GIF")
    return out.getvalue()


def webp() -> bytes:
    """A small WebP."""
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (1, 2, 3)).save(out, "WEBP")
    return out.getvalue()


def pdf() -> bytes:
    """A minimal PDF."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _zip(members: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first is not None:
            archive.writestr(
                zipfile.ZipInfo(stored_first), members[stored_first], zipfile.ZIP_STORED
            )
        for name, data in members.items():
            if name != stored_first:
                archive.writestr(name, data)
    return out.getvalue()


def odt() -> bytes:
    """An OpenDocument text (zip with its mimetype member first)."""
    return _zip(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": b"<?xml version='1.0'?><office:document-content/>",
        },
        stored_first="mimetype",
    )


def docx(*, macros: bool = False) -> bytes:
    """An OOXML Word document (zip with [Content_Types].xml)."""
    kind = (
        "ms-word.document.macroEnabled.main+xml" if macros else "wordprocessingml.document.main+xml"
    )
    return _zip(
        {
            "[Content_Types].xml": (
                f'<Types><Override ContentType="application/vnd.{kind}"/></Types>'.encode()
            ),
            "word/document.xml": b"<w:document/>",
        }
    )


def xlsx() -> bytes:
    """An OOXML spreadsheet."""
    return _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def ole() -> bytes:
    """The start of an OLE compound file (legacy .doc/.xls, but also .msi installers)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def plain_zip() -> bytes:
    """An ordinary zip archive."""
    return _zip({"notes/a.txt": b"bonjour", "b.csv": b"a;b\n1;2\n"})


def exe() -> bytes:
    """A Windows executable header (to be renamed .jpg)."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 54 + b"PE\x00\x00" + b"\x00" * 200


def html_as_image() -> bytes:
    """HTML with a script, to be disguised as photo.jpg."""
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def svg_with_script() -> bytes:
    """An SVG image carrying a script."""
    return (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
    )


def zip_bomb() -> bytes:
    """A zip whose one member unpacks to 1000 times its packed size."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("zeros.bin", "w") as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(12):
                member.write(chunk)
    return out.getvalue()


def crowded_zip(count: int = 5001) -> bytes:
    """A zip with too many members."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for index in range(count):
            archive.writestr(f"f{index}.txt", b"")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pixel_bomb(width: int = 10_000, height: int = 10_000) -> bytes:
    """A tiny PNG that claims width × height pixels (1 bit each): a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compressobj(9)
    raw = rows.compress((b"\x00" + b"\x00" * ((width + 7) // 8)) * 64) + rows.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", raw) + _chunk(b"IEND", b"")
    )


def truncated_jpeg() -> bytes:
    """A JPEG cut in the middle of its data."""
    whole = jpeg(400, 300)
    return whole[: len(whole) // 2]


def text_utf8() -> bytes:
    """Clean UTF-8 text with accents."""
    return "Compte rendu de la réunion du pôle ESS\nÉlèves : 12 ; coût : 30 €\n".encode()


def text_windows_1252() -> bytes:
    """Text in windows-1252 (not UTF-8)."""
    return "Réunion à Tanger, coût 30 €, « ordre du jour »\n".encode("windows-1252")


def text_with_html() -> bytes:
    """A .txt holding an HTML page."""
    return b"Bonjour\n<html><script>alert(1)</script></html>\n"

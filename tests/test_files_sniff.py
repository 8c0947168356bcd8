"""Sniffing and image work: the allowlist, one rejection per bad file, EXIF and orientation."""

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from forum.errors import InvalidInput
from forum.files import images
from forum.files.intake import clean_name, prepare_file
from forum.files.sniff import sniff
from forum.files.storage import LocalStorage, sha256_of
from tests.files import fixtures


def write(tmp_path: Path, data: bytes, name: str = "upload") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


ACCEPTED: list[tuple[str, Callable[[], bytes], str]] = [
    ("photo.jpg", fixtures.jpeg, "image/jpeg"),
    ("image.png", fixtures.png, "image/png"),
    ("anim.gif", fixtures.gif, "image/gif"),
    ("img.webp", fixtures.webp, "image/webp"),
    ("rapport.pdf", fixtures.pdf, "application/pdf"),
    ("compte-rendu.odt", fixtures.odt, "application/vnd.oasis.opendocument.text"),
    (
        "note.docx",
        fixtures.docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "budget.xlsx",
        fixtures.xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("ancien.doc", fixtures.ole, "application/msword"),
    ("ancien.xls", fixtures.ole, "application/vnd.ms-excel"),
    ("archive.zip", fixtures.plain_zip, "application/zip"),
    ("notes.txt", fixtures.text_utf8, "text/plain; charset=utf-8"),
    ("tableau.csv", fixtures.text_windows_1252, "text/csv; charset=windows-1252"),
    ("lisez-moi.md", fixtures.text_utf8, "text/markdown; charset=utf-8"),
]


@pytest.mark.parametrize(("name", "make", "expected"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_accepted_kinds_are_recognised_by_content(
    tmp_path: Path, name: str, make: Callable[[], bytes], expected: str
) -> None:
    assert sniff(write(tmp_path, make()), name).content_type == expected


def test_the_extension_does_not_decide_the_type(tmp_path: Path) -> None:
    # A PNG called .pdf is a PNG; a PDF called .jpg is a PDF.
    assert sniff(write(tmp_path, fixtures.png()), "scan.pdf").content_type == "image/png"
    assert sniff(write(tmp_path, fixtures.pdf()), "photo.jpg").content_type == "application/pdf"


REFUSED: list[tuple[str, Callable[[], bytes], str]] = [
    ("photo.jpg", fixtures.exe, "n'est pas accepté"),
    ("photo.jpg", fixtures.html_as_image, "n'est pas accepté"),
    ("page.html", fixtures.html_as_image, "n'est pas accepté"),
    ("logo.svg", fixtures.svg_with_script, "SVG"),
    ("logo.png", fixtures.svg_with_script, "SVG"),
    ("logo.txt", fixtures.svg_with_script, "SVG"),
    ("bombe.zip", fixtures.zip_bomb, "démesurée"),
    ("foule.zip", fixtures.crowded_zip, "trop de fichiers"),
    ("macros.docx", lambda: fixtures.docx(macros=True), "macros"),
    ("installeur.msi", fixtures.ole, "n'est pas accepté"),
    ("notes.txt", fixtures.text_with_html, "HTML"),
    ("vide.txt", lambda: b"", "vide"),
    ("binaire.txt", lambda: b"abc\x00def", "pas du texte"),
    ("archive.zip", lambda: b"PK\x03\x04" + b"\xff" * 100, "endommagée"),
]


@pytest.mark.parametrize(
    ("name", "make", "message"), REFUSED, ids=[f"{r[0]}-{i}" for i, r in enumerate(REFUSED)]
)
def test_refused_files_get_a_french_message(
    tmp_path: Path, name: str, make: Callable[[], bytes], message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        sniff(write(tmp_path, make()), name)
    assert message in refused.value.errors["file"]


def test_text_that_is_neither_utf8_nor_windows_1252_is_refused(tmp_path: Path) -> None:
    # 0x81 is undefined in windows-1252 and invalid alone in UTF-8.
    with pytest.raises(InvalidInput) as refused:
        sniff(write(tmp_path, b"caf\x81 au lait\n"), "notes.txt")
    assert "UTF-8" in refused.value.errors["file"]


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "files")


def open_blob(storage: LocalStorage, sha256: str) -> Image.Image:
    return Image.open(io.BytesIO(storage.path(sha256).read_bytes()))


def test_images_get_a_display_size_and_a_thumbnail_without_exif(
    tmp_path: Path, storage: LocalStorage
) -> None:
    path = write(tmp_path, fixtures.jpeg(2400, 1200, gps=True))
    result = images.process_image(path, storage)
    assert (result.width, result.height) == (2400, 1200)
    display = open_blob(storage, result.display.sha256)
    thumb = open_blob(storage, result.thumbnail.sha256)
    assert display.size == (1600, 800)
    assert max(thumb.size) == images.THUMB_MAX
    for rendition in (display, thumb):
        assert not rendition.getexif()
    # The original carried GPS: it is replaced by a cleaned full-size copy.
    assert result.cleaned_original is not None
    cleaned_path, cleaned_sha = result.cleaned_original
    with Image.open(cleaned_path) as cleaned:
        assert cleaned.size == (2400, 1200)
        assert not cleaned.getexif()
    assert sha256_of(cleaned_path) == cleaned_sha


def test_exif_orientation_is_applied(tmp_path: Path, storage: LocalStorage) -> None:
    # Orientation 6: the camera was turned; the stored pixels must be rotated upright.
    path = write(tmp_path, fixtures.jpeg(80, 40, orientation=6))
    result = images.process_image(path, storage)
    assert (result.width, result.height) == (40, 80)
    display = open_blob(storage, result.display.sha256).convert("RGB")
    assert display.size == (40, 80)
    # The blue corner block, top-left before rotation, is now top-right.
    red, green, blue = display.getpixel((38, 2))  # type: ignore[misc]
    assert blue > 150 and red < 100


def test_transparent_images_stay_transparent(tmp_path: Path, storage: LocalStorage) -> None:
    result = images.process_image(write(tmp_path, fixtures.png(alpha=True)), storage)
    assert result.display.content_type == "image/png"
    assert open_blob(storage, result.display.sha256).mode == "RGBA"


@pytest.mark.parametrize(
    "size", [(10_000, 10_000), (7_000, 7_000)], ids=["over-twice-the-limit", "over-the-limit"]
)
def test_pixel_bombs_are_refused(
    tmp_path: Path, storage: LocalStorage, size: tuple[int, int]
) -> None:
    path = write(tmp_path, fixtures.pixel_bomb(*size), "bomb.png")
    assert sniff(path, "bomb.png").is_image
    with pytest.raises(InvalidInput) as refused:
        images.process_image(path, storage)
    assert "trop grande" in refused.value.errors["file"]


def test_truncated_images_are_refused(tmp_path: Path, storage: LocalStorage) -> None:
    path = write(tmp_path, fixtures.truncated_jpeg(), "cut.jpg")
    with pytest.raises(InvalidInput) as refused:
        images.process_image(path, storage)
    assert "endommagée" in refused.value.errors["file"]


def test_prepare_removes_refused_files_and_stores_identical_bytes_once(
    tmp_path: Path, storage: LocalStorage
) -> None:
    bad = write(tmp_path, fixtures.exe(), "a.jpg")
    with pytest.raises(InvalidInput):
        prepare_file(storage, bad, "a.jpg", sha256_of(bad))
    assert not bad.exists()
    first = write(tmp_path, fixtures.pdf(), "one.pdf")
    second = write(tmp_path, fixtures.pdf(), "two.pdf")
    a = prepare_file(storage, first, "one.pdf", sha256_of(first))
    b = prepare_file(storage, second, "two.pdf", sha256_of(second))
    assert a.sha256 == b.sha256
    root = tmp_path / "files"
    stored = [p for p in root.rglob("*") if p.is_file() and p.parent != root / "tmp"]
    assert len(stored) == 1


def test_names_are_kept_but_cleaned() -> None:
    assert (
        clean_name("Compte rendu d'activité – été 2026.pdf")
        == "Compte rendu d'activité – été 2026.pdf"
    )
    assert clean_name("C:\\Users\\amina\\photo.jpg") == "photo.jpg"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("bad\x00\x1fname.txt") == "badname.txt"
    assert clean_name("") == "fichier"
    long = clean_name("é" * 400 + ".pdf")
    assert len(long) == 255 and long.endswith(".pdf")

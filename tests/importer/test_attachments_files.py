"""Imported attachments through the upload pipeline: library files linked to their posts,
images re-encoded without EXIF and with a thumbnail, refused types kept in the raw message,
no duplicates on re-import, nothing stored by a dry run, pending attachments published."""

import io
import json
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import col, select
from starlette.testclient import TestClient

from forum.db import Database
from forum.files.storage import LocalStorage
from forum.importer.file_sink import LibrarySink
from forum.importer.load import ImportOptions
from forum.importer.report import ImportReport
from forum.importer.run import run_import
from forum.models import File, ImportedMessage, Post, PostFile, StoredBlob
from forum.settings import Settings
from tests.conftest import ClientAs, MakeMember
from tests.files import fixtures
from tests.importer.archives import Mail, build, write_mbox
from tests.test_cli import Invoke, ok

pytest_plugins = ["tests.test_cli"]

BOARD = "pole-ess"
NOW = datetime(2026, 11, 27, tzinfo=UTC)
VCARD = b"BEGIN:VCARD\nVERSION:3.0\nFN:Amina Benali\nEND:VCARD\n"
PHOTO = fixtures.jpeg(800, 600, gps=True)


def archive(tmp_path: Path) -> Path:
    """A message with a PDF, a photo with GPS, a vCard and an .exe; a reply with the PDF again."""
    first = Mail(
        attachments=[
            ("compte-rendu.pdf", "application/pdf", fixtures.pdf()),
            ("photo-reunion.jpg", "image/jpeg", PHOTO),
            ("amina.vcf", "text/x-vcard", VCARD),
            ("outil.exe", "application/octet-stream", fixtures.exe()),
        ]
    )
    reply = Mail(
        sender="Bruno Martin <bruno@example.org>",
        subject="Re: Réunion du pôle ESS",
        date="Wed, 03 Mar 2010 10:00:00 +0100",
        message_id="<m2@example.org>",
        in_reply_to="<m1@example.org>",
        body="Le compte rendu, encore.",
        attachments=[("compte-rendu.pdf", "application/pdf", fixtures.pdf())],
    )
    return write_mbox(tmp_path / "groupe.mbox", [build(first), build(reply)])


def storage_of(settings: Settings) -> LocalStorage:
    return LocalStorage(settings.data_dir / "files")


def load(
    db: Database, settings: Settings, path: Path, *, library: bool = True, dry_run: bool = False
) -> ImportReport:
    options = ImportOptions(board_slug=BOARD, archive=path.name, format="mbox", dry_run=dry_run)
    if library:
        options.sink = LibrarySink(storage_of(settings), max_bytes=settings.max_upload_mb << 20)
    return run_import(db, "mbox", [path], options, now=NOW)


def rows(db: Database) -> tuple[list[File], list[PostFile], list[StoredBlob]]:
    def read(session):  # type: ignore[no-untyped-def]
        return (
            list(session.exec(select(File).order_by(col(File.id))).all()),
            list(session.exec(select(PostFile).order_by(col(PostFile.id))).all()),
            list(session.exec(select(StoredBlob)).all()),
        )

    return db.reading(read)  # type: ignore[no-any-return]


def posts(db: Database) -> list[Post]:
    return list(db.reading(lambda s: s.exec(select(Post).order_by(col(Post.id))).all()))


def provenance(db: Database) -> list[ImportedMessage]:
    return list(
        db.reading(
            lambda s: s.exec(select(ImportedMessage).order_by(col(ImportedMessage.id))).all()
        )
    )


def blobs_on_disk(settings: Settings) -> list[Path]:
    root = settings.data_dir / "files"
    return [p for p in root.rglob("*") if p.is_file() and "tmp" not in p.relative_to(root).parts]


def test_attachments_become_library_files_linked_to_their_posts(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    report = load(db, settings, archive(tmp_path))
    assert report.failures == []
    assert (report.posts_created, report.attachments_imported) == (2, 3)
    assert report.repairs["attachment_refused"] == 1  # the first message, flagged once
    files, links, _blobs = rows(db)
    pdf, photo = files
    assert (pdf.name, pdf.content_type) == ("compte-rendu.pdf", "application/pdf")
    assert (photo.name, photo.content_type) == ("photo-reunion.jpg", "image/jpeg")
    first, reply = posts(db)
    # The same PDF sent twice is one library file, linked to both posts.
    assert [(link.post_id, link.file_id, link.position) for link in links] == [
        (first.id, pdf.id, 0),
        (first.id, photo.id, 1),
        (reply.id, pdf.id, 0),
    ]
    assert pdf.board_id == photo.board_id and pdf.folder_id is None
    assert pdf.uploader_id == first.author_id and photo.uploader_id == first.author_id
    assert pdf.created_at == datetime(2010, 3, 2, 8, 15, tzinfo=UTC)
    # The photo has its renditions, and none of the stored images keeps the GPS position.
    assert photo.thumb_sha256 and photo.display_sha256 and (photo.width, photo.height) == (800, 600)
    storage = storage_of(settings)
    for sha in (photo.blob_sha256, photo.display_sha256, photo.thumb_sha256):
        with Image.open(storage.path(sha)) as image:
            assert not image.getexif()
    assert storage.path(pdf.blob_sha256).read_bytes() == fixtures.pdf()
    # The vCard and the .exe are not published: flagged, described, still in the raw message.
    row = provenance(db)[0]
    described = json.loads(row.attachments)
    assert [(a["name"], a["status"]) for a in described] == [
        ("compte-rendu.pdf", "imported"),
        ("photo-reunion.jpg", "imported"),
        ("amina.vcf", "refused"),
        ("outil.exe", "refused"),
    ]
    assert [a.get("file_id") for a in described[:2]] == [pdf.id, photo.id]
    assert "attachment_refused" in row.flags.split(",")
    raw = zlib.decompress(row.raw)
    assert b'filename="amina.vcf"' in raw and b'filename="outil.exe"' in raw


def test_imported_files_show_in_the_post_and_the_library(
    db: Database,
    settings: Settings,
    tmp_path: Path,
    make_member: MakeMember,
    client_as: ClientAs,
    client: TestClient,
) -> None:
    load(db, settings, archive(tmp_path))
    _pdf, photo = rows(db)[0]
    first = posts(db)[0]
    amina = client_as(make_member("amina", groups={BOARD: "member"}))
    topic = amina.get(f"/t/{first.topic_id}").text
    assert f"/f/{photo.public_id}/thumb" in topic and "compte-rendu.pdf" in topic
    thumb = amina.get(f"/f/{photo.public_id}/thumb")
    assert thumb.status_code == 200
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert max(image.size) <= 400 and not image.getexif()
    library = amina.get(f"/b/{BOARD}/fichiers").text
    assert "compte-rendu.pdf" in library and "photo-reunion.jpg" in library
    # The board is private: not for someone outside its group.
    assert client.get(f"/f/{photo.public_id}/thumb").status_code == 404


def test_reimport_creates_no_duplicate(db: Database, settings: Settings, tmp_path: Path) -> None:
    path = archive(tmp_path)
    load(db, settings, path)
    before = rows(db)
    on_disk = sorted(blobs_on_disk(settings))
    again = load(db, settings, path)
    assert (again.posts_created, again.attachments_imported, again.duplicates_skipped) == (0, 0, 2)
    after = rows(db)
    assert [len(part) for part in after] == [len(part) for part in before] == [2, 3, 4]
    assert sorted(blobs_on_disk(settings)) == on_disk


def test_a_type_the_pipeline_refuses_keeps_its_french_reason(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    page = b"<html><body><script>alert(1)</script></body></html>\n"
    path = write_mbox(
        tmp_path / "g.mbox", [build(Mail(attachments=[("page.txt", "text/plain", page)]))]
    )
    report = load(db, settings, path)
    assert report.attachments_imported == 0 and report.failures == []
    assert report.repairs["attachment_refused"] == 1
    (entry,) = json.loads(provenance(db)[0].attachments)
    assert entry["status"] == "refused" and "HTML" in entry["refused"]
    assert rows(db)[0] == [] and blobs_on_disk(settings) == []


def test_attachments_left_pending_are_published_by_a_second_pass(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    path = archive(tmp_path)
    before = load(db, settings, path, library=False)  # as before the library existed
    assert (before.attachments_imported, before.attachments_pending) == (0, 3)
    assert rows(db)[0] == []
    second = load(db, settings, path)
    assert (second.posts_created, second.attachments_imported) == (0, 3)
    files, links, _blobs = rows(db)
    assert len(files) == 2 and len(links) == 3
    first, _reply = posts(db)
    assert {f.uploader_id for f in files} == {first.author_id}
    statuses = [[a["status"] for a in json.loads(r.attachments)] for r in provenance(db)]
    assert statuses == [["imported", "imported", "refused", "refused"], ["imported"]]
    third = load(db, settings, path)
    assert third.attachments_imported == 0 and len(rows(db)[0]) == 2


def test_the_command_publishes_attachments_and_its_dry_run_stores_nothing(
    forum: Invoke, cli_settings: Settings, tmp_path: Path
) -> None:
    ok(forum("init"))
    path = archive(tmp_path)
    dry = ok(forum("import", "mbox", str(path), "--board", BOARD, "--dry-run"))
    assert any(line.startswith("Simulation") for line in dry)
    assert blobs_on_disk(cli_settings) == []
    lines = ok(forum("import", "mbox", str(path), "--board", BOARD))
    assert "  pièces jointes importées : 3" in lines
    assert len(blobs_on_disk(cli_settings)) == 4  # the PDF, the photo, its two renditions


@pytest.mark.parametrize("dry_run", [False, True])
def test_web_import_jobs_publish_attachments(
    db: Database, make_member: MakeMember, client_as: ClientAs, tmp_path: Path, dry_run: bool
) -> None:
    from tests.importer.test_admin_import import upload

    admin = client_as(make_member("admin", admin=True))
    data = archive(tmp_path).read_bytes()
    fields = {"dry_run": "1"} if dry_run else {}
    assert upload(admin, data, "groupe.mbox", **fields).status_code == 303
    files = rows(db)[0]
    assert [f.name for f in files] == ([] if dry_run else ["compte-rendu.pdf", "photo-reunion.jpg"])

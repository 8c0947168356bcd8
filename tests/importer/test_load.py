"""Loading into a board: topics and posts as the services make them, provenance, idempotence,
overlap, people, dry run, failures, search, and the report's keys."""

import json
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from forum.db import Database
from forum.errors import InvalidInput, NotFound
from forum.importer.load import ImportOptions
from forum.importer.people import read_people_map
from forum.importer.report import ImportReport
from forum.importer.run import run_import
from forum.models import Board, ImportedMessage, ImportPerson, Post, Topic, User
from forum.search import SearchQuery, make_search_backend
from tests.conftest import MakeMember
from tests.importer.archives import (
    PDF,
    Mail,
    build,
    conversation,
    write_eml_folder,
    write_mbox,
    write_yahoo,
)

BOARD = "pole-ess"
NOW = datetime(2026, 11, 27, tzinfo=UTC)
REPORT_KEYS = {
    "messages_read",
    "topics_created",
    "posts_created",
    "attachments_imported",
    "duplicates_skipped",
    "people_matched",
    "placeholders_created",
    "failures",
    "repairs",
}


def load(
    db: Database, fmt: str, *paths: Path, dry_run: bool = False, **kwargs: object
) -> ImportReport:
    options = ImportOptions(
        board_slug=BOARD,
        archive=paths[0].name,
        format=fmt,
        dry_run=dry_run,
        **kwargs,  # type: ignore[arg-type]
    )
    return run_import(db, fmt, list(paths), options, search=make_search_backend(db.engine), now=NOW)


def counts(db: Database) -> tuple[int, int, int]:
    def count(session: Session) -> tuple[int, int, int]:
        return (
            session.exec(select(func.count()).select_from(Topic)).one(),
            session.exec(select(func.count()).select_from(Post)).one(),
            session.exec(select(func.count()).select_from(ImportedMessage)).one(),
        )

    return db.reading(count)


def posts(db: Database) -> list[Post]:
    return db.reading(lambda s: list(s.exec(select(Post).order_by(col(Post.id))).all()))


def test_a_conversation_becomes_a_topic_with_numbered_replies(db: Database, tmp_path: Path) -> None:
    report = load(db, "mbox", write_mbox(tmp_path / "g.mbox", conversation()))
    assert report.failures == []
    (topic,) = db.reading(lambda s: list(s.exec(select(Topic)).all()))
    first, second, third = posts(db)
    assert topic.title == "Réunion du pôle ESS"
    assert topic.post_count == 3 and topic.first_post_id == first.id
    assert topic.created_at == datetime(2010, 3, 2, 8, 15, tzinfo=UTC)
    assert topic.last_post_at == third.created_at == datetime(2010, 3, 3, 8, 0, tzinfo=UTC)
    assert [p.number for p in (first, second, third)] == [1, 2, 3]
    assert (second.reply_to_id, third.reply_to_id) == (first.id, second.id)
    assert "quoted-history" in second.html and "Le 2 mars 2010" in second.body
    assert report.as_dict()["topics_created"] == 1
    assert report.posts_created == 3 and report.placeholders_created == 3


def test_report_keys_and_a_rerun_that_adds_nothing(db: Database, tmp_path: Path) -> None:
    path = write_mbox(tmp_path / "g.mbox", conversation())
    load(db, "mbox", path)
    again = load(db, "auto", path).as_dict()
    assert REPORT_KEYS <= set(again)
    assert again["messages_read"] == 3 and again["duplicates_skipped"] == 3
    assert [again[k] for k in ("topics_created", "posts_created", "placeholders_created")] == [
        0,
        0,
        0,
    ]
    assert again["failures"] == [] and sum(again["repairs"].values()) == 0
    assert counts(db) == (1, 3, 3)
    json.loads(load(db, "mbox", path).as_json())


def test_an_overlapping_archive_adds_only_what_is_new(db: Database, tmp_path: Path) -> None:
    first, second, third = conversation()
    load(db, "mbox", write_mbox(tmp_path / "a.mbox", [first, second]))
    later = build(
        Mail(
            subject="Re: Réunion du pôle ESS",
            message_id="<m4@example.org>",
            in_reply_to="<m3@example.org>",
            date="Thu, 04 Mar 2010 08:00:00 +0000",
            body="Compte rendu en pièce jointe.",
        )
    )
    report = load(db, "eml", write_eml_folder(tmp_path / "eml", [second, third, later]))
    assert (report.duplicates_skipped, report.posts_created, report.topics_created) == (1, 2, 0)
    assert counts(db) == (1, 4, 4)
    numbers = [(p.number, p.reply_to_id) for p in posts(db)]
    ids = [p.id for p in posts(db)]
    assert numbers == [(1, None), (2, ids[0]), (3, ids[1]), (4, ids[2])]
    topic = db.reading(lambda s: s.exec(select(Topic)).one())
    assert topic.post_count == 4
    assert topic.last_post_at == datetime(2010, 3, 4, 8, 0, tzinfo=UTC)


def test_dry_run_writes_nothing_and_reports_the_same(db: Database, tmp_path: Path) -> None:
    path = write_mbox(tmp_path / "g.mbox", conversation())
    before = db.reading(lambda s: s.exec(select(func.count()).select_from(User)).one())
    dry = load(db, "mbox", path, dry_run=True)
    assert counts(db) == (0, 0, 0)
    assert db.reading(lambda s: s.exec(select(func.count()).select_from(User)).one()) == before
    real = load(db, "mbox", path)
    assert {**dry.as_dict(), "dry_run": False} == real.as_dict()


def test_provenance_keeps_the_raw_message_and_flags(db: Database, tmp_path: Path) -> None:
    raw = build(
        Mail(date="pas une date", body="Théâtre", charset=None, body_bytes_charset="cp1252")
    )
    report = load(db, "mbox", write_mbox(tmp_path / "g.mbox", [raw]))
    row = db.reading(lambda s: s.exec(select(ImportedMessage)).one())
    assert zlib.decompress(row.raw) == raw + b"\n"  # as the mbox held it
    assert row.flags == "charset_redecoded,date_repaired"
    assert row.archive == "g.mbox" and row.source == "g.mbox#1" and row.format == "mbox"
    assert report.repairs["date_repaired"] == 1
    assert report.as_dict()["flagged"] == [
        {
            "message": "m1@example.org",
            "source": "g.mbox#1",
            "flags": ["charset_redecoded", "date_repaired"],
        }
    ]


def test_attachments_stay_pending_until_the_file_library_exists(
    db: Database, tmp_path: Path
) -> None:
    raw = build(
        Mail(
            attachments=[
                ("cr.pdf", "application/pdf", PDF),
                ("carte.vcf", "text/x-vcard", b"BEGIN:VCARD\n"),
            ]
        )
    )
    report = load(db, "mbox", write_mbox(tmp_path / "g.mbox", [raw]))
    assert (report.attachments_imported, report.attachments_pending) == (0, 1)
    assert report.repairs["attachment_refused"] == 1
    row = db.reading(lambda s: s.exec(select(ImportedMessage)).one())
    described = json.loads(row.attachments)
    assert [(a["name"], a["status"]) for a in described] == [
        ("cr.pdf", "pending"),
        ("carte.vcf", "refused"),
    ]
    assert described[0]["size"] == len(PDF)


def test_members_are_matched_by_address_others_get_placeholders(
    db: Database, make_member: MakeMember, tmp_path: Path
) -> None:
    amina = make_member("amina", email="Amina@Example.org", name="Amina B.")
    report = load(db, "mbox", write_mbox(tmp_path / "g.mbox", conversation()))
    assert (report.people_matched, report.placeholders_created) == (1, 2)
    authors = [p.author_id for p in posts(db)]
    assert authors[0] == amina.id
    placeholders = db.reading(
        lambda s: list(s.exec(select(User).where(col(User.id).in_(authors[1:]))).all())
    )
    assert {u.display_name for u in placeholders} == {"François Pérez", "Karim"}
    assert all(
        u.email is None and not u.is_active and u.password_hash is None for u in placeholders
    )


def test_people_map_sends_redacted_addresses_to_members(
    db: Database, make_member: MakeMember, tmp_path: Path
) -> None:
    karim = make_member("karim.copcm")
    mapping = read_people_map(b"adresse,identifiant\nkarim@...,karim.copcm\n")
    folder = write_yahoo(tmp_path / "yahoo", [(raw, 1, []) for raw in conversation()])
    report = load(db, "yahoo", folder, people_map=mapping)
    assert report.people_matched == 1
    assert posts(db)[2].author_id == karim.id
    assert report.repairs["address_redacted"] == 2
    people = db.reading(lambda s: {p.address for p in s.exec(select(ImportPerson)).all()})
    assert "karim@..." in people


def test_people_map_rejects_bad_lines() -> None:
    with pytest.raises(InvalidInput):
        read_people_map(b"karim@example.org\n")


def test_failures_are_reported_and_the_rest_is_imported(db: Database, tmp_path: Path) -> None:
    path = write_mbox(tmp_path / "g.mbox", [*conversation(), b"\n"])
    path.write_bytes(path.read_bytes() + b"From x Tue Mar  2 09:15:00 2010\n\n\n\n")
    report = load(db, "mbox", path)
    assert report.posts_created == 3
    assert len(report.failures) == 1 and report.failures[0]["message"] == "g.mbox#4"


def test_unknown_board_fails_before_reading(db: Database, tmp_path: Path) -> None:
    options = ImportOptions(board_slug="inconnu")
    with pytest.raises(NotFound):
        run_import(db, "mbox", [tmp_path / "absent.mbox"], options, now=NOW)


def test_imported_posts_are_searchable_by_board(db: Database, tmp_path: Path) -> None:
    load(db, "mbox", write_mbox(tmp_path / "g.mbox", conversation()))
    board_id = db.reading(lambda s: s.exec(select(Board.id).where(Board.slug == BOARD)).one())
    assert board_id is not None
    backend = make_search_backend(db.engine)
    found = backend.search(SearchQuery(text="jeudi", board_ids=frozenset({board_id})))
    assert {r.kind for r in found.results} == {"post"}
    assert len(found.results) == 2  # the quoted history is not indexed a second time
    titles = backend.search(SearchQuery(text="reunion", board_ids=frozenset({board_id})))
    assert "topic" in {r.kind for r in titles.results}
    elsewhere = backend.search(SearchQuery(text="jeudi", board_ids=frozenset({board_id + 1})))
    assert elsewhere.results == []


class FakeLibrary:
    """A file library: prepares what is not too big, records it with an id."""

    def __init__(self) -> None:
        self.recorded: list[tuple[str, int, int]] = []

    def prepare(self, *, name: str, content_type: str, data: bytes) -> object | None:
        if len(data) > 1000:
            raise InvalidInput({"file": "trop gros"})
        return (name, data)

    def record(
        self,
        session: Session,
        prepared: object,
        *,
        board_id: int,
        post_id: int,
        author_id: int,
        created_at: datetime,
    ) -> int:
        assert isinstance(prepared, tuple)
        self.recorded.append((prepared[0], post_id, board_id))
        return len(self.recorded)


def test_attachment_seam_publishes_through_a_sink(db: Database, tmp_path: Path) -> None:
    library = FakeLibrary()
    raw = build(
        Mail(
            attachments=[
                ("cr.pdf", "application/pdf", PDF),
                ("gros.pdf", "application/pdf", PDF * 40),
            ]
        )
    )
    report = load(db, "mbox", write_mbox(tmp_path / "g.mbox", [raw]), sink=library)
    (post,) = posts(db)
    assert [(name, post_id) for name, post_id, _board in library.recorded] == [("cr.pdf", post.id)]
    assert (report.attachments_imported, report.attachments_pending) == (1, 0)
    assert report.repairs["attachment_refused"] == 1
    row = db.reading(lambda s: s.exec(select(ImportedMessage)).one())
    described = json.loads(row.attachments)
    assert [(a["status"], a.get("file_id")) for a in described] == [
        ("imported", 1),
        ("refused", None),
    ]
    assert row.flags == "attachment_refused"

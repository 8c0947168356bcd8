"""Claims: a member claims an archive address, an administrator confirms, authorship moves."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import col, select

from forum.db import Database
from forum.errors import Conflict, InvalidInput, NotFound
from forum.importer import claims
from forum.importer.load import ImportOptions
from forum.importer.run import run_import
from forum.models import ImportClaim, ImportPerson, Post, Topic, User
from tests.conftest import MakeMember
from tests.discussions import actor
from tests.importer.archives import Mail, build, conversation, write_mbox

NOW = datetime(2026, 11, 27, tzinfo=UTC)


@pytest.fixture
def imported(db: Database, tmp_path: Path) -> None:
    path = write_mbox(tmp_path / "g.mbox", conversation())
    run_import(db, "mbox", [path], ImportOptions(board_slug="pole-ess"), now=NOW)


def authors(db: Database) -> list[int]:
    return db.reading(
        lambda s: [p.author_id for p in s.exec(select(Post).order_by(col(Post.id))).all()]
    )


@pytest.mark.usefixtures("imported")
def test_a_confirmed_claim_moves_posts_and_topics(db: Database, make_member: MakeMember) -> None:
    amina = make_member("amina", name="Amina Benali")
    admin = make_member("admin", admin=True)
    placeholder = authors(db)[0]
    claim = db.transaction(
        claims.claim_address,
        actor=actor(db, amina),
        address=" Amina@Example.org ",
        note="c'est moi",
    )
    rows = db.reading(claims.list_claims, actor=actor(db, admin))
    assert [(r.address, r.archive_name, r.claimant.login, r.messages) for r in rows] == [
        ("amina@example.org", "Amina Benali", "amina", 1)
    ]
    assert claim.id is not None
    moved = db.transaction(claims.confirm_claim, actor=actor(db, admin), claim_id=claim.id)
    assert len(moved) == 1
    assert authors(db)[0] == amina.id
    topic = db.reading(lambda s: s.exec(select(Topic)).one())
    assert topic.author_id == amina.id
    person = db.reading(
        lambda s: s.exec(
            select(ImportPerson).where(ImportPerson.address == "amina@example.org")
        ).one()
    )
    assert (person.user_id, person.is_placeholder) == (amina.id, False)
    assert db.reading(lambda s: s.get(User, placeholder)) is None  # the placeholder is gone
    stored = db.reading(lambda s: s.get(ImportClaim, claim.id))
    assert stored is not None and stored.status == "confirmed"


@pytest.mark.usefixtures("imported")
def test_claims_are_checked(db: Database, make_member: MakeMember) -> None:
    karim = make_member("karim")
    member = actor(db, karim)
    with pytest.raises(InvalidInput):
        db.transaction(claims.claim_address, actor=member, address="inconnu@example.org")
    with pytest.raises(InvalidInput):
        db.transaction(claims.claim_address, actor=member, address="pas une adresse")
    db.transaction(claims.claim_address, actor=member, address="karim@example.org")
    with pytest.raises(Conflict):
        db.transaction(claims.claim_address, actor=member, address="karim@example.org")
    with pytest.raises(NotFound):  # administrators only
        db.reading(claims.list_claims, actor=member)


@pytest.mark.usefixtures("imported")
def test_a_refused_claim_moves_nothing(db: Database, make_member: MakeMember) -> None:
    karim, other = make_member("karim"), make_member("intrus")
    admin = actor(db, make_member("admin", admin=True))
    before = authors(db)
    mine = db.transaction(claims.claim_address, actor=actor(db, karim), address="karim@example.org")
    theirs = db.transaction(
        claims.claim_address, actor=actor(db, other), address="karim@example.org"
    )
    assert mine.id is not None and theirs.id is not None
    db.transaction(claims.refuse_claim, actor=admin, claim_id=theirs.id)
    assert authors(db) == before
    db.transaction(claims.confirm_claim, actor=admin, claim_id=mine.id)
    assert authors(db)[2] == karim.id
    with pytest.raises(NotFound):  # decided claims can't be decided again
        db.transaction(claims.confirm_claim, actor=admin, claim_id=theirs.id)
    listed = db.reading(claims.my_claims, actor=actor(db, other))
    assert [(c.status, address) for c, address in listed] == [("refused", "karim@example.org")]


@pytest.mark.usefixtures("imported")
def test_a_later_import_of_a_claimed_address_goes_to_the_member(
    db: Database, make_member: MakeMember, tmp_path: Path
) -> None:
    karim = make_member("karim")
    admin = actor(db, make_member("admin", admin=True))
    claim = db.transaction(
        claims.claim_address, actor=actor(db, karim), address="karim@example.org"
    )
    assert claim.id is not None
    db.transaction(claims.confirm_claim, actor=admin, claim_id=claim.id)
    later = build(
        Mail(sender="Karim <karim@example.org>", message_id="<k2@example.org>", subject="Bilan")
    )
    report = run_import(
        db,
        "mbox",
        [write_mbox(tmp_path / "later.mbox", [later])],
        ImportOptions(board_slug="pole-ess"),
        now=NOW,
    )
    assert report.people_matched == 1 and report.placeholders_created == 0
    assert authors(db)[-1] == karim.id

"""Structure presets: the default groups and boards, applied once, idempotently, and checked."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from forum.bootstrap import prepare
from forum.db import Database, make_engine, migrate
from forum.errors import InvalidInput
from forum.models import Board, Group
from forum.services import boards as board_service
from forum.services import groups as group_service
from forum.services import preset as preset_service
from forum.settings import Settings

POLES = ["bureau", "copil", "pole-ess", "pole-insertion", "pole-education", "pole-citoyennete"]

Snapshot = tuple[list[tuple[object, ...]], list[tuple[object, ...]]]


def snapshot(session: Session) -> Snapshot:
    """Every group and board row, as plain tuples."""
    groups = session.exec(select(Group).order_by(col(Group.id))).all()
    boards = session.exec(select(Board).order_by(col(Board.id))).all()
    return (
        [(g.id, g.slug, g.name, g.description, g.created_at) for g in groups],
        [
            (b.id, b.slug, b.name, b.description, b.visibility, b.group_id, b.position)
            for b in boards
        ],
    )


def structure(session: Session) -> dict[str, tuple[str, str | None]]:
    """Board slug -> (visibility, group slug)."""
    query = select(Board, Group).join(Group, col(Board.group_id) == col(Group.id), isouter=True)
    return {
        board.slug: (board.visibility, group.slug if group else None)
        for board, group in session.exec(query).all()
    }


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated database with no structure at all."""
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    migrate(engine)
    yield Database(engine)
    engine.dispose()


def test_default_preset_structure(db: Database) -> None:
    groups = db.reading(lambda s: sorted(g.slug for g in group_service.list_groups(s)))
    assert groups == sorted(POLES)
    expected = {slug: ("group", slug) for slug in POLES} | {"espace-commun": ("members", None)}
    assert db.reading(structure) == expected


def test_default_preset_names_are_french(db: Database) -> None:
    names = db.reading(lambda s: {g.slug: g.name for g in group_service.list_groups(s)})
    assert names["pole-ess"] == "Pôle ESS"
    assert names["pole-education"] == "Pôle Éducation animation"


def test_applying_twice_changes_nothing(db: Database) -> None:
    before = db.reading(snapshot)
    preset = preset_service.load_preset(preset_service.DEFAULT_PRESET)
    report = db.transaction(preset_service.apply_preset, preset)
    assert report.created_groups == [] and report.created_boards == []
    assert len(report.existing) == 13
    assert db.reading(snapshot) == before


def test_applying_keeps_admin_changes(db: Database) -> None:
    db.transaction(
        board_service.update_board,
        slug="espace-commun",
        name="Agora",
        description="",
        visibility="public",
        group_slug=None,
    )
    preset = preset_service.load_preset(preset_service.DEFAULT_PRESET)
    db.transaction(preset_service.apply_preset, preset)
    board = db.reading(board_service.get_board, "espace-commun")
    assert (board.name, board.visibility) == ("Agora", "public")


CUSTOM = """
[[groups]]
slug = "ca"
name = "Conseil d'administration"

[[groups]]
slug = "benevoles"
name = "Bénévoles"
description = "Celles et ceux qui donnent de leur temps."

[[boards]]
slug = "ca"
name = "CA"
visibility = "group"
group = "ca"

[[boards]]
slug = "vitrine"
name = "Vitrine"
visibility = "public"

[[boards]]
slug = "benevoles-annonces"
name = "Annonces aux bénévoles"
visibility = "members"
group = "benevoles"
"""


def test_custom_preset(empty_db: Database) -> None:
    preset = preset_service.parse_preset(CUSTOM)
    report = empty_db.transaction(preset_service.apply_preset, preset)
    assert report.created_groups == ["ca", "benevoles"]
    assert report.created_boards == ["ca", "vitrine", "benevoles-annonces"]
    assert empty_db.reading(structure) == {
        "ca": ("group", "ca"),
        "vitrine": ("public", None),
        "benevoles-annonces": ("members", "benevoles"),
    }
    assert empty_db.reading(preset_service.preset_applied)
    before = empty_db.reading(snapshot)
    again = empty_db.transaction(preset_service.apply_preset, preset)
    assert again.created_groups == again.created_boards == []
    assert empty_db.reading(snapshot) == before


def test_preset_completes_what_is_missing(empty_db: Database) -> None:
    empty_db.transaction(group_service.create_group, slug="ca", name="Déjà là")
    report = empty_db.transaction(preset_service.apply_preset, preset_service.parse_preset(CUSTOM))
    assert report.created_groups == ["benevoles"]
    assert "group ca" in report.existing
    groups = empty_db.reading(lambda s: {g.slug: g.name for g in group_service.list_groups(s)})
    assert groups["ca"] == "Déjà là"


BROKEN = [
    pytest.param("[[groups]\nslug=", "not valid TOML", id="not-toml"),
    pytest.param("", "no groups and no boards", id="empty"),
    pytest.param("groups = [1]", "groups[0] must be a table", id="group-not-table"),
    pytest.param('[[groups]]\nname = "X"', "groups[0]: 'slug'", id="group-without-slug"),
    pytest.param('[[groups]]\nslug = "x"\nname = " "', "groups[0]: 'name'", id="blank-name"),
    pytest.param(
        '[[boards]]\nslug = "b"\nname = "B"\nvisibility = "secret"',
        "boards[0]: visibility must be one of group, members, public",
        id="unknown-visibility",
    ),
    pytest.param(
        '[[boards]]\nslug = "b"\nname = "B"\nvisibility = "group"',
        "boards[0]: a 'group' board needs a group",
        id="group-board-without-group",
    ),
    pytest.param(
        '[[boards]]\nslug = "b"\nname = "B"\nvisibility = "members"\ngroup = 3',
        "boards[0]: 'group' must be a string",
        id="group-not-string",
    ),
    pytest.param(
        '[[groups]]\nslug = "x"\nname = "X"\n[[groups]]\nslug = "x"\nname = "Y"',
        "groups[1]: slug 'x' appears twice",
        id="duplicate-group",
    ),
    pytest.param(
        '[[boards]]\nslug = "b"\nname = "B"\nvisibility = "public"\n'
        '[[boards]]\nslug = "b"\nname = "C"\nvisibility = "members"',
        "boards[1]: slug 'b' appears twice",
        id="duplicate-board",
    ),
]


@pytest.mark.parametrize(("text", "message"), BROKEN)
def test_broken_presets_are_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        preset_service.parse_preset(text)
    assert list(caught.value.errors) == ["preset"]
    assert message in caught.value.errors["preset"]


APPLY_BROKEN = [
    pytest.param(
        '[[groups]]\nslug = "ok"\nname = "OK"\n'
        '[[boards]]\nslug = "b"\nname = "B"\nvisibility = "group"\ngroup = "inconnu"',
        ["boards[0]", "'b'", "inconnu"],
        id="unknown-group",
    ),
    pytest.param(
        '[[groups]]\nslug = "ok"\nname = "OK"\n[[groups]]\nslug = "Pôle ESS"\nname = "P"',
        ["groups[1]", "Pôle ESS"],
        id="bad-slug",
    ),
]


@pytest.mark.parametrize(("text", "fragments"), APPLY_BROKEN)
def test_preset_that_cannot_be_applied_leaves_nothing(
    text: str, fragments: list[str], empty_db: Database
) -> None:
    preset = preset_service.parse_preset(text)
    with pytest.raises(InvalidInput) as caught:
        empty_db.transaction(preset_service.apply_preset, preset)
    assert list(caught.value.errors) == ["preset"]
    for fragment in fragments:
        assert fragment in caught.value.errors["preset"]
    assert empty_db.reading(snapshot) == ([], [])
    assert not empty_db.reading(preset_service.preset_applied)


def test_unreadable_preset_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        preset_service.load_preset(tmp_path / "absent.toml")
    assert "absent.toml" in caught.value.errors["preset"]
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('[[groups]]\nslug = "a"\nname = "Pôle"\n'.encode("latin-1"))
    with pytest.raises(InvalidInput):
        preset_service.load_preset(latin1)


# --- bootstrap.prepare --------------------------------------------------------------------------


def test_prepare_never_recreates_what_an_admin_deleted(settings: Settings, db: Database) -> None:
    db.transaction(board_service.delete_board, slug="pole-ess")
    report = prepare(settings).report
    assert report is None
    assert "pole-ess" not in db.reading(structure)


def test_prepare_never_refills_an_emptied_site(settings: Settings, db: Database) -> None:
    for slug in [*POLES, "espace-commun"]:
        db.transaction(board_service.delete_board, slug=slug)
    for slug in POLES:
        db.transaction(group_service.delete_group, slug=slug)
    assert db.reading(snapshot) == ([], [])
    prepare(settings)
    assert db.reading(snapshot) == ([], [])


def test_prepare_on_a_fresh_directory_applies_the_default(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "fresh", secret_key="s")
    first = prepare(settings)
    assert first.report is not None
    assert sorted(first.report.created_groups) == sorted(POLES)
    assert first.first_admin_url is not None
    assert first.first_admin_url.startswith(f"{settings.base_url}/welcome/")
    second = prepare(settings)
    assert second.report is None
    # Each run offers a fresh first-administrator link until an administrator exists.
    assert second.first_admin_url is not None and second.first_admin_url != first.first_admin_url


def test_prepare_with_an_explicit_preset_adds_its_structure(
    settings: Settings, db: Database
) -> None:
    path = settings.data_dir / "custom.toml"
    path.write_text(CUSTOM, encoding="utf-8")
    before = db.reading(snapshot)
    report = prepare(settings, preset_path=path).report
    assert report is not None and report.created_boards == ["ca", "vitrine", "benevoles-annonces"]
    after = db.reading(snapshot)
    assert after[1][: len(before[1])] == before[1], "existing boards untouched"

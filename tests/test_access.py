"""forum.access decides who sees, posts in, moderates and administers each board."""

from collections.abc import Callable

import pytest
from sqlmodel import Session

from forum.access import (
    ANONYMOUS,
    Actor,
    access_board,
    access_group,
    access_site_admin,
    actor_for,
    can_administer_board,
    can_administer_site,
    can_moderate_board,
    can_post_in_board,
    can_see_board,
    visible_boards,
)
from forum.db import Database
from forum.errors import NotFound, PermissionDenied
from forum.models import Board, Role, User
from forum.services import boards as board_service
from forum.services import groups as group_service
from forum.services import users as user_service
from tests.conftest import MakeMember

GROUP_A = 1
GROUP_B = 2

ACTORS: dict[str, Actor] = {
    "anonymous": ANONYMOUS,
    "member_a": Actor(user_id=10, login="a", roles={GROUP_A: Role.MEMBER.value}),
    "member_b": Actor(user_id=11, login="b", roles={GROUP_B: Role.MEMBER.value}),
    "moderator_a": Actor(user_id=12, login="m", roles={GROUP_A: Role.MODERATOR.value}),
    "admin": Actor(user_id=13, login="root", is_admin=True),
}

BOARDS: dict[str, Board] = {
    "group": Board(slug="a-prive", name="A", visibility="group", group_id=GROUP_A),
    "members": Board(slug="commun", name="Commun", visibility="members"),
    "public": Board(slug="annonces", name="Annonces", visibility="public"),
}

# S = see, P = post, M = moderate, A = administer; "-" = refused.
EXPECTED: dict[tuple[str, str], str] = {
    ("anonymous", "group"): "----",
    ("anonymous", "members"): "----",
    ("anonymous", "public"): "S---",
    ("member_a", "group"): "SP--",
    ("member_a", "members"): "SP--",
    ("member_a", "public"): "SP--",
    ("member_b", "group"): "----",
    ("member_b", "members"): "SP--",
    ("member_b", "public"): "SP--",
    ("moderator_a", "group"): "SPM-",
    ("moderator_a", "members"): "SP--",
    ("moderator_a", "public"): "SP--",
    ("admin", "group"): "SPMA",
    ("admin", "members"): "SPMA",
    ("admin", "public"): "SPMA",
}

Predicate = Callable[[Actor, Board], bool]
PREDICATES: tuple[tuple[str, Predicate], ...] = (
    ("S", can_see_board),
    ("P", can_post_in_board),
    ("M", can_moderate_board),
    ("A", can_administer_board),
)


def rights(actor: Actor, board: Board) -> str:
    """The actor's rights on the board, in the EXPECTED notation."""
    return "".join(letter if allowed(actor, board) else "-" for letter, allowed in PREDICATES)


def test_matrix_covers_every_actor_and_visibility() -> None:
    assert set(EXPECTED) == {(a, v) for a in ACTORS for v in BOARDS}


@pytest.mark.parametrize(("actor", "visibility"), sorted(EXPECTED))
def test_rights_matrix(actor: str, visibility: str) -> None:
    assert rights(ACTORS[actor], BOARDS[visibility]) == EXPECTED[(actor, visibility)]


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("anonymous", "S---"),
        ("member_a", "SP--"),
        ("member_b", "SP--"),
        ("moderator_a", "SPM-"),
        ("admin", "SPMA"),
    ],
)
def test_group_moderators_moderate_their_groups_open_boards(actor: str, expected: str) -> None:
    # A public board that belongs to group A: everyone reads, members post, A's moderators moderate.
    board = Board(slug="vitrine-a", name="Vitrine", visibility="public", group_id=GROUP_A)
    assert rights(ACTORS[actor], board) == expected


def test_moderating_another_group_gives_nothing_here() -> None:
    moderator_b = Actor(user_id=20, roles={GROUP_B: Role.MODERATOR.value})
    assert rights(moderator_b, BOARDS["group"]) == "----"


def test_group_board_without_group_is_for_admins_only() -> None:
    orphan = Board(slug="orphelin", name="Orphelin", visibility="group", group_id=None)
    assert rights(ACTORS["member_a"], orphan) == "----"
    assert rights(ACTORS["admin"], orphan) == "SPMA"


def test_only_admins_administer_the_site() -> None:
    assert [name for name, actor in ACTORS.items() if can_administer_site(actor)] == ["admin"]
    for name, actor in ACTORS.items():
        if name == "admin":
            access_site_admin(actor)
        else:
            with pytest.raises(NotFound):
                access_site_admin(actor)


# --- against the database: visible_boards, access_board, actor_for -----------------------------

PRESET_BOARDS = {
    "bureau",
    "copil",
    "pole-ess",
    "pole-insertion",
    "pole-education",
    "pole-citoyennete",
    "espace-commun",
}


@pytest.fixture
def extra_boards(db: Database) -> None:
    """A public board, and a group with its private board that no test member belongs to."""

    def arrange(session: Session) -> None:
        group_service.create_group(session, slug="partenaires", name="Partenaires")
        board_service.create_board(
            session, slug="partenaires", name="Partenaires", group_slug="partenaires"
        )
        board_service.create_board(
            session, slug="annonces", name="Annonces", visibility="public", position=1
        )

    db.transaction(arrange)


def actor_of(db: Database, user_id: int) -> Actor:
    """The actor the middleware would build for this member."""

    def build(session: Session) -> Actor:
        return actor_for(session, user_service.get_user(session, user_id))

    return db.reading(build)


def slugs_visible(db: Database, actor: Actor) -> list[str]:
    """The slugs of visible_boards(actor), in order."""
    return db.reading(lambda session: [b.slug for b in visible_boards(session, actor)])


@pytest.mark.usefixtures("extra_boards")
def test_visible_boards_per_actor(db: Database, make_member: MakeMember) -> None:
    ess = make_member("amina", groups={"pole-ess": "member"})
    copil = make_member("karim", groups={"copil": "member"})
    moderator = make_member("salma", groups={"pole-ess": "moderator"})
    both = make_member("youssef", groups={"pole-ess": "member", "copil": "member"})
    admin = make_member("root", admin=True)

    assert slugs_visible(db, ANONYMOUS) == ["annonces"]
    assert set(slugs_visible(db, actor_of(db, ess.id))) == {"pole-ess", "espace-commun", "annonces"}
    assert set(slugs_visible(db, actor_of(db, copil.id))) == {"copil", "espace-commun", "annonces"}
    assert set(slugs_visible(db, actor_of(db, moderator.id))) == {
        "pole-ess",
        "espace-commun",
        "annonces",
    }
    assert set(slugs_visible(db, actor_of(db, both.id))) == {
        "pole-ess",
        "copil",
        "espace-commun",
        "annonces",
    }
    assert set(slugs_visible(db, actor_of(db, admin.id))) == PRESET_BOARDS | {
        "partenaires",
        "annonces",
    }


@pytest.mark.usefixtures("extra_boards")
def test_visible_boards_agrees_with_can_see_board(db: Database, make_member: MakeMember) -> None:
    actors = [
        ANONYMOUS,
        actor_of(db, make_member("amina", groups={"pole-ess": "member"}).id),
        actor_of(db, make_member("salma", groups={"copil": "moderator"}).id),
        actor_of(db, make_member("root", admin=True).id),
    ]
    every_board = db.reading(lambda s: [b for b, _g in board_service.list_all_boards(s)])
    for actor in actors:
        expected = [b.slug for b in every_board if can_see_board(actor, b)]
        assert sorted(slugs_visible(db, actor)) == sorted(expected), actor


@pytest.mark.usefixtures("extra_boards")
def test_visible_boards_in_display_order(db: Database, make_member: MakeMember) -> None:
    admin = actor_of(db, make_member("root", admin=True).id)
    boards = db.reading(lambda s: [(b.position, b.name) for b in visible_boards(s, admin)])
    assert boards == sorted(boards)
    assert boards[0] == (1, "Annonces")


def test_inactive_member_is_anonymous(db: Database, make_member: MakeMember) -> None:
    amina = make_member("amina", groups={"pole-ess": "member"})
    assert actor_of(db, amina.id).is_authenticated

    def disable(session: Session) -> None:
        user = session.get(User, amina.id)
        assert user is not None
        user.is_active = False
        session.add(user)

    db.transaction(disable)
    assert actor_of(db, amina.id) == ANONYMOUS


def test_actor_carries_group_roles(db: Database, make_member: MakeMember) -> None:
    salma = make_member("salma", groups={"pole-ess": "moderator", "copil": "member"})
    actor = actor_of(db, salma.id)
    ess = db.reading(lambda s: board_service.get_board(s, "pole-ess"))
    copil = db.reading(lambda s: board_service.get_board(s, "copil"))
    assert actor.moderates(ess.group_id) and not actor.moderates(copil.group_id)
    assert actor.in_group(copil.group_id)


@pytest.mark.usefixtures("extra_boards")
def test_hidden_and_missing_boards_raise_the_same_not_found(
    db: Database, make_member: MakeMember
) -> None:
    amina = actor_of(db, make_member("amina", groups={"pole-ess": "member"}).id)

    def error_for(slug: str) -> NotFound:
        with pytest.raises(NotFound) as caught:
            db.reading(access_board, amina, slug)
        return caught.value

    hidden, missing = error_for("copil"), error_for("n-existe-pas")
    assert type(hidden) is type(missing)
    assert db.reading(access_board, amina, "pole-ess").slug == "pole-ess"


@pytest.mark.usefixtures("extra_boards")
def test_access_board_for_write(db: Database, make_member: MakeMember) -> None:
    amina = actor_of(db, make_member("amina", groups={"pole-ess": "member"}).id)
    assert db.reading(access_board, amina, "annonces", for_write=True).slug == "annonces"
    # Visible but not writable: a permission error (anonymous visitors are sent to sign in).
    with pytest.raises(PermissionDenied):
        db.reading(access_board, ANONYMOUS, "annonces", for_write=True)
    with pytest.raises(NotFound):
        db.reading(access_board, ANONYMOUS, "pole-ess", for_write=True)


def test_access_group(db: Database, make_member: MakeMember) -> None:
    amina = actor_of(db, make_member("amina", groups={"pole-ess": "member"}).id)
    admin = actor_of(db, make_member("root", admin=True).id)
    assert db.reading(access_group, amina, "pole-ess").slug == "pole-ess"
    assert db.reading(access_group, admin, "copil").slug == "copil"
    for actor, slug in ((amina, "copil"), (ANONYMOUS, "pole-ess"), (admin, "inconnu")):
        with pytest.raises(NotFound):
            db.reading(access_group, actor, slug)

"""The `forum` command: every subcommand, its output, and its one-line errors that write nothing."""

from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner, Result
from starlette.testclient import TestClient

from forum.app import create_app
from forum.cli import main
from forum.settings import Settings
from tests.conftest import BASE_URL, PASSWORD, sign_in

NEW_PASSWORD = "une autre phrase de passe"

Env = dict[str, str | None]
Invoke = Callable[..., Result]


@pytest.fixture
def env(tmp_path: Path) -> Env:
    """FORUM_* variables for one test: every other FORUM_* variable unset."""
    values: Env = {f"FORUM_{f.name.upper()}": None for f in fields(Settings)}
    values.update(
        FORUM_DATA_DIR=str(tmp_path / "data"), FORUM_SECRET_KEY="x", FORUM_BASE_URL=BASE_URL
    )
    return values


@pytest.fixture
def forum(env: Env) -> Invoke:
    """forum("user", "list", input=..., **extra_env) -> the click Result."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, **extra_env: str) -> Result:
        return runner.invoke(
            main, list(args), input=input, env={**env, **extra_env}, catch_exceptions=False
        )

    return invoke


@pytest.fixture
def cli_settings(env: Env) -> Settings:
    """The settings the commands of a test see."""
    return Settings.from_env({k: v for k, v in env.items() if v is not None})


@pytest.fixture
def browser(cli_settings: Settings, forum: Invoke) -> Iterator[TestClient]:
    """An anonymous browser on the app the commands of a test administer."""
    ok(forum("init"))
    with TestClient(create_app(cli_settings), base_url=BASE_URL) as client:
        yield client


def ok(result: Result) -> list[str]:
    """Assert success; return the lines printed on stdout."""
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout.splitlines()


def fails(result: Result, fragment: str) -> None:
    """Assert exit code 1 and one clear line on stderr containing fragment."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Erreur : "), lines[0]
    assert fragment in lines[0]
    assert "Traceback" not in result.output


def link_in(lines: list[str]) -> str:
    """The one-time link printed among these lines."""
    links = [line.strip() for line in lines if "/welcome/" in line]
    assert len(links) == 1, lines
    return links[0]


def add_member(forum: Invoke, login: str, *extra: str, password: str = PASSWORD) -> list[str]:
    """Create an account with a password through the CLI."""
    name = login.capitalize()
    return ok(
        forum(
            "user", "add", login, "--name", name, *extra, "--password-stdin", input=password + "\n"
        )
    )


def can_sign_in(browser: TestClient, login: str, password: str) -> bool:
    """Whether the real sign-in form accepts these credentials (signs the browser out after)."""
    browser.cookies.clear()
    response = browser.post(
        "/login", data={"login": login, "password": password}, follow_redirects=False
    )
    browser.cookies.clear()
    return response.status_code == 303


def board_links(browser: TestClient, **headers: str) -> set[str]:
    """The board links the home page shows."""
    page = BeautifulSoup(browser.get("/", headers=headers).text, "html.parser")
    return {str(a["href"]) for a in page.select("ul.board-list a")}


def table(lines: list[str]) -> dict[str, list[str]]:
    """A printed table, keyed by its first column (the header row left out)."""
    return {line.split()[0]: line.split() for line in lines[1:]}


# --- init and presets ---------------------------------------------------------------


def test_init_creates_default_structure_then_changes_nothing(forum: Invoke) -> None:
    first = ok(forum("init"))
    assert any(line.startswith("Groupes créés : bureau, copil, pole-ess") for line in first)
    assert any("espace-commun" in line for line in first if line.startswith("Tableaux créés"))
    assert link_in(first).startswith(f"{BASE_URL}/welcome/")
    boards, groups = ok(forum("board", "list")), ok(forum("group", "list"))

    second = ok(forum("init"))
    assert "Structure déjà en place : rien n'a été modifié." in second
    assert not any(line.startswith(("Groupes créés", "Tableaux créés")) for line in second)
    assert ok(forum("board", "list")) == boards
    assert ok(forum("group", "list")) == groups


PRESET = """
[[groups]]
slug = "atelier"
name = "Atelier d'écriture"

[[boards]]
slug = "atelier"
name = "Atelier"
visibility = "group"
group = "atelier"

[[boards]]
slug = "vitrine"
name = "Vitrine"
visibility = "public"
"""


def test_init_with_custom_preset_twice(forum: Invoke, tmp_path: Path) -> None:
    preset = tmp_path / "preset.toml"
    preset.write_text(PRESET, encoding="utf-8")
    first = ok(forum("init", "--preset", str(preset)))
    assert "Groupes créés : atelier" in first
    assert "Tableaux créés : atelier, vitrine" in first
    boards = table(ok(forum("board", "list")))
    assert set(boards) == {"atelier", "vitrine"}
    assert boards["vitrine"][1] == "public"
    assert boards["atelier"][1:3] == ["group", "atelier"]

    second = ok(forum("init", "--preset", str(preset)))
    assert "Rien à créer : tout existait déjà." in second
    assert "Déjà présents (inchangés) : groupe atelier, tableau atelier, tableau vitrine" in second
    assert set(table(ok(forum("board", "list")))) == {"atelier", "vitrine"}


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("[[groups]\nslug = 1", "not valid TOML"),
        ('[[boards]]\nslug = "x"\nname = "X"\nvisibility = "secret"', "visibility must be"),
        ("# nothing here\n", "no groups and no boards"),
    ],
)
def test_init_with_broken_preset_is_one_line(
    forum: Invoke, tmp_path: Path, content: str, fragment: str
) -> None:
    preset = tmp_path / "broken.toml"
    preset.write_text(content, encoding="utf-8")
    fails(forum("init", "--preset", str(preset)), fragment)


def test_init_with_missing_preset_file(forum: Invoke, tmp_path: Path) -> None:
    fails(forum("init", "--preset", str(tmp_path / "absent.toml")), "cannot read")


def test_preset_failing_halfway_writes_nothing(forum: Invoke, tmp_path: Path) -> None:
    preset = tmp_path / "half.toml"
    preset.write_text(
        '[[groups]]\nslug = "g1"\nname = "G1"\n\n'
        '[[boards]]\nslug = "b1"\nname = "B1"\nvisibility = "group"\ngroup = "inconnu"\n',
        encoding="utf-8",
    )
    fails(forum("init", "--preset", str(preset)), "Ce groupe n'existe pas")
    assert ok(forum("group", "list")) == ["(aucun)"]


def test_bad_setting_is_one_line(forum: Invoke) -> None:
    fails(forum("user", "list", FORUM_TIMEZONE="Mars/Olympus"), "FORUM_TIMEZONE")
    fails(forum("init", FORUM_SESSION_DAYS="trente"), "FORUM_SESSION_DAYS")


def test_unreachable_database_is_one_line(forum: Invoke, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    url = f"sqlite:///{blocker}/sub/forum.db"
    result = forum("user", "list", FORUM_DATABASE_URL=url)
    assert result.exit_code == 1
    assert result.stderr.startswith("Erreur : ")
    assert len(result.stderr.strip().splitlines()) == 1


# --- accounts -----------------------------------------------------------------------


def test_user_add_with_password_signs_in(forum: Invoke, browser: TestClient) -> None:
    lines = add_member(forum, "amina", "--email", "amina@example.org", "--group", "pole-ess")
    assert lines == ["Compte créé : amina (Amina, membre)"]
    assert can_sign_in(browser, "amina", PASSWORD)
    shown = ok(forum("user", "show", "amina"))
    assert "courriel : amina@example.org" in shown
    assert "groupes : pole-ess (member)" in shown
    assert "mot de passe choisi : oui" in shown


def test_user_add_without_password_prints_a_working_link(
    forum: Invoke, browser: TestClient
) -> None:
    lines = ok(forum("user", "add", "karim", "--name", "Karim", "--admin"))
    assert lines[0] == "Compte créé : karim (Karim, administrateur)"
    url = link_in(lines)
    assert url.startswith(f"{BASE_URL}/welcome/")
    page = browser.get(url.removeprefix(BASE_URL))
    assert page.status_code == 200
    assert not can_sign_in(browser, "karim", PASSWORD)
    assert "mot de passe choisi : non" in ok(forum("user", "show", "karim"))


def test_login_suffix_may_be_left_out(forum: Invoke) -> None:
    suffix = {"FORUM_LOGIN_SUFFIX": ".copcm"}
    lines = ok(forum("user", "add", "amina", "--name", "Amina", **suffix))
    assert lines[0] == "Compte créé : amina.copcm (Amina, membre)"
    assert "identifiant : amina.copcm" in ok(forum("user", "show", "amina", **suffix))
    assert "identifiant : amina.copcm" in ok(forum("user", "show", "amina.copcm", **suffix))


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("court", "au moins 10 caractères"),
        ("azertyuiop", "trop courant"),
        ("", "au moins 10 caractères"),
    ],
)
def test_weak_password_creates_nobody(forum: Invoke, password: str, fragment: str) -> None:
    result = forum("user", "add", "bob", "--name", "Bob", "--password-stdin", input=password + "\n")
    fails(result, fragment)
    assert ok(forum("user", "list")) == ["(aucun)"]


def test_unknown_group_creates_nobody(forum: Invoke) -> None:
    ok(forum("init"))
    result = forum("user", "add", "bob", "--name", "Bob", "--group", "pole-ess", "--group", "nope")
    fails(result, "aucun groupe « nope »")
    assert ok(forum("user", "list")) == ["(aucun)"]


def test_user_add_refuses_taken_or_bad_login(forum: Invoke) -> None:
    add_member(forum, "amina")
    fails(forum("user", "add", "AMINA", "--name", "Autre"), "déjà pris")
    fails(forum("user", "add", "a b", "--name", "X"), "identifiant")
    fails(forum("user", "add", "zoe", "--name", "Zoé", "--email", "pas-une-adresse"), "adresse")
    assert set(table(ok(forum("user", "list")))) == {"amina"}


def test_user_list(forum: Invoke) -> None:
    add_member(forum, "amina")
    add_member(forum, "karim", "--admin", "--email", "k@example.org")
    rows = table(ok(forum("user", "list")))
    assert rows["amina"] == ["amina", "Amina", "-", "non", "oui"]
    assert rows["karim"] == ["karim", "Karim", "k@example.org", "oui", "oui"]


def test_set_password_from_stdin_closes_sessions(forum: Invoke, browser: TestClient) -> None:
    add_member(forum, "amina", "--group", "pole-ess")
    sign_in(browser, "amina")
    assert "/b/pole-ess" in board_links(browser)
    result = forum("user", "set-password", "amina", "--password-stdin", input=NEW_PASSWORD + "\n")
    assert ok(result) == ["Mot de passe de amina changé ; ses sessions ont été fermées."]
    assert "/b/pole-ess" not in board_links(browser)
    assert not can_sign_in(browser, "amina", PASSWORD)
    assert can_sign_in(browser, "amina", NEW_PASSWORD)


def test_set_password_refuses_weak_and_keeps_the_old(forum: Invoke, browser: TestClient) -> None:
    add_member(forum, "amina")
    result = forum("user", "set-password", "amina", "--password-stdin", input="amina\n")
    fails(result, "au moins 10 caractères")
    assert can_sign_in(browser, "amina", PASSWORD)


def test_set_password_without_stdin_and_password_link(forum: Invoke, browser: TestClient) -> None:
    add_member(forum, "amina")
    first = link_in(ok(forum("user", "set-password", "amina")))
    second = link_in(ok(forum("user", "password-link", "amina")))
    assert first != second
    assert browser.get(first.removeprefix(BASE_URL)).status_code == 404  # replaced
    assert browser.get(second.removeprefix(BASE_URL)).status_code == 200
    assert can_sign_in(browser, "amina", PASSWORD)  # a link alone changes nothing


def test_disable_and_enable(forum: Invoke, browser: TestClient) -> None:
    add_member(forum, "amina", "--group", "pole-ess")
    sign_in(browser, "amina")
    assert ok(forum("user", "disable", "amina")) == ["Compte amina désactivé."]
    assert "/b/pole-ess" not in board_links(browser)
    assert not can_sign_in(browser, "amina", PASSWORD)
    assert "actif : non" in ok(forum("user", "show", "amina"))
    assert ok(forum("user", "enable", "amina")) == ["Compte amina réactivé."]
    assert can_sign_in(browser, "amina", PASSWORD)


def test_signout_closes_every_session(forum: Invoke, browser: TestClient) -> None:
    add_member(forum, "amina", "--group", "pole-ess")
    sign_in(browser, "amina")
    assert "sessions ouvertes : 1" in ok(forum("user", "show", "amina"))
    assert ok(forum("user", "signout", "amina")) == ["1 session(s) de amina fermée(s)."]
    assert "/b/pole-ess" not in board_links(browser)
    assert "sessions ouvertes : 0" in ok(forum("user", "show", "amina"))


@pytest.mark.parametrize(
    "args",
    [
        ("user", "show", "nobody"),
        ("user", "disable", "nobody"),
        ("user", "enable", "nobody"),
        ("user", "signout", "nobody"),
        ("user", "password-link", "nobody"),
        ("user", "set-password", "nobody"),
        ("token", "create", "nobody"),
        ("token", "list", "nobody"),
        ("group", "add-member", "pole-ess", "nobody"),
        ("group", "remove-member", "pole-ess", "nobody"),
    ],
)
def test_unknown_login_is_one_line(forum: Invoke, args: tuple[str, ...]) -> None:
    ok(forum("init"))
    fails(forum(*args), "aucun compte ne correspond à l'identifiant « nobody »")


# --- groups and boards --------------------------------------------------------------


def test_groups_and_memberships(forum: Invoke) -> None:
    add_member(forum, "amina")
    add_member(forum, "karim")
    assert ok(forum("group", "add", "atelier", "--name", "Atelier", "--description", "Écrire")) == [
        "Groupe créé : atelier (Atelier)"
    ]
    assert "atelier" in table(ok(forum("group", "list")))
    ok(forum("group", "add-member", "atelier", "amina"))
    lines = ok(forum("group", "add-member", "atelier", "karim", "--role", "moderator"))
    assert lines == ["karim fait partie du groupe atelier (moderator)."]
    members = table(ok(forum("group", "members", "atelier")))
    assert members == {
        "amina": ["amina", "Amina", "member"],
        "karim": ["karim", "Karim", "moderator"],
    }
    ok(forum("group", "add-member", "atelier", "karim"))  # changes the role back
    assert table(ok(forum("group", "members", "atelier")))["karim"][2] == "member"
    assert ok(forum("group", "remove-member", "atelier", "amina")) == [
        "amina ne fait plus partie du groupe atelier."
    ]
    assert set(table(ok(forum("group", "members", "atelier")))) == {"karim"}


def test_group_errors(forum: Invoke) -> None:
    add_member(forum, "amina")
    ok(forum("group", "add", "atelier", "--name", "Atelier"))
    fails(forum("group", "add", "atelier", "--name", "Encore"), "déjà pris")
    fails(forum("group", "add", "Pôle ESS", "--name", "X"), "nom court")
    fails(forum("group", "members", "nope"), "aucun groupe « nope »")
    fails(forum("group", "add-member", "nope", "amina"), "aucun groupe « nope »")
    fails(forum("group", "remove-member", "nope", "amina"), "aucun groupe « nope »")
    result = forum("group", "add-member", "atelier", "amina", "--role", "chef")
    assert result.exit_code == 2  # a usage error, reported by click


def test_boards(forum: Invoke, browser: TestClient) -> None:
    add_member(forum, "amina", "--group", "pole-ess")
    lines = ok(
        forum(
            "board",
            "add",
            "annonces",
            "--name",
            "Annonces",
            "--visibility",
            "public",
            "--description",
            "Pour tout le monde",
        )
    )
    assert lines == ["Tableau créé : annonces (Annonces, public)"]
    ok(
        forum(
            "board",
            "add",
            "ess-docs",
            "--name",
            "Docs",
            "--visibility",
            "group",
            "--group",
            "pole-ess",
        )
    )
    boards = table(ok(forum("board", "list")))
    assert boards["annonces"][1:3] == ["public", "-"]
    assert boards["ess-docs"][1:3] == ["group", "pole-ess"]
    assert "/b/annonces" in board_links(browser)
    assert "/b/ess-docs" not in board_links(browser)

    assert ok(forum("board", "set-visibility", "ess-docs", "public")) == [
        "Tableau ess-docs : visibilité public."
    ]
    assert table(ok(forum("board", "list")))["ess-docs"][1:3] == ["public", "pole-ess"]
    assert "/b/ess-docs" in board_links(browser)
    ok(forum("board", "set-visibility", "annonces", "group", "--group", "copil"))
    assert table(ok(forum("board", "list")))["annonces"][1:3] == ["group", "copil"]
    assert "/b/annonces" not in board_links(browser)


def test_board_errors(forum: Invoke) -> None:
    ok(forum("init"))
    fails(forum("board", "add", "prive", "--name", "Privé", "--visibility", "group"), "groupe")
    fails(
        forum("board", "add", "x", "--name", "X", "--visibility", "group", "--group", "nope"),
        "Ce groupe n'existe pas",
    )
    fails(forum("board", "add", "copil", "--name", "X", "--visibility", "members"), "déjà pris")
    fails(forum("board", "set-visibility", "nope", "public"), "aucun tableau « nope »")
    fails(forum("board", "set-visibility", "espace-commun", "group"), "groupe")
    assert "prive" not in table(ok(forum("board", "list")))
    assert forum("board", "add", "y", "--name", "Y", "--visibility", "secret").exit_code == 2


# --- tokens -------------------------------------------------------------------------


def test_token_create_authenticates_and_revoke_stops_it(forum: Invoke, browser: TestClient) -> None:
    add_member(forum, "amina", "--group", "pole-ess")
    lines = ok(forum("token", "create", "amina", "--name", "mon script"))
    clear = lines[-1]
    assert clear.startswith("fpat_") and clear == clear.strip() and " " not in clear
    assert clear not in lines[0]
    bearer = {"Authorization": f"Bearer {clear}"}
    assert "/b/pole-ess" in board_links(browser, **bearer)
    assert "/b/pole-ess" not in board_links(browser)

    rows = ok(forum("token", "list", "amina"))
    assert len(rows) == 2 and "mon script" in rows[1]
    assert clear not in "\n".join(rows)  # only its start is ever shown again
    token_id = rows[1].split()[0]
    assert ok(forum("token", "revoke", token_id)) == [f"Jeton n° {token_id} révoqué."]
    assert browser.get("/", headers=bearer).status_code == 401
    assert rows[1].endswith(" -")  # the "revoked" column, before
    assert not ok(forum("token", "list", "amina"))[1].endswith(" -")


def test_token_errors(forum: Invoke) -> None:
    add_member(forum, "amina")
    fails(forum("token", "revoke", "999"), "aucun jeton n° 999")
    fails(forum("token", "create", "amina", "--name", "x" * 200), "trop long")
    assert ok(forum("token", "list", "amina")) == ["(aucun)"]


def test_pubsub_url_must_be_memory_or_redis() -> None:
    from forum.settings import Settings, SettingsError

    assert Settings.from_env(
        {"FORUM_PUBSUB_URL": "redis://127.0.0.1:6379/0"}
    ).pubsub_url.startswith("redis")
    with pytest.raises(SettingsError):
        Settings.from_env({"FORUM_PUBSUB_URL": "http://example.org"})
    with pytest.raises(SettingsError):
        Settings.from_env({"FORUM_MAX_UPLOAD_MB": "0"})

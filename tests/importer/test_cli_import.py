"""`forum import`: the report on the terminal and in JSON, exit codes, options, clear errors."""

import json
from pathlib import Path

from tests.importer.archives import Mail, build, conversation, write_mbox, write_takeout
from tests.test_cli import Invoke, add_member, fails, ok

pytest_plugins = ["tests.test_cli"]


def test_import_prints_and_writes_the_report(forum: Invoke, tmp_path: Path) -> None:
    ok(forum("init"))
    archive = write_takeout(tmp_path / "takeout.zip", conversation())
    report_file = tmp_path / "rapport.json"
    lines = ok(
        forum("import", "auto", str(archive), "--board", "pole-ess", "--report", str(report_file))
    )
    assert "  sujets créés : 1" in lines and "  messages publiés : 3" in lines
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert (report["topics_created"], report["posts_created"], report["failures"]) == (1, 3, [])

    again = ok(
        forum(
            "import", "takeout", str(archive), "--board", "pole-ess", "--report", str(report_file)
        )
    )
    assert "  doublons ignorés : 3" in again
    assert json.loads(report_file.read_text(encoding="utf-8"))["posts_created"] == 0


def test_dry_run_and_since(forum: Invoke, tmp_path: Path) -> None:
    ok(forum("init"))
    archive = write_mbox(tmp_path / "g.mbox", conversation())
    dry = ok(forum("import", "mbox", str(archive), "--board", "pole-ess", "--dry-run"))
    assert any(line.startswith("Simulation (rien n'a été écrit)") for line in dry)
    since = ok(
        forum("import", "mbox", str(archive), "--board", "pole-ess", "--since", "2010-03-03")
    )
    assert "  messages publiés : 1" in since and "  antérieurs à --since : 2" in since
    rest = ok(forum("import", "mbox", str(archive), "--board", "pole-ess"))
    assert "  messages publiés : 2" in rest and "  doublons ignorés : 1" in rest


def test_failures_give_exit_code_one_and_the_rest_is_imported(
    forum: Invoke, tmp_path: Path
) -> None:
    ok(forum("init"))
    archive = write_mbox(tmp_path / "g.mbox", [build(Mail())])
    archive.write_bytes(archive.read_bytes() + b"\nFrom x Tue Mar  2 09:15:00 2010\nX-Rien: 1\n\n")
    result = forum("import", "mbox", str(archive), "--board", "pole-ess")
    assert result.exit_code == 1
    assert "  messages publiés : 1" in result.stdout and "  échecs : 1" in result.stdout


def test_people_map_and_its_errors(forum: Invoke, tmp_path: Path) -> None:
    ok(forum("init"))
    add_member(forum, "karim.copcm")
    archive = write_mbox(tmp_path / "g.mbox", conversation())
    people = tmp_path / "personnes.csv"
    people.write_text("karim@example.org,inconnu\n", encoding="utf-8")
    fails(
        forum("import", "mbox", str(archive), "--board", "pole-ess", "--people", str(people)),
        "inconnu",
    )
    people.write_text("adresse,identifiant\nkarim@example.org,karim.copcm\n", encoding="utf-8")
    lines = ok(
        forum("import", "mbox", str(archive), "--board", "pole-ess", "--people", str(people))
    )
    assert "  personnes reconnues : 1" in lines


def test_clear_errors(forum: Invoke, tmp_path: Path) -> None:
    ok(forum("init"))
    archive = write_mbox(tmp_path / "g.mbox", conversation())
    fails(forum("import", "mbox", str(archive), "--board", "inconnu"), "inconnu")
    notes = tmp_path / "notes.txt"
    notes.write_text("rien", encoding="utf-8")
    fails(forum("import", "auto", str(notes), "--board", "pole-ess"), "format non reconnu")

"""The README stays honest: every setting, every command, and exactly two set-up commands."""

import re
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import click

from forum.cli import main
from forum.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def section(title: str) -> str:
    """The text of a level-2 section, up to the next level-2 heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match is not None, f"no '## {title}' section in the README"
    return match.group(1)


def commands(group: click.Group, prefix: str) -> Iterator[str]:
    """Every command path of a click group, e.g. 'forum user add'."""
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        yield path
        if isinstance(command, click.Group):
            yield from commands(command, path)


def setup_commands() -> list[str]:
    """The commands in the code blocks of the Installation section."""
    blocks = FENCE.findall(section("Installation"))
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_every_setting_is_documented() -> None:
    table = section("Réglages")
    missing = [
        f"FORUM_{f.name.upper()}"
        for f in fields(Settings)
        if f"| `FORUM_{f.name.upper()}` |" not in table
    ]
    assert missing == []


def test_every_command_is_documented() -> None:
    reference = section("Ligne de commande")
    found = list(commands(main, "forum"))
    assert {"forum serve", "forum user add", "forum token create"} <= set(found)
    missing = [path for path in found if f"`{path}" not in reference]
    assert missing == []


def test_installation_holds_exactly_two_setup_commands() -> None:
    install, test = setup_commands()
    assert install == "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/forum serve"
    assert test == ".venv/bin/pip install '.[test]' && .venv/bin/pytest -n auto"
    assert len(FENCE.findall(section("Installation"))) == 2


def test_ci_runs_what_the_readme_says() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    steps = [
        part.strip()
        for command in setup_commands()
        for part in command.split("&&")
        if "forum serve" not in part
    ]
    for step in steps:
        assert step in script, f"{step!r} is not a line of .ci/run"

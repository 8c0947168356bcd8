"""Structure presets: a TOML file of groups and boards, applied idempotently."""

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from forum.errors import InvalidInput
from forum.models import Board, Group, SiteMeta
from forum.services.boards import VISIBILITIES, create_board
from forum.services.groups import create_group

DEFAULT_PRESET = Path(__file__).resolve().parent.parent / "presets" / "pcm.toml"
APPLIED_KEY = "preset_applied"


@dataclass(frozen=True)
class GroupSpec:
    """A group the preset asks for."""

    slug: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class BoardSpec:
    """A board the preset asks for."""

    slug: str
    name: str
    visibility: str
    group: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Preset:
    """A parsed structure preset."""

    groups: tuple[GroupSpec, ...]
    boards: tuple[BoardSpec, ...]


@dataclass
class PresetReport:
    """What applying a preset created (and what was already there)."""

    created_groups: list[str] = field(default_factory=list)
    created_boards: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)


def _text(entry: dict[str, object], key: str, where: str, required: bool = True) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidInput({"preset": f"{where}: '{key}' must be a non-empty string"})
    return value


def _refuse_duplicates(kind: str, slugs: list[str]) -> None:
    seen: set[str] = set()
    for index, slug in enumerate(slugs):
        if slug in seen:
            raise InvalidInput({"preset": f"{kind}[{index}]: slug {slug!r} appears twice"})
        seen.add(slug)


def parse_preset(text: str) -> Preset:
    """Parse and check a preset; raises InvalidInput with the first problem found."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput({"preset": f"not valid TOML: {exc}"}) from None
    groups: list[GroupSpec] = []
    for index, entry in enumerate(data.get("groups", [])):
        where = f"groups[{index}]"
        if not isinstance(entry, dict):
            raise InvalidInput({"preset": f"{where} must be a table"})
        groups.append(
            GroupSpec(
                slug=_text(entry, "slug", where),
                name=_text(entry, "name", where),
                description=_text(entry, "description", where, required=False),
            )
        )
    boards: list[BoardSpec] = []
    for index, entry in enumerate(data.get("boards", [])):
        where = f"boards[{index}]"
        if not isinstance(entry, dict):
            raise InvalidInput({"preset": f"{where} must be a table"})
        visibility = _text(entry, "visibility", where)
        if visibility not in VISIBILITIES:
            raise InvalidInput(
                {"preset": f"{where}: visibility must be one of {', '.join(VISIBILITIES)}"}
            )
        group = entry.get("group")
        if group is not None and not isinstance(group, str):
            raise InvalidInput({"preset": f"{where}: 'group' must be a string"})
        if visibility == "group" and not group:
            raise InvalidInput({"preset": f"{where}: a 'group' board needs a group"})
        boards.append(
            BoardSpec(
                slug=_text(entry, "slug", where),
                name=_text(entry, "name", where),
                visibility=visibility,
                group=group,
                description=_text(entry, "description", where, required=False),
            )
        )
    if not groups and not boards:
        raise InvalidInput({"preset": "the preset defines no groups and no boards"})
    _refuse_duplicates("groups", [g.slug for g in groups])
    _refuse_duplicates("boards", [b.slug for b in boards])
    return Preset(groups=tuple(groups), boards=tuple(boards))


def load_preset(path: Path) -> Preset:
    """Read and parse a preset file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput({"preset": f"cannot read {path}: {exc}"}) from None
    return parse_preset(text)


@contextmanager
def _where(where: str) -> Iterator[None]:
    """Re-raise a service's field errors as one preset error that names the entry at fault."""
    try:
        yield
    except InvalidInput as exc:
        details = "; ".join(f"{field}: {message}" for field, message in exc.errors.items())
        raise InvalidInput({"preset": f"{where}: {details}"}) from None


def apply_preset(session: Session, preset: Preset) -> PresetReport:
    """Create the groups and boards that don't exist yet; existing ones are left untouched."""
    report = PresetReport()
    for index, spec in enumerate(preset.groups):
        if session.exec(select(Group.id).where(Group.slug == spec.slug)).first() is not None:
            report.existing.append(f"group {spec.slug}")
            continue
        with _where(f"groups[{index}] ({spec.slug!r})"):
            create_group(session, slug=spec.slug, name=spec.name, description=spec.description)
        report.created_groups.append(spec.slug)
    for index, board_spec in enumerate(preset.boards):
        if session.exec(select(Board.id).where(Board.slug == board_spec.slug)).first() is not None:
            report.existing.append(f"board {board_spec.slug}")
            continue
        where = f"boards[{index}] ({board_spec.slug!r}, group {board_spec.group!r})"
        with _where(where):
            create_board(
                session,
                slug=board_spec.slug,
                name=board_spec.name,
                description=board_spec.description,
                visibility=board_spec.visibility,
                group_slug=board_spec.group,
            )
        report.created_boards.append(board_spec.slug)
    mark_preset_applied(session)
    return report


def preset_applied(session: Session) -> bool:
    """True once a preset has been applied to this installation."""
    return session.get(SiteMeta, APPLIED_KEY) is not None


def mark_preset_applied(session: Session) -> None:
    """Remember that the structure was set up, so that serving never re-creates it."""
    if session.get(SiteMeta, APPLIED_KEY) is None:
        session.add(SiteMeta(key=APPLIED_KEY, value="1"))
        session.flush()

"""Preparing a data directory: migrate, apply the default structure once, first-admin link."""

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from forum.db import Database, make_engine, migrate
from forum.models import Board, Group
from forum.services import preset as preset_service
from forum.services import setup_links
from forum.settings import Settings


@dataclass(frozen=True)
class Prepared:
    """What prepare() did."""

    report: preset_service.PresetReport | None
    first_admin_url: str | None


def _fresh(session: Session) -> bool:
    if preset_service.preset_applied(session):
        return False
    return (
        session.exec(select(Group.id)).first() is None
        and session.exec(select(Board.id)).first() is None
    )


def _apply_default(
    session: Session, preset: preset_service.Preset
) -> preset_service.PresetReport | None:
    if not _fresh(session):
        return None
    return preset_service.apply_preset(session, preset)


def prepare(settings: Settings, *, preset_path: Path | None = None) -> Prepared:
    """Make the database current; on a fresh one apply the preset; offer a first-admin link."""
    preset = preset_service.load_preset(preset_path or preset_service.DEFAULT_PRESET)
    # The data directory holds the files (and SQLite's database, when no URL is given).
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    try:
        migrate(engine)
        db = Database(engine)
        if preset_path is None:
            report = db.transaction(_apply_default, preset)
        else:
            report = db.transaction(preset_service.apply_preset, preset)
        key = db.transaction(setup_links.create_first_admin_link, days=settings.setup_link_days)
    finally:
        engine.dispose()
    url = f"{settings.base_url}/welcome/{key}" if key else None
    return Prepared(report=report, first_admin_url=url)

"""Merge the discussions, directory and search branches into one line of history.

Revision ID: 0005_merge
Revises: 0002_discussions, 0003_directory, 0004_search
Create Date: 2026-11-27
"""

from collections.abc import Sequence

revision: str = "0005_merge"
down_revision: str | Sequence[str] | None = ("0002_discussions", "0003_directory", "0004_search")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

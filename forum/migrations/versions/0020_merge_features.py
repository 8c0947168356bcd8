"""Merge the notifications, polls, files, documents, import and search branches.

Revision ID: 0020_merge
Revises: 0008_notifications, 0009_polls, 0010_files, 0011_documents, 0012_import,
    0014_postgres_search
Create Date: 2026-11-27
"""

from collections.abc import Sequence

revision: str = "0020_merge"
down_revision: str | Sequence[str] | None = (
    "0008_notifications",
    "0009_polls",
    "0010_files",
    "0011_documents",
    "0012_import",
    "0014_postgres_search",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""member directory: organisations and member profiles

Revision ID: 0003_directory
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import forum.models

revision: str = "0003_directory"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("acronym", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("website", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("territories", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column(
            "trades_and_activities", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False
        ),
        sa.Column("resources", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("pooling", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("expectations", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("created_at", forum.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", forum.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisations_slug"), ["slug"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_organisations_updated_by_id"), ["updated_by_id"], unique=False
        )

    op.create_table(
        "member_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column(
            "role_in_organisation", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False
        ),
        sa.Column("territory", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("languages", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("presentation", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("show_email", sa.Boolean(), nullable=False),
        sa.Column("updated_at", forum.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    with op.batch_alter_table("member_profiles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_member_profiles_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("member_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_profiles_organisation_id"))

    op.drop_table("member_profiles")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisations_updated_by_id"))
        batch_op.drop_index(batch_op.f("ix_organisations_slug"))

    op.drop_table("organisations")

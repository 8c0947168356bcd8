"""The member directory: organisations and member profiles."""

import enum
from datetime import datetime

from sqlmodel import Field, SQLModel

from forum.models.base import _ts, utcnow


class OrganisationKind(enum.StrEnum):
    """What sort of organisation a member organisation is."""

    ASSOCIATION = "association"
    COOPERATIVE = "cooperative"
    COLLECTIVITE = "collectivite"  # a local authority
    RESEAU = "reseau"  # a network or federation
    AUTRE = "autre"


class Organisation(SQLModel, table=True):
    """A member organisation of the network, with the fields of the network's survey."""

    __tablename__ = "organisations"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    acronym: str = Field(default="", max_length=30)
    kind: str = Field(default=OrganisationKind.ASSOCIATION.value, max_length=16)
    # General information and contacts
    country: str = Field(default="", max_length=80)
    city: str = Field(default="", max_length=120)
    address: str = Field(default="", max_length=300)
    website: str = Field(default="", max_length=300)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    description: str = Field(default="", max_length=4000)
    # The survey's other parts: where, what, with what, what to share, what is expected
    territories: str = Field(default="", max_length=2000)
    trades_and_activities: str = Field(default="", max_length=4000)
    resources: str = Field(default="", max_length=4000)
    pooling: str = Field(default="", max_length=4000)
    expectations: str = Field(default="", max_length=4000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_by_id: int | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )


class MemberProfile(SQLModel, table=True):
    """The public part of a member's profile in the directory (one row per account, or none)."""

    __tablename__ = "member_profiles"

    user_id: int = Field(primary_key=True, foreign_key="users.id", ondelete="CASCADE")
    organisation_id: int | None = Field(
        default=None, foreign_key="organisations.id", index=True, ondelete="SET NULL"
    )
    role_in_organisation: str = Field(default="", max_length=120)
    territory: str = Field(default="", max_length=200)
    languages: str = Field(default="", max_length=200)
    presentation: str = Field(default="", max_length=2000)
    show_email: bool = Field(default=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())

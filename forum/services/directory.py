"""The member directory: member cards, search, profile pages, and a member's own profile.

Search runs in Python over the folded texts (see forum.folding): a network has hundreds of
members, and loading them with their organisations is one query; folding in Python is the
only way to match "Œuvre" with "oeuvre" and "Fès" with "fes" the same on SQLite and
PostgreSQL. Past a few thousand members, store a folded column and filter with LIKE.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from forum.access import (
    Actor,
    access_directory,
    access_member,
    can_see_email,
    visible_groups,
)
from forum.errors import FieldErrors, InvalidInput, NotFound
from forum.folding import fold, matches, terms
from forum.i18n import gettext as _
from forum.models import Group, MemberProfile, Organisation, User, utcnow
from forum.services.groups import user_groups
from forum.services.text_fields import clean_line, clean_text

PER_PAGE = 25


@dataclass(frozen=True)
class MemberCard:
    """A member as the directory shows them to one viewer (email only when they may see it)."""

    user: User
    profile: MemberProfile | None
    organisation: Organisation | None
    email: str | None

    @property
    def role(self) -> str:
        """The member's role in their organisation."""
        return self.profile.role_in_organisation if self.profile else ""

    @property
    def territory(self) -> str:
        """Where the member works."""
        return self.profile.territory if self.profile else ""

    @property
    def languages(self) -> str:
        """The languages the member speaks."""
        return self.profile.languages if self.profile else ""

    @property
    def presentation(self) -> str:
        """The member's short presentation."""
        return self.profile.presentation if self.profile else ""


@dataclass(frozen=True)
class MemberFilters:
    """What the directory is searched by; every part is optional."""

    q: str = ""
    territory: str = ""
    activity: str = ""
    organisation: str = ""  # an organisation's slug

    @property
    def active(self) -> bool:
        """True when at least one filter is set."""
        return any((self.q, self.territory, self.activity, self.organisation))


@dataclass(frozen=True)
class MemberDirectory:
    """One page of the directory."""

    cards: list[MemberCard]
    total: int
    page: int
    pages: int
    organisations: list[Organisation]  # the choices of the organisation filter


@dataclass(frozen=True)
class MemberPage:
    """A member's profile page."""

    card: MemberCard
    groups: list[tuple[Group, str]]
    is_me: bool


def _card(
    actor: Actor, user: User, profile: MemberProfile | None, org: Organisation | None
) -> MemberCard:
    email = user.email if can_see_email(actor, user, profile) else None
    return MemberCard(user=user, profile=profile, organisation=org, email=email)


def _rows(
    session: Session, *, active_only: bool = True
) -> list[tuple[User, MemberProfile | None, Organisation | None]]:
    query = (
        select(User, MemberProfile, Organisation)
        .join(MemberProfile, col(MemberProfile.user_id) == col(User.id), isouter=True)
        .join(
            Organisation,
            col(Organisation.id) == col(MemberProfile.organisation_id),
            isouter=True,
        )
    )
    if active_only:
        query = query.where(col(User.is_active))
    rows = [(user, profile, org) for user, profile, org in session.exec(query).all()]
    return sorted(rows, key=lambda row: (fold(row[0].display_name), row[0].login))


def _matches(
    filters: MemberFilters, user: User, profile: MemberProfile | None, org: Organisation | None
) -> bool:
    if filters.organisation and (org is None or org.slug != filters.organisation):
        return False
    p = profile or MemberProfile(user_id=0)
    org_name, acronym = (org.name, org.acronym) if org else ("", "")
    org_places = f"{org.territories}\n{org.city}\n{org.country}" if org else ""
    org_activities = org.trades_and_activities if org else ""
    everything = (user.display_name, user.login, org_name, acronym, p.role_in_organisation)
    return (
        matches(terms(filters.q), *everything, p.territory, org_places, org_activities)
        and matches(terms(filters.territory), p.territory, org_places)
        and matches(terms(filters.activity), org_activities, p.role_in_organisation)
    )


def find_members(session: Session, *, actor: Actor, filters: MemberFilters) -> list[MemberCard]:
    """Every active member matching the filters (accents and case ignored), by name."""
    access_directory(actor)
    return [
        _card(actor, user, profile, org)
        for user, profile, org in _rows(session)
        if _matches(filters, user, profile, org)
    ]


def member_directory(
    session: Session, *, actor: Actor, filters: MemberFilters, page: int = 1
) -> MemberDirectory:
    """One page of the directory, with the organisations to filter by."""
    found = find_members(session, actor=actor, filters=filters)
    pages = max(1, -(-len(found) // PER_PAGE))
    page = min(max(1, page), pages)
    start = (page - 1) * PER_PAGE
    return MemberDirectory(
        cards=found[start : start + PER_PAGE],
        total=len(found),
        page=page,
        pages=pages,
        organisations=organisation_choices(session),
    )


def organisation_choices(session: Session) -> list[Organisation]:
    """Every organisation, by name, for the choices of a form."""
    organisations = session.exec(select(Organisation)).all()
    return sorted(organisations, key=lambda org: fold(org.name))


def organisation_members(
    session: Session, *, actor: Actor, organisation_id: int
) -> list[MemberCard]:
    """The active members who name this organisation in their profile, by name."""
    return [
        _card(actor, user, profile, org)
        for user, profile, org in _rows(session)
        if org is not None and org.id == organisation_id
    ]


def member_page(session: Session, *, actor: Actor, login: str) -> MemberPage:
    """A member's profile, with the groups the viewer may know of."""
    user = access_member(session, actor, login)
    assert user.id is not None
    profile = session.get(MemberProfile, user.id)
    org = None
    if profile is not None and profile.organisation_id is not None:
        org = session.get(Organisation, profile.organisation_id)
    groups = visible_groups(actor, user_groups(session, user_id=user.id))
    return MemberPage(
        card=_card(actor, user, profile, org), groups=groups, is_me=actor.user_id == user.id
    )


@dataclass(frozen=True)
class OwnProfile:
    """The "Profil public" part of the account page."""

    profile: MemberProfile | None
    organisation: Organisation | None
    organisations: list[Organisation]


def own_profile(session: Session, *, user_id: int) -> OwnProfile:
    """A member's own directory profile and the organisations they may choose from."""
    profile = session.get(MemberProfile, user_id)
    org = None
    if profile is not None and profile.organisation_id is not None:
        org = session.get(Organisation, profile.organisation_id)
    return OwnProfile(
        profile=profile, organisation=org, organisations=organisation_choices(session)
    )


def _organisation_id(session: Session, slug: str) -> int | None:
    if not slug:
        return None
    org = session.exec(select(Organisation).where(Organisation.slug == slug)).first()
    if org is None:
        raise InvalidInput({"organisation": _("Cette organisation n'existe pas.")})
    return org.id


def attach_to_organisation(session: Session, *, user_id: int, organisation_id: int) -> None:
    """Make an organisation the member's own (used when a member creates theirs)."""
    profile = session.get(MemberProfile, user_id) or MemberProfile(user_id=user_id)
    profile.organisation_id = organisation_id
    profile.updated_at = utcnow()
    session.add(profile)


def update_member_profile(
    session: Session,
    *,
    actor: Actor,
    organisation: str,
    role_in_organisation: str,
    territory: str,
    languages: str,
    presentation: str,
    show_email: bool,
) -> MemberProfile:
    """A member changes their own directory profile (all fields checked before any is saved)."""
    if actor.user_id is None:
        raise NotFound("profile")
    fields = FieldErrors()
    organisation_id = fields.check(lambda: _organisation_id(session, organisation))
    role = fields.check(
        lambda: clean_line(role_in_organisation, field="role_in_organisation", limit=120)
    )
    territory = fields.check(lambda: clean_line(territory, field="territory", limit=200))
    languages = fields.check(lambda: clean_line(languages, field="languages", limit=200))
    presentation = fields.check(lambda: clean_text(presentation, field="presentation", limit=2000))
    fields.raise_if_any()
    profile = session.get(MemberProfile, actor.user_id) or MemberProfile(user_id=actor.user_id)
    profile.organisation_id = organisation_id
    profile.role_in_organisation = role
    profile.territory = territory
    profile.languages = languages
    profile.presentation = presentation
    profile.show_email = show_email
    profile.updated_at = utcnow()
    session.add(profile)
    session.flush()
    return profile

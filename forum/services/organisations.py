"""Member organisations: their survey fields, listing and search, creation and changes."""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

from sqlmodel import Session, select

from forum.access import (
    Actor,
    access_directory,
    access_organisation,
    can_create_organisation,
    can_edit_organisation,
    member_organisation_id,
)
from forum.errors import Conflict, FieldErrors, InvalidInput, PermissionDenied
from forum.folding import fold, matches, terms
from forum.i18n import N_
from forum.i18n import gettext as _
from forum.models import Organisation, OrganisationKind, User, utcnow
from forum.services.directory import (
    MemberCard,
    MemberFilters,
    attach_to_organisation,
    find_members,
    organisation_choices,
    organisation_members,
)
from forum.services.text_fields import clean_line, clean_text
from forum.services.users import clean_email

KIND_LABELS: dict[str, str] = {
    OrganisationKind.ASSOCIATION.value: N_("Association"),
    OrganisationKind.COOPERATIVE.value: N_("Coopérative"),
    OrganisationKind.COLLECTIVITE.value: N_("Collectivité territoriale"),
    OrganisationKind.RESEAU.value: N_("Réseau ou fédération"),
    OrganisationKind.AUTRE.value: N_("Autre"),
}

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
RESERVED_SLUGS = frozenset({"new"})  # /organisations/new is the creation form
PHONE_RE = re.compile(r"^[0-9+()./ -]*$")

# Field name -> length limit. One-line fields collapse whitespace; texts keep their lines.
LINES = {"acronym": 30, "country": 80, "city": 120, "address": 300}
TEXTS = {
    "description": 4000,
    "territories": 2000,
    "trades_and_activities": 4000,
    "resources": 4000,
    "pooling": 4000,
    "expectations": 4000,
}
FIELDS = ("name", "kind", *LINES, "website", "email", "phone", *TEXTS)


@dataclass(frozen=True)
class OrganisationRow:
    """One line of the organisations list."""

    organisation: Organisation
    members: int


@dataclass(frozen=True)
class OrganisationPage:
    """An organisation's page."""

    organisation: Organisation
    members: list[MemberCard]
    can_edit: bool
    updated_by: User | None


def slug_from_name(name: str) -> str:
    """A URL name made from an organisation's name ("Réseau Maghrébin" -> "reseau-maghrebin")."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")
    return slug[:64].rstrip("-")


def clean_slug(raw: str, name: str) -> str:
    """The given short name, or one made from the name; letters without accents and dashes."""
    slug = raw.strip().lower() or slug_from_name(name)
    if not slug:
        if not name.strip():
            return ""  # the missing name's own message says what to do
        raise InvalidInput({"slug": _("Choisissez un nom court : ce nom n'en donne pas.")})
    if slug in RESERVED_SLUGS:
        raise InvalidInput({"slug": _("Ce nom court est réservé : choisissez-en un autre.")})
    if not SLUG_RE.match(slug):
        raise InvalidInput(
            {
                "slug": _(
                    "Le nom court ne peut contenir que des lettres sans accent, des chiffres "
                    "et des tirets (64 caractères au plus)."
                )
            }
        )
    return slug


def clean_name(raw: str) -> str:
    """The organisation's full name: required, at most 200 characters."""
    name = clean_line(raw, field="name", limit=200)
    if not name:
        raise InvalidInput({"name": _("Indiquez le nom de l'organisation.")})
    return name


def clean_kind(raw: str) -> str:
    """One of the kinds of OrganisationKind."""
    if raw not in KIND_LABELS:
        raise InvalidInput({"kind": _("Choisissez un type d'organisation.")})
    return raw


def clean_website(raw: str) -> str:
    """An http(s) address; "www.exemple.ma" gets https:// in front."""
    text = raw.strip()
    if not text:
        return ""
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = parts.hostname or ""
    if (
        parts.scheme not in ("http", "https")
        or "." not in host
        or any(c.isspace() for c in text)
        or len(text) > 300
    ):
        raise InvalidInput({"website": _("Cette adresse de site web n'est pas valide.")})
    return text


def clean_phone(raw: str) -> str:
    """Digits, spaces and + ( ) . / - only, at most 40 characters."""
    phone = " ".join(raw.split())
    if len(phone) > 40 or not PHONE_RE.match(phone):
        raise InvalidInput(
            {"phone": _("Un numéro de téléphone ne contient que des chiffres, espaces et « + ».")}
        )
    return phone


def _email(raw: str) -> str:
    return clean_email(raw) or ""


def _cleaner(name: str) -> Callable[[str], str]:
    """The function that checks one field of the form."""
    special: dict[str, Callable[[str], str]] = {
        "name": clean_name,
        "kind": clean_kind,
        "website": clean_website,
        "email": _email,
        "phone": clean_phone,
    }
    if name in LINES:
        return partial(clean_line, field=name, limit=LINES[name])
    if name in TEXTS:
        return partial(clean_text, field=name, limit=TEXTS[name])
    return special[name]


def _clean(values: Mapping[str, str]) -> dict[str, str]:
    """Every field checked; all problems reported at once."""
    fields = FieldErrors()
    cleaned: dict[str, str] = {}
    for name in FIELDS:
        cleaned[name] = fields.check(partial(_cleaner(name), values.get(name, "")))
    fields.raise_if_any()
    return cleaned


def _check_unique_name(session: Session, name: str, *, except_id: int | None = None) -> None:
    folded = fold(name)
    for org in session.exec(select(Organisation)).all():
        if org.id != except_id and fold(org.name) == folded:
            raise Conflict(_("Une organisation porte déjà ce nom."), field="name")


def create_organisation(
    session: Session, *, actor: Actor, slug: str, values: Mapping[str, str]
) -> Organisation:
    """Create an organisation; a member without one becomes attached to it."""
    access_directory(actor)
    own_org = member_organisation_id(session, actor)
    if not can_create_organisation(actor, actor_organisation_id=own_org):
        raise PermissionDenied("organisations")
    fields = FieldErrors()
    cleaned = fields.check(lambda: _clean(values))
    slug = fields.check(lambda: clean_slug(slug, values.get("name", "")))
    fields.raise_if_any()
    _check_unique_name(session, cleaned["name"])
    taken = session.exec(select(Organisation.id).where(Organisation.slug == slug)).first()
    if taken is not None:
        raise Conflict(_("Ce nom court est déjà pris."), field="slug")
    org = Organisation(slug=slug, name=cleaned["name"], updated_by_id=actor.user_id)
    for name, value in cleaned.items():
        setattr(org, name, value)
    session.add(org)
    session.flush()
    assert org.id is not None and actor.user_id is not None
    if not actor.is_admin:
        attach_to_organisation(session, user_id=actor.user_id, organisation_id=org.id)
    return org


def update_organisation(
    session: Session, *, actor: Actor, slug: str, values: Mapping[str, str]
) -> Organisation:
    """Change an organisation's fields (admins and its members); its slug stays."""
    org = access_organisation(session, actor, slug, for_write=True)
    cleaned = _clean(values)
    _check_unique_name(session, cleaned["name"], except_id=org.id)
    for name, value in cleaned.items():
        setattr(org, name, value)
    org.updated_at = utcnow()
    org.updated_by_id = actor.user_id
    session.add(org)
    return org


def organisation_form(session: Session, *, actor: Actor, slug: str | None) -> Organisation | None:
    """Check the actor may fill the creation form (slug None) or edit this organisation."""
    if slug is not None:
        return access_organisation(session, actor, slug, for_write=True)
    access_directory(actor)
    own_org = member_organisation_id(session, actor)
    if not can_create_organisation(actor, actor_organisation_id=own_org):
        raise PermissionDenied("organisations")
    return None


@dataclass(frozen=True)
class OrganisationList:
    """The organisations page: the matching organisations, and whether the actor may add one."""

    rows: list[OrganisationRow]
    can_create: bool


def find_organisations(
    session: Session, *, actor: Actor, q: str = "", territory: str = "", activity: str = ""
) -> list[OrganisationRow]:
    """Organisations by name, filtered by name, territory and activity (accents ignored)."""
    access_directory(actor)
    counts: dict[int, int] = {}
    for card in find_members(session, actor=actor, filters=MemberFilters()):
        if card.organisation is not None and card.organisation.id is not None:
            counts[card.organisation.id] = counts.get(card.organisation.id, 0) + 1
    rows = []
    for org in organisation_choices(session):
        places = (org.territories, org.city, org.country)
        if (
            matches(terms(q), org.name, org.acronym, *places, org.trades_and_activities)
            and matches(terms(territory), *places)
            and matches(terms(activity), org.trades_and_activities)
        ):
            rows.append(OrganisationRow(organisation=org, members=counts.get(org.id or 0, 0)))
    return rows


def organisation_list(
    session: Session, *, actor: Actor, q: str = "", territory: str = "", activity: str = ""
) -> OrganisationList:
    """The organisations page's data."""
    rows = find_organisations(session, actor=actor, q=q, territory=territory, activity=activity)
    own_org = member_organisation_id(session, actor)
    return OrganisationList(
        rows=rows, can_create=can_create_organisation(actor, actor_organisation_id=own_org)
    )


def organisation_page(session: Session, *, actor: Actor, slug: str) -> OrganisationPage:
    """An organisation with its members and whether the actor may change it."""
    org = access_organisation(session, actor, slug)
    assert org.id is not None
    own_org = member_organisation_id(session, actor)
    updated_by = session.get(User, org.updated_by_id) if org.updated_by_id else None
    return OrganisationPage(
        organisation=org,
        members=organisation_members(session, actor=actor, organisation_id=org.id),
        can_edit=can_edit_organisation(actor, org, actor_organisation_id=own_org),
        updated_by=updated_by,
    )

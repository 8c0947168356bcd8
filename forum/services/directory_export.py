"""CSV exports of the directory (members, organisations) for administrators, ready for Excel.

The files are UTF-8 with a byte-order mark (without it Excel reads accents as Windows-1252),
separated by semicolons (what Excel expects in a French locale, where the comma is the decimal
separator), every field quoted when needed by the csv module. A cell starting with = + - @,
a tab or a carriage return would be run as a formula by a spreadsheet: it gets a leading
apostrophe, as OWASP recommends, which also shows on phone numbers such as +212….
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from forum.access import Actor, access_site_admin
from forum.folding import fold
from forum.i18n import gettext as _
from forum.models import Group, MemberProfile, Membership, Organisation, User
from forum.services.organisations import KIND_LABELS

BOM = "\ufeff"
DELIMITER = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """A cell's text, with a leading apostrophe if a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV document: BOM, header, rows; CRLF line endings as RFC 4180 says."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()


def _yes_no(value: bool) -> str:
    return _("oui") if value else _("non")


def _date(moment: datetime | None) -> str:
    return "" if moment is None else moment.date().isoformat()


def members_csv(session: Session, *, actor: Actor) -> str:
    """Every account with its directory profile, groups and status (admins only)."""
    access_site_admin(actor)
    organisations = {org.id: org for org in session.exec(select(Organisation)).all()}
    profiles = {p.user_id: p for p in session.exec(select(MemberProfile)).all()}
    groups: dict[int, list[str]] = {}
    query = (
        select(Membership.user_id, Group.name)
        .join(Group, col(Group.id) == col(Membership.group_id))
        .order_by(col(Group.name))
    )
    for user_id, group_name in session.exec(query).all():
        groups.setdefault(user_id, []).append(group_name)
    users = sorted(session.exec(select(User)).all(), key=lambda u: (fold(u.display_name), u.login))
    header = [
        _("Identifiant"),
        _("Nom"),
        _("Adresse électronique"),
        _("Adresse visible des membres"),
        _("Organisation"),
        _("Fonction dans l'organisation"),
        _("Territoire"),
        _("Langues"),
        _("Présentation"),
        _("Groupes"),
        _("Administrateur"),
        _("Compte actif"),
        _("Compte créé le"),
    ]
    rows = []
    for user in users:
        profile = profiles.get(user.id or 0) or MemberProfile(user_id=user.id or 0)
        org = organisations.get(profile.organisation_id)
        rows.append(
            [
                user.login,
                user.display_name,
                user.email or "",
                _yes_no(profile.show_email),
                org.name if org else "",
                profile.role_in_organisation,
                profile.territory,
                profile.languages,
                profile.presentation,
                ", ".join(groups.get(user.id or 0, [])),
                _yes_no(user.is_admin),
                _yes_no(user.is_active),
                _date(user.created_at),
            ]
        )
    return to_csv(header, rows)


def organisations_csv(session: Session, *, actor: Actor) -> str:
    """Every organisation with all the survey's fields (admins only)."""
    access_site_admin(actor)
    members: dict[int, int] = {}  # active accounts, as on the organisation's page
    query = (
        select(MemberProfile.organisation_id)
        .join(User, col(User.id) == col(MemberProfile.user_id))
        .where(col(User.is_active), col(MemberProfile.organisation_id).is_not(None))
    )
    for organisation_id in session.exec(query).all():
        if organisation_id is not None:
            members[organisation_id] = members.get(organisation_id, 0) + 1
    organisations = sorted(session.exec(select(Organisation)).all(), key=lambda o: fold(o.name))
    header = [
        _("Nom court"),
        _("Nom"),
        _("Sigle"),
        _("Type"),
        _("Pays"),
        _("Ville"),
        _("Adresse"),
        _("Site web"),
        _("Adresse électronique"),
        _("Téléphone"),
        _("Présentation"),
        _("Territoires"),
        _("Métiers et activités"),
        _("Ressources"),
        _("Mutualisation possible"),
        _("Attentes vis-à-vis du réseau"),
        _("Membres inscrits"),
        _("Créée le"),
        _("Mise à jour le"),
    ]
    rows = [
        [
            org.slug,
            org.name,
            org.acronym,
            _(KIND_LABELS.get(org.kind, org.kind)),
            org.country,
            org.city,
            org.address,
            org.website,
            org.email,
            org.phone,
            org.description,
            org.territories,
            org.trades_and_activities,
            org.resources,
            org.pooling,
            org.expectations,
            members.get(org.id or 0, 0),
            _date(org.created_at),
            _date(org.updated_at),
        ]
        for org in organisations
    ]
    return to_csv(header, rows)

"""Claims: a member says an archive address is theirs, an administrator confirms, and the
sender's imported posts (and topics) move from the placeholder author to the member.

Services: they take a Session, never commit, and raise forum.errors. Confirming returns
the ids of the moved posts, for re-indexing (the author's name is in the search index).
"""

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from forum.access import Actor, access_site_admin
from forum.errors import Conflict, InvalidInput, NotFound
from forum.i18n import gettext as _
from forum.importer.people import normalise_address
from forum.models import ImportClaim, ImportPerson, Post, Topic, User, utcnow

PENDING, CONFIRMED, REFUSED = "pending", "confirmed", "refused"
NOTE_MAX = 1000


def claim_address(session: Session, *, actor: Actor, address: str, note: str = "") -> ImportClaim:
    """Ask to become the author of the archive messages sent from `address`."""
    if actor.user_id is None:
        raise NotFound("claim")
    key = normalise_address(address)
    if "@" not in key:
        raise InvalidInput({"address": _("Indiquez une adresse électronique.")})
    person = session.exec(select(ImportPerson).where(ImportPerson.address == key)).first()
    if person is None or person.id is None or not person.is_placeholder:
        raise InvalidInput(
            {"address": _("Aucun message de l'ancien groupe n'attend d'auteur pour cette adresse.")}
        )
    pending = session.exec(
        select(ImportClaim).where(
            ImportClaim.person_id == person.id,
            ImportClaim.user_id == actor.user_id,
            ImportClaim.status == PENDING,
        )
    ).first()
    if pending is not None:
        raise Conflict(_("Vous avez déjà demandé ces messages : un administrateur va répondre."))
    claim = ImportClaim(
        person_id=person.id, user_id=actor.user_id, note=" ".join(note.split())[:NOTE_MAX]
    )
    session.add(claim)
    session.flush()
    return claim


@dataclass(frozen=True)
class ClaimRow:
    """A claim as administrators see it: who claims which address, for how many messages."""

    claim: ImportClaim
    address: str
    archive_name: str
    claimant: User
    messages: int


def list_claims(session: Session, *, actor: Actor, status: str = PENDING) -> list[ClaimRow]:
    """Claims in a status, oldest first (administrators only)."""
    access_site_admin(actor)
    rows = session.exec(
        select(ImportClaim, ImportPerson, User)
        .join(ImportPerson, col(ImportPerson.id) == ImportClaim.person_id)
        .join(User, col(User.id) == ImportClaim.user_id)
        .where(ImportClaim.status == status)
        .order_by(col(ImportClaim.created_at), col(ImportClaim.id))
    ).all()
    result = []
    for claim, person, claimant in rows:
        count = len(session.exec(select(Post.id).where(Post.author_id == person.user_id)).all())
        result.append(ClaimRow(claim, person.address, person.display_name, claimant, count))
    return result


def _pending_claim(session: Session, claim_id: int) -> ImportClaim:
    claim = session.get(ImportClaim, claim_id) if 0 < claim_id < 2**63 else None
    if claim is None or claim.status != PENDING:
        raise NotFound(f"claim {claim_id}")
    return claim


def move_authorship(session: Session, *, person: ImportPerson, user_id: int) -> list[int]:
    """Give a sender's posts and topics to a member; the placeholder account goes away."""
    assert person.id is not None
    old = person.user_id
    moved = list(session.exec(select(Post.id).where(Post.author_id == old)).all())
    if old != user_id:
        session.execute(
            update(Post)
            .where(col(Post.author_id) == old)
            .values(author_id=user_id)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(Topic)
            .where(col(Topic.author_id) == old)
            .values(author_id=user_id)
            .execution_options(synchronize_session=False)
        )
    was_placeholder = person.is_placeholder
    person.user_id, person.is_placeholder = user_id, False
    session.add(person)
    session.flush()
    placeholder = session.get(User, old) if was_placeholder and old != user_id else None
    others = session.exec(select(ImportPerson.id).where(ImportPerson.user_id == old)).first()
    if placeholder is not None and placeholder.password_hash is None and others is None:
        session.delete(placeholder)
        session.flush()
    return [post_id for post_id in moved if post_id is not None]


def confirm_claim(session: Session, *, actor: Actor, claim_id: int) -> list[int]:
    """Confirm a claim: authorship moves; other pending claims of that address are refused.

    Returns the ids of the posts that changed author.
    """
    access_site_admin(actor)
    claim = _pending_claim(session, claim_id)
    person = session.get(ImportPerson, claim.person_id)
    if person is None:
        raise NotFound(f"claim {claim_id}")
    moved = move_authorship(session, person=person, user_id=claim.user_id)
    now = utcnow()
    others = session.exec(
        select(ImportClaim).where(ImportClaim.person_id == person.id, ImportClaim.status == PENDING)
    ).all()
    for other in others:
        other.status = CONFIRMED if other.id == claim.id else REFUSED
        other.decided_at, other.decided_by_id = now, actor.user_id
        session.add(other)
    session.flush()
    return moved


def refuse_claim(session: Session, *, actor: Actor, claim_id: int) -> ImportClaim:
    """Refuse a claim; nothing moves."""
    access_site_admin(actor)
    claim = _pending_claim(session, claim_id)
    claim.status, claim.decided_at, claim.decided_by_id = REFUSED, utcnow(), actor.user_id
    session.add(claim)
    session.flush()
    return claim


def my_claims(session: Session, *, actor: Actor) -> list[tuple[ImportClaim, str]]:
    """The actor's own claims with the address each one names, newest first."""
    if actor.user_id is None:
        return []
    rows = session.exec(
        select(ImportClaim, ImportPerson.address)
        .join(ImportPerson, col(ImportPerson.id) == ImportClaim.person_id)
        .where(ImportClaim.user_id == actor.user_id)
        .order_by(col(ImportClaim.created_at).desc())
    ).all()
    return [(claim, address) for claim, address in rows]

"""Archive senders matched to members, or given placeholder authors, and the people map.

A sender is known by their normalised address; an archive that redacted it ("fatima@...")
or lost it gives a weaker key ("name@...", "nom:<name>"). The people map (CSV: address or
alias, member login) wins over everything; then a member whose e-mail is the address;
then the sender's earlier import; else a new placeholder: an inactive account without
password or e-mail, shown under the archive name. Addresses stay in import_people, which
only administrators see.
"""

import csv
import hashlib
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, col, select

from forum.errors import InvalidInput
from forum.i18n import gettext as _
from forum.models import ImportPerson, User

NAME_MAX = 120


def normalise_address(address: str) -> str:
    """An address compared the way people mean it: trimmed, lower case, no mailto:."""
    cleaned = address.strip().strip("<>").lower()
    return cleaned.removeprefix("mailto:")


def sender_key(address: str, name: str) -> str:
    """The key of a sender: their address, or their name when the archive has no address."""
    if address:
        return normalise_address(address)
    folded = unicodedata.normalize("NFKD", name.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return "nom:" + " ".join(folded.split())


def read_people_map(data: bytes, *, suffix: str = "") -> dict[str, str]:
    """The people map: rows "address or alias, login" (a header row is allowed), keys
    normalised, logins as written. Raises InvalidInput naming the first bad line."""
    text = data.decode("utf-8-sig", errors="replace")
    mapping: dict[str, str] = {}
    dialect = csv.excel_tab if "\t" in text.split("\n", 1)[0] else csv.excel
    for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and cells[0].lower() in ("address", "adresse", "alias", "email", "e-mail"):
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise InvalidInput(
                {"people": _("Ligne %(line)s : « adresse, identifiant » attendu.", line=number)}
            )
        mapping[normalise_address(cells[0])] = cells[1]
    return mapping


def load_people_map(path: Path) -> dict[str, str]:
    """read_people_map on a file."""
    return read_people_map(path.read_bytes())


@dataclass
class Author:
    """Who a sender is in the forum."""

    user_id: int
    person_id: int | None
    matched: bool  # a member (by address or by the map), not a placeholder


@dataclass
class PeopleResolver:
    """Finds or creates the author of each sender within one transaction at a time.

    `forget_uncommitted()` drops what the last transaction created, after a rollback.
    """

    people_map: dict[str, str] = field(default_factory=dict)
    login_suffix: str = ""
    matched: set[str] = field(default_factory=set)
    placeholders: set[str] = field(default_factory=set)
    placeholders_created: set[str] = field(default_factory=set)
    _cache: dict[str, Author] = field(default_factory=dict)
    _uncommitted: set[str] = field(default_factory=set)
    _members: dict[str, int] | None = None
    _logins: dict[str, int] | None = None

    def _member_by_email(self, session: Session, address: str) -> int | None:
        if self._members is None:
            rows = session.exec(
                select(User.id, User.email).where(col(User.email).is_not(None))
            ).all()
            self._members = {normalise_address(e): i for i, e in rows if e and i is not None}
        return self._members.get(address)

    def member_by_login(self, session: Session, login: str) -> int:
        """The account of a login of the people map (the site suffix may be left out)."""
        if self._logins is None:
            found = session.exec(select(User.id, User.login)).all()
            self._logins = {name.lower(): i for i, name in found if i is not None}
        wanted = [login.lower()]
        if self.login_suffix and not login.lower().endswith(self.login_suffix.lower()):
            wanted.append(login.lower() + self.login_suffix.lower())
        for candidate in wanted:
            if candidate in self._logins:
                return self._logins[candidate]
        raise InvalidInput(
            {"people": _("Aucun compte « %(login)s » (table des personnes).", login=login)}
        )

    def author(self, session: Session, *, address: str, name: str) -> Author:
        """The author for a sender, creating their person row (and placeholder) if new."""
        key = sender_key(address, name)
        known = self._cache.get(key)
        if known is not None:
            return known
        person = session.exec(select(ImportPerson).where(ImportPerson.address == key)).first()
        mapped = self.people_map.get(key) or (
            self.people_map.get(name.casefold()) if name else None
        )
        member_id = (
            self.member_by_login(session, mapped) if mapped else self._member_by_email(session, key)
        )
        if person is not None and member_id is not None and person.user_id != member_id:
            person.user_id, person.is_placeholder = member_id, False
            session.add(person)
        if person is None:
            user_id = member_id if member_id is not None else self._placeholder(session, key, name)
            person = ImportPerson(
                address=key[:320],
                display_name=(name or key.split("@")[0])[:NAME_MAX],
                user_id=user_id,
                is_placeholder=member_id is None,
            )
            session.add(person)
            session.flush()
            self._uncommitted.add(key)
        assert person.id is not None
        author = Author(person.user_id, person.id, not person.is_placeholder)
        (self.matched if author.matched else self.placeholders).add(key)
        self._cache[key] = author
        return author

    def _placeholder(self, session: Session, key: str, name: str) -> int:
        digest = hashlib.sha256(key.encode()).hexdigest()[:12]
        display = (name or key.split("@")[0].removeprefix("nom:") or "?")[:NAME_MAX]
        user = User(
            login=f"ancien-{digest}",
            display_name=display,
            email=None,
            password_hash=None,
            is_active=False,
        )
        session.add(user)
        session.flush()
        assert user.id is not None
        self.placeholders_created.add(key)
        return user.id

    def committed(self) -> None:
        """The transaction committed: what it created is now real."""
        self._uncommitted.clear()

    def forget_uncommitted(self) -> None:
        """The transaction rolled back: forget the people it created."""
        for key in self._uncommitted:
            self._cache.pop(key, None)
            self.placeholders_created.discard(key)
            self.placeholders.discard(key)
            self.matched.discard(key)
        self._uncommitted.clear()


def check_people_map(session: Session, mapping: dict[str, str], *, suffix: str = "") -> None:
    """Every login of the people map names an account; InvalidInput names the first that doesn't."""
    resolver = PeopleResolver(login_suffix=suffix)
    for login in sorted(set(mapping.values())):
        resolver.member_by_login(session, login)

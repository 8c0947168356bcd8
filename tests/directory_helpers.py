"""Arranging directory tests: organisations and member profiles written through the services."""

from typing import Any

from bs4 import BeautifulSoup, Tag
from sqlmodel import Session

from forum.access import Actor, actor_for
from forum.db import Database
from forum.models import Organisation
from forum.services import directory as directory_service
from forum.services import organisations as organisation_service
from forum.services import users as user_service
from tests.conftest import Member


def actor_of(session: Session, member: Member) -> Actor:
    """The actor a member's requests run as."""
    return actor_for(session, user_service.get_user(session, member.id))


def add_organisation(db: Database, by: Member, slug: str, name: str, **fields: str) -> Organisation:
    """Create an organisation as this member (an administrator, usually) would."""
    values = {"name": name, "kind": "association", **fields}

    def create(session: Session) -> Organisation:
        actor = actor_of(session, by)
        return organisation_service.create_organisation(
            session, actor=actor, slug=slug, values=values
        )

    org: Organisation = db.transaction(create)
    return org


def set_profile(db: Database, member: Member, **fields: Any) -> None:
    """Save a member's directory profile as they would on their account page."""
    values: dict[str, Any] = {
        "organisation": "",
        "role_in_organisation": "",
        "territory": "",
        "languages": "",
        "presentation": "",
        "show_email": False,
        **fields,
    }

    def save(session: Session) -> None:
        actor = actor_of(session, member)
        directory_service.update_member_profile(session, actor=actor, **values)

    db.transaction(save)


def soup(text: str) -> BeautifulSoup:
    """Parse a page."""
    return BeautifulSoup(text, "html.parser")


def main_text(text: str) -> str:
    """The visible text of a page's <main>, whitespace collapsed."""
    main = soup(text).find("main")
    assert main is not None
    return " ".join(main.get_text(" ").split())


def field_errors(text: str) -> dict[str, str]:
    """Field name -> the message shown next to it; the field itself is marked invalid."""
    page = soup(text)
    errors = {}
    for p in page.select("p.field-error"):
        name = str(p["id"]).removesuffix("-error")
        field = page.select_one(f"[name='{name}'][aria-invalid='true']")
        assert field is not None, name
        errors[name] = p.get_text(strip=True)
    return errors


def member_links(text: str) -> list[str]:
    """The logins of the members a page lists (links to /membres/{login})."""
    main = soup(text).find("main")
    assert main is not None
    return [
        str(a["href"]).removeprefix("/membres/")
        for a in main.select("a.member-name")
        if str(a["href"]).startswith("/membres/")
    ]


def one(node: Tag, selector: str) -> Tag:
    """The one element a CSS selector designates (the test fails when there is none)."""
    found = node.select_one(selector)
    assert found is not None, selector
    return found


def value_of(node: Tag, name: str) -> str:
    """The value an input field of this name holds."""
    return str(one(node, f"input[name='{name}']").get("value", ""))

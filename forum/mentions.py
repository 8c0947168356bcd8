"""@mentions in posts: which names a text mentions, who they are, and the post rendered with links.

`@login` names a member (linked to their profile in the directory); `@slug` names a group (shown
in bold: groups have no page of their own). Names inside code or links are not mentions. A
login wins over a group of the same name. Disabled accounts are not mentioned. A group exists
only for its members (forum.access.access_group): only its members and administrators can
mention it, and only they are offered it by the autocompletion.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from forum.access import Actor, access_directory
from forum.markup import MENTION, parse, plain_text_tokens, render_markdown
from forum.models import Group, User

MAX_MENTIONS = 50  # per post: more names than that are left as plain text
MAX_SUGGESTIONS = 8


@dataclass(frozen=True)
class Mentions:
    """The members and groups a post mentions, by the lower-case name used."""

    users: dict[str, User] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)

    def links(self) -> dict[str, str]:
        """name -> address for the renderer ("" for groups: bold, no link)."""
        found = dict.fromkeys(self.groups, "")
        found.update({name: f"/membres/{user.login}" for name, user in self.users.items()})
        return found


def mentioned_names(source: str) -> set[str]:
    """The lower-case @names of a Markdown text, outside code and links (at most MAX_MENTIONS)."""
    names: set[str] = set()
    for token in plain_text_tokens(parse(source)):
        for match in MENTION.finditer(token.content):
            names.add(match.group(1).lower())
            if len(names) >= MAX_MENTIONS:
                return names
    return names


def _may_mention(author: Actor, group: Group) -> bool:
    return author.is_admin or author.in_group(group.id)


def resolve_mentions(session: Session, names: set[str], author: Actor) -> Mentions:
    """The active members, and the author's groups, these names designate."""
    if not names:
        return Mentions()
    users = session.exec(
        select(User).where(col(User.login).in_(names), col(User.is_active).is_(True))
    ).all()
    by_login = {user.login: user for user in users}
    rest = names - set(by_login)
    groups = session.exec(select(Group).where(col(Group.slug).in_(rest))).all() if rest else []
    return Mentions(
        users=by_login,
        groups={group.slug: group for group in groups if _may_mention(author, group)},
    )


def find_mentions(session: Session, source: str, author: Actor) -> Mentions:
    """Who and which groups a Markdown text by this author mentions."""
    return resolve_mentions(session, mentioned_names(source), author)


def render_post(session: Session, source: str, author: Actor) -> str:
    """A post's Markdown as sanitised HTML, its mentions turned into links."""
    return render_markdown(source, find_mentions(session, source, author).links())


@dataclass(frozen=True)
class Suggestion:
    """One completion for the @ the member is typing."""

    kind: str  # "member" or "group"
    name: str  # what follows the @
    label: str


def suggest_mentions(session: Session, actor: Actor, prefix: str) -> list[Suggestion]:
    """Members (by login or name) and the actor's groups starting with prefix; members only."""
    access_directory(actor)
    text = prefix.strip().lstrip("@").lower()[:64]
    if not text:
        return []
    pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    users = session.exec(
        select(User)
        .where(
            col(User.is_active).is_(True),
            col(User.login).like(pattern, escape="\\")
            | col(User.display_name).ilike(pattern, escape="\\")
            | col(User.display_name).ilike("% " + pattern, escape="\\"),
        )
        .order_by(col(User.login))
        .limit(MAX_SUGGESTIONS)
    ).all()
    found = [Suggestion("member", user.login, user.display_name) for user in users]
    groups = session.exec(
        select(Group).where(col(Group.slug).like(pattern, escape="\\")).order_by(col(Group.slug))
    ).all()
    found += [
        Suggestion("group", group.slug, group.name)
        for group in groups
        if _may_mention(actor, group)
    ]
    return found[:MAX_SUGGESTIONS]

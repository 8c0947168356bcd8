"""Files as posts and libraries show them, and the files of posts a reader may open."""

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import bindparam, select
from sqlmodel import Session

from forum.access import Actor, VisibleBoardsStatements
from forum.files.labels import human_size, type_label
from forum.models import Board, File, PostFile, table_of


@dataclass(frozen=True)
class Attachment:
    """A file as shown under a post or in a library."""

    public_id: str
    name: str
    size: int
    content_type: str
    is_image: bool
    width: int | None
    height: int | None

    @property
    def size_label(self) -> str:
        """The size in words ("1,2 Mo")."""
        return human_size(self.size)

    @property
    def type_label(self) -> str:
        """The type in words ("Document PDF")."""
        return type_label(self.content_type)

    @property
    def url(self) -> str:
        """For an image the re-encoded display size; otherwise the download."""
        return (
            display_url(self.public_id)
            if self.is_image
            else download_url(self.public_id, self.name)
        )

    @property
    def download(self) -> str:
        """The original file, as an attachment."""
        return download_url(self.public_id, self.name)

    @property
    def thumbnail(self) -> str | None:
        """The thumbnail of an image."""
        return thumb_url(self.public_id) if self.is_image else None


def download_url(public_id: str, name: str) -> str:
    """The download address; the name is only there for the reader (the id decides)."""
    if name in ("display", "thumb"):  # those two words name an image's renditions
        return f"/f/{public_id}"
    return f"/f/{public_id}/{quote(name, safe='')}"


def display_url(public_id: str) -> str:
    """The re-encoded display size of an image."""
    return f"/f/{public_id}/display"


def thumb_url(public_id: str) -> str:
    """The thumbnail of an image."""
    return f"/f/{public_id}/thumb"


def attachment(file: File) -> Attachment:
    """The view of a file row."""
    return Attachment(
        public_id=file.public_id,
        name=file.name,
        size=file.size,
        content_type=file.content_type,
        is_image=file.display_sha256 is not None,
        width=file.width,
        height=file.height,
    )


_FILES = table_of(File)
_POST_FILES = table_of(PostFile)
_BOARDS = table_of(Board)
_ATTACHMENTS = VisibleBoardsStatements(
    select(
        _POST_FILES.c.post_id,
        _FILES.c.public_id,
        _FILES.c.name,
        _FILES.c.size,
        _FILES.c.content_type,
        _FILES.c.display_sha256.is_not(None),
        _FILES.c.width,
        _FILES.c.height,
    )
    .join_from(_POST_FILES, _FILES, _FILES.c.id == _POST_FILES.c.file_id)
    .join(_BOARDS, _BOARDS.c.id == _FILES.c.board_id)
    .where(_POST_FILES.c.post_id.in_(bindparam("posts", expanding=True)))
    .where(_FILES.c.deleted_at.is_(None))
    .order_by(_POST_FILES.c.post_id, _POST_FILES.c.position, _POST_FILES.c.id)
)


def visible_post_attachments(
    session: Session, actor: Actor, post_ids: Sequence[int]
) -> dict[int, list[Attachment]]:
    """The live files of each post that the actor may open (a moved topic's files stay in
    their first board, which the reader may not see), in attachment order."""
    if not post_ids:
        return {}
    statement, params = _ATTACHMENTS.for_actor(actor)
    found: dict[int, list[Attachment]] = {}
    for post_id, *fields in statement.rows(session, {"posts": list(post_ids), **params}):
        found.setdefault(post_id, []).append(Attachment(*fields))
    return found

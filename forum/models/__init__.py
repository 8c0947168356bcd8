"""Database tables (SQLModel). Data only: no commits, no HTTP, no permission logic.

One module per part of the forum; everything is re-exported here, so code imports
`from forum.models import Topic`. Importing this package registers every table on
SQLModel.metadata (Alembic compares against it).
"""

from forum.models.base import UTCDateTime, table_of, utcnow
from forum.models.core import (
    AccessToken,
    AuthSession,
    Board,
    Group,
    Membership,
    Role,
    SetupLink,
    SiteMeta,
    User,
    Visibility,
)
from forum.models.directory import MemberProfile, Organisation, OrganisationKind
from forum.models.discussions import Draft, Post, PostRevision, Report, Topic, TopicRead
from forum.models.documents import Document, DocumentVersion
from forum.models.files import File, Folder, PostFile, StoredBlob
from forum.models.imports import ImportClaim, ImportedMessage, ImportJob, ImportPerson
from forum.models.notifications import (
    BoardWatch,
    Notification,
    NotificationKind,
    NotificationSetting,
    TopicWatch,
)
from forum.models.polls import Poll, PollOption, PollResults, PollVote
from forum.models.records import BoardRecord, DocumentRecord, GroupLabel, TopicRecord

__all__ = [
    "table_of",
    "AccessToken",
    "AuthSession",
    "Board",
    "BoardRecord",
    "BoardWatch",
    "Document",
    "DocumentRecord",
    "DocumentVersion",
    "Draft",
    "File",
    "Folder",
    "Group",
    "GroupLabel",
    "ImportClaim",
    "ImportJob",
    "ImportPerson",
    "ImportedMessage",
    "MemberProfile",
    "Membership",
    "Notification",
    "NotificationKind",
    "NotificationSetting",
    "Organisation",
    "OrganisationKind",
    "Poll",
    "PollOption",
    "PollResults",
    "PollVote",
    "Post",
    "PostFile",
    "PostRevision",
    "Report",
    "Role",
    "SetupLink",
    "SiteMeta",
    "StoredBlob",
    "Topic",
    "TopicRecord",
    "TopicRead",
    "TopicWatch",
    "UTCDateTime",
    "User",
    "Visibility",
    "utcnow",
]

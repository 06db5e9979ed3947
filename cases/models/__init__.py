"""The tables of the register: boards, cases, documents, attachments, meetings, references.

Rules that must always hold are database constraints. Cases, documents and attachments are
never deleted (a trigger in migration 0002 refuses DELETE); a registration is cancelled
(makulerad) with a reason and keeps its row and number.

The tables live in one module per concern (see README, Arkitektur); everything is
re-exported here, so ``from cases.models import Case`` and the app registry work as
before. Every class keeps app label ``cases`` and its table name.
"""

from .common import PRIVATE_PERSON, PROTECTED_TITLE, in_choices, public_text, public_title
from .documents import (
    Attachment,
    AttachmentQuerySet,
    Direction,
    Document,
    DocumentForReview,
    DocumentKind,
    DocumentQuerySet,
    PersonalDataFinding,
    TextSource,
)
from .jobs import BackgroundRun, ImportProgress
from .meetings import AgendaItem, Decision, Meeting
from .memberships import BoardMembership
from .references import Reference, ReferenceRelation, ReferenceStatus
from .register import (
    Board,
    BoardKind,
    Case,
    CaseAlias,
    CaseQuerySet,
    CaseStatus,
    CaseStatusChange,
    DnrSeries,
)
from .search_index import CaseSearchEntry, SearchCount, SearchEntry, SearchWord

__all__ = [
    "PROTECTED_TITLE",
    "PRIVATE_PERSON",
    "public_title",
    "public_text",
    "in_choices",
    "BoardKind",
    "CaseStatus",
    "Board",
    "CaseQuerySet",
    "Case",
    "CaseAlias",
    "CaseStatusChange",
    "DnrSeries",
    "DocumentKind",
    "Direction",
    "TextSource",
    "DocumentQuerySet",
    "Document",
    "DocumentForReview",
    "Attachment",
    "AttachmentQuerySet",
    "PersonalDataFinding",
    "Meeting",
    "AgendaItem",
    "Decision",
    "ReferenceRelation",
    "ReferenceStatus",
    "Reference",
    "SearchEntry",
    "SearchCount",
    "CaseSearchEntry",
    "SearchWord",
    "BoardMembership",
    "BackgroundRun",
    "ImportProgress",
]
# isort: split
# Requests to see handlings live in their own package; imported here so Django finds them.
from ..access.models import AccessOrder, AccessRequest, AccessRequestEvent, AccessRequestItem  # noqa: E402, F401

# E-mail alerts (bevakningar), likewise.
from ..alerts.models import SentEvent, SentItem, Subscription, SubscriptionRequest  # noqa: E402, F401

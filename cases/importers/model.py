"""The result of parsing a pack: cases, documents, agenda entries (pure data).

``text_pack`` builds it, ``importing.import_parsed_pack`` writes it.
"""

import datetime
from dataclasses import dataclass, field

from . import lists
from .cleaning import tidy_title
from .metadata import DocumentMeta

# Title sources, best first (a lower number wins).
FROM_AGENDA, FROM_CASE_LIST, FROM_DOCUMENT, FROM_TABLE, FROM_ANSWER, FROM_FOREIGN = range(6)


@dataclass
class CaseInfo:
    board: str  # short name
    dnr: str  # display form, e.g. "HV 2019/272"
    key: str
    year: int
    number: int
    title: str = ""
    title_rank: int = 99
    dates: list[datetime.date] = field(default_factory=list)
    cancelled_reason: str | None = None
    protected: bool = False
    officer: str = ""
    aliases: list[str] = field(default_factory=list)
    provisional: bool = False
    title_from_ocr: bool = False  # read from OCR'd text (restore_titles)

    def offer_title(self, title: str, rank: int) -> None:
        title = tidy_title(title)
        if not title:
            return
        if rank < self.title_rank:
            self.title, self.title_rank = title, rank
        elif self.title and lists.same_words(title, self.title):
            # The same words, better spaced (OCR glued "förbättradarbetssituation").
            if len(title.split()) > len(self.title.split()) and rank <= self.title_rank + 1:
                self.title = title


@dataclass
class DocumentInfo:
    case: tuple[str, str]  # (board short name, case key)
    kind: str
    title: str
    meta: DocumentMeta
    full_text: str
    clean_text: str
    text_source: str
    ocr_quality: float | None
    direction: str
    counterpart: str
    source_start: int
    source_end: int
    main: bool


@dataclass
class AgendaEntry:
    number: int
    title: str
    case: tuple[str, str] | None
    inferred: bool = False


@dataclass
class ParsedPack:
    board: str
    meeting_date: datetime.date | None
    cases: dict[tuple[str, str], CaseInfo]
    documents: list[DocumentInfo]
    agenda: list[AgendaEntry]
    warnings: list[str]


def case_ref(info: CaseInfo) -> tuple[str, str]:
    return (info.board, info.key)

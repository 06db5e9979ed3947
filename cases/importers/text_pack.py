"""Parse a meeting pack or a single document (OCR'd or typed text) into what the register
needs: cases, documents with their metadata, the meeting and its agenda items.

Pure Python: the result (:class:`ParsedPack`) is written by ``importing.import_parsed_pack``.
Rules a registrator would apply, in order of evidence:

* A document belongs to the case whose number it carries (header ``Dnr``, later page
  headers, cover sheet); without one, to the agenda item with the same title, to the first
  case it answers ("Svar på medborgarförslag, dnr …"), or to a provisional number.
* Documents that follow a main document of the pack's board (a tjänsteutlåtande to the
  nämnd) are its attachments and join its case, except a citizen proposal that the main
  document answers together with others: it joins the case its text matches.
* Another board's number a document carries (``KS 2019/729`` on a remissbrev, a
  Socialnämnden protokollsutdrag) becomes a case of that board; numbers merely mentioned in
  running text stay references until such a case is registered.
* Case titles come from the agenda, then the ärendelista, then the document itself.
* Titles read from OCR'd text get their å/ä/ö back (``spelling.restore_diacritics``) once
  everything is matched; the text itself stays as received.
"""

import datetime
import re
from collections import Counter
from collections.abc import Sequence

from .. import dnr as dnrlib
from ..kinds import ARRIVALS, LABELS, Kind
from . import lists, quality, spelling
from .cleaning import (
    DNR_LINE,
    SIDA,
    Line,
    clean_text,
    letterhead_lines,
    running_lines,
    split_lines,
    tidy_title,
)
from .metadata import BoardNames, DocumentMeta, parse_date, read_metadata
from .model import (
    FROM_AGENDA,
    FROM_ANSWER,
    FROM_CASE_LIST,
    FROM_DOCUMENT,
    FROM_FOREIGN,
    FROM_TABLE,
    AgendaEntry,
    CaseInfo,
    DocumentInfo,
    ParsedPack,
    case_ref,
)
from .segment import DOC_TYPE, Segment, find_anchors, split_segments
from .textmatch import mutual_similarity, overlap_score, title_similarity


class _Builder:
    def __init__(
        self,
        text: str,
        *,
        board: str,
        boards: Sequence[dnrlib.BoardInfo],
        meeting_date: datetime.date | None,
        source_name: str,
    ) -> None:
        self.text = text
        self.board = board
        self.boards = tuple(boards)
        self.by_short = {b.short_name: b for b in self.boards}
        self.names = BoardNames(self.boards)
        self.meeting_option = meeting_date
        self.source_name = source_name
        self.cases: dict[tuple[str, str], CaseInfo] = {}
        self.warnings: list[str] = []
        self.lines = split_lines(text)
        self.letterhead = letterhead_lines(self.lines)
        self.ocr = quality.looks_like_ocr(text)
        self._answered_plan: dict[int, dict[int, str]] = {}
        self._main_text: dict[int, str] = {}

    # --- cases ---

    def prefix(self, board: str) -> str | None:
        info = self.by_short.get(board)
        return info.prefixes[0] if info and info.prefixes else None

    def case_for(self, raw: str, *, board: str, create: bool = True) -> CaseInfo | None:
        """The case a number names; ``board`` is the board of the text it stands in."""
        matches = dnrlib.find_dnrs(raw, board=board, boards=self.boards)
        if matches:
            match = matches[0]
            parsed, owner = match.dnr.case_dnr, match.board or board
        else:
            parsed = dnrlib.try_parse_dnr(raw, default_prefix=self.prefix(board))
            owner = board
            if parsed is None:
                return None
            parsed = parsed.case_dnr
        if (
            owner not in self.by_short
            or parsed.prefix
            and parsed.prefix not in (self.by_short[owner].prefixes or (parsed.prefix,))
        ):
            return None
        key = parsed.key
        ref = (owner, key)
        if ref not in self.cases:
            if not create:
                return None
            self.cases[ref] = CaseInfo(owner, parsed.display, key, parsed.year, parsed.number)
        return self.cases[ref]

    def provisional_case(self, board: str, title: str, index: int) -> CaseInfo:
        """A document without any number: registered under a clearly provisional number
        (``PREL``) until a registrator links it to the real case."""
        key = f"{dnrlib.PROVISIONAL_PREFIX}:{self.source_name}:{index}"
        ref = (board, key)
        if ref not in self.cases:
            self.cases[ref] = CaseInfo(board, "", key, 0, 0, provisional=True)
        info = self.cases[ref]
        info.offer_title(title, FROM_DOCUMENT)
        return info

    # --- the whole pack ---

    def build(self) -> ParsedPack:
        anchors = find_anchors(self.lines, self.letterhead)
        segments = split_segments(self.lines, anchors, letterhead=self.letterhead)
        agenda: list[lists.AgendaItem] = []
        if segments and segments[0].anchor == "body":
            own = segments[0].lines(self.lines)
            if lists.looks_like_agenda(own):
                agenda = lists.parse_agenda(own)
                segments = segments[1:]
        metas = [read_metadata(self.lines, s, self.names) for s in segments]
        for segment, meta in zip(segments, metas, strict=True):
            if segment.cover_title and not meta.title:
                meta.title = tidy_title(segment.cover_title)
        self.register_lists(agenda, segments, metas)
        mains = [self.is_main(s, m, len(segments)) for s, m in zip(segments, metas, strict=True)]
        documents = self.assign(segments, metas, mains, agenda)
        meeting_date = self.meeting_date(documents)
        entries = self.agenda_entries(agenda, documents, segments, meeting_date)
        self.fill_case_dates(documents)
        self.restore_titles(documents, entries)
        return ParsedPack(self.board, meeting_date, self.cases, documents, entries, self.warnings)

    def register_lists(
        self,
        agenda: list[lists.AgendaItem],
        segments: list[Segment],
        metas: list[DocumentMeta],
    ) -> None:
        for item in agenda:
            info = self.case_for(item.dnr, board=self.board)
            if info is not None and item.title:
                info.offer_title(item.title, FROM_AGENDA)
        for segment, meta in zip(segments, metas, strict=True):
            own = segment.lines(self.lines)
            if meta.kind == Kind.CASE_LIST:
                for row in lists.parse_case_list(own):
                    info = self.case_for(row.dnr, board=self.board)
                    if info is None:
                        continue
                    info.offer_title(row.title, FROM_CASE_LIST)
                    if row.cancelled_reason:
                        info.cancelled_reason = row.cancelled_reason
                    info.protected = info.protected or row.protected
            elif meta.kind == Kind.REPORT_TU:
                for row in lists.parse_decision_table(own):
                    info = self.case_for(row.dnr, board=self.board)
                    if info is not None and info.board == self.board:
                        info.offer_title(row.title, FROM_TABLE)
                        if row.date:
                            info.dates.append(row.date)

    def is_main(self, segment: Segment, meta: DocumentMeta, count: int) -> bool:
        """A document of the pack's board for the meeting (or the only document)."""
        if meta.kind == Kind.REPORT_TU and meta.recipient is None:
            meta.recipient = self.recipient_from_text(meta)
        if count == 1:
            return True
        if meta.kind == Kind.CASE_LIST and segment.cover_dnr:
            return True
        return meta.kind == Kind.REPORT_TU and meta.recipient == self.board

    def recipient_from_text(self, meta: DocumentMeta) -> str | None:
        proposal = meta.proposal.lstrip("0123456789. ")
        if re.match(r"^Stadsdelsn\S{1,3}mnden\b", proposal, re.I):
            return self.board
        found = self.names.find(proposal[:200])
        return found[0] if found else None

    # --- documents ---

    def assign(
        self,
        segments: list[Segment],
        metas: list[DocumentMeta],
        mains: list[bool],
        agenda: list[lists.AgendaItem],
    ) -> list[DocumentInfo]:
        documents: list[DocumentInfo] = []
        group_case: CaseInfo | None = None
        group_main: DocumentMeta | None = None
        group_titles: list[str] = []
        answered: list[CaseInfo] = []
        for index, (segment, meta) in enumerate(zip(segments, metas, strict=True)):
            own_board = meta.recipient or self.board
            own_cases = []
            for raw in meta.dnr_raw:
                # An attachment's own-board number of another form (an old-style stamp) is
                # an alias, not a case of its own.
                info = self.case_for(raw, board=own_board, create=mains[index])
                if info is None and not mains[index]:
                    info = self.case_for(raw, board=own_board)
                    if info is not None and info.board == self.board and not info.title:
                        del self.cases[case_ref(info)]
                        info = None
                if info is not None:
                    own_cases.append(info)
            if segment.cover_dnr:
                cover = self.case_for(segment.cover_dnr, board=self.board)
                if cover is not None:
                    own_cases.insert(0, cover)
            foreign = [c for c in own_cases if c.board != self.board]
            for info in foreign:
                info.offer_title(_strip_referral(meta.title), FROM_FOREIGN)
                if meta.document_date:
                    info.dates.append(meta.document_date)
            if mains[index]:
                case, answered = self.main_case(segment, meta, own_cases, agenda, index)
                group_case, group_main = case, meta
                group_titles = list(meta.attachment_list)
                if meta.title:
                    case.offer_title(meta.title, FROM_DOCUMENT)
                self.referred_cases(meta)
            else:
                case = group_case
                if case is None:
                    mine = [c for c in own_cases if c.board == own_board]
                    case = mine[0] if mine else self.provisional_case(own_board, meta.title, index)
                elif meta.kind == Kind.CITIZEN_PROPOSAL and len(answered) > 1 and group_main:
                    case = self.answered_case(index, segments, metas, answered, group_main)
                group_titles.extend(meta.attachment_list)
                self.name_attachment(segment, meta, group_titles)
            if not meta.title:
                meta.title = (case.title if mains[index] else "") or _kind_title(meta.kind)
            self.add_aliases(segment, meta, case)
            documents.append(self.document(segment, meta, case, mains[index]))
        return documents

    def main_case(
        self,
        segment: Segment,
        meta: DocumentMeta,
        own_cases: list[CaseInfo],
        agenda: list[lists.AgendaItem],
        index: int,
    ) -> tuple[CaseInfo, list[CaseInfo]]:
        board = meta.recipient or self.board
        mine = [c for c in own_cases if c.board == board]
        answers = self.answered(meta, board)
        if mine:
            return mine[0], answers
        if meta.title and agenda:
            scored = [(mutual_similarity(meta.title, item.title), item) for item in agenda]
            scored = [pair for pair in scored if pair[1].dnr and pair[1].title]
            if scored:
                score, item = max(scored, key=lambda pair: pair[0])
                if score >= 0.45:
                    found = self.case_for(item.dnr, board=self.board)
                    if found is not None:
                        return found, answers
        if answers:
            for other in answers[1:]:
                other.offer_title(meta.title, FROM_ANSWER)
            return answers[0], answers
        self.warnings.append(
            f"”{meta.title[:60]}” saknar diarienummer: registrerad under preliminärt nummer."
        )
        return self.provisional_case(board, meta.title, index), []

    def answered(self, meta: DocumentMeta, board: str) -> list[CaseInfo]:
        """Cases the document answers, from its subtitle ("Svar på tre medborgarförslag dnr
        HV 2019/272, HV 2019/259 samt HV 2019/19")."""
        found: list[CaseInfo] = []
        for match in dnrlib.find_dnrs(meta.subtitle, board=board, boards=self.boards):
            if match.relation not in ("svar-pa", "besvarar-aven") or match.board != board:
                continue
            info = self.case_for(match.dnr.case_dnr.display, board=board)
            if info is not None and info not in found:
                found.append(info)
        return found

    def referred_cases(self, meta: DocumentMeta) -> None:
        """A remiss named under the title ("Remiss från kommunstyrelsen / Dnr KS 2019/656"):
        the sending board's case exists even if its letter is not in the pack."""
        text = f"{meta.title}\n{meta.subtitle}"
        for match in dnrlib.find_dnrs(text, board=self.board, boards=self.boards):
            if match.board and match.board != self.board:
                info = self.case_for(match.dnr.case_dnr.display, board=match.board)
                if info is not None:
                    info.offer_title(_strip_referral(meta.title), FROM_FOREIGN)

    def answered_case(
        self,
        index: int,
        segments: list[Segment],
        metas: list[DocumentMeta],
        answered: list[CaseInfo],
        main: DocumentMeta,
    ) -> CaseInfo:
        """Which of the proposals a joint answer covers this mail is. All mails of the group
        are matched at once, best pair first: a mail and the case whose summary in the answer
        (the text after its number) or listed title share the most words."""
        plan = self._answered_plan.get(id(main))
        if plan is None:
            mails = []
            for position in range(index, len(segments)):
                if metas[position].kind == Kind.CITIZEN_PROPOSAL:
                    mails.append(position)
                elif metas[position].kind == Kind.REPORT_TU:
                    break
            pairs = []
            for position in mails:
                body = " ".join(x.text for x in segments[position].lines(self.lines))
                for info in answered:
                    context = self.context_of(main, info) + " " + (info.title or "")
                    pairs.append((overlap_score(body, context), position, info.key))
            plan = {}
            for _score, position, key in sorted(pairs, key=lambda p: (-p[0], p[1])):
                if position not in plan and key not in plan.values():
                    plan[position] = key
            self._answered_plan[id(main)] = plan
        key = plan.get(index)
        return next((info for info in answered if info.key == key), answered[0])

    def context_of(self, main: DocumentMeta, info: CaseInfo) -> str:
        text = self._main_text.get(id(main), "")
        pieces = []
        for match in dnrlib.find_dnrs(text, board=self.board, boards=self.boards):
            if match.dnr.case_dnr.key == info.key:
                pieces.append(text[match.end : match.end + 700])
        return " ".join(pieces)

    def name_attachment(self, segment: Segment, meta: DocumentMeta, titles: list[str]) -> None:
        """An attachment whose own heading is missing or is a sentence gets the title its
        main document's bilageförteckning gives it; one with a heading of its own keeps it
        and only marks its list entry as found."""
        if not titles:
            return
        if not _weak_title(meta.title):
            score, best = max((title_similarity(t, meta.title), t) for t in titles)
            if score >= 0.5:
                titles.remove(best)
            return
        if meta.kind not in (Kind.ATTACHMENT, Kind.REPORT, Kind.OTHER):
            return
        head = " ".join(x.text for x in segment.lines(self.lines)[:40])
        score, best = max((title_similarity(t, head), t) for t in titles)
        if score >= 0.34:
            meta.title = best
            titles.remove(best)

    def add_aliases(self, segment: Segment, meta: DocumentMeta, case: CaseInfo) -> None:
        """An older number of the same case: stamped on the case's own incoming document
        ("Dnr 1.2.4-231-2019") or in a receipt ("diarieförts på 1.2.4-346-2019")."""
        if case.provisional or meta.kind not in (Kind.CITIZEN_PROPOSAL, Kind.EMAIL, Kind.LETTER):
            return
        raw = list(meta.dnr_raw)
        body = "\n".join(x.text for x in segment.lines(self.lines))
        raw += re.findall(r"diarief\S{1,3}rts?\s+p\S{1,2}\s+(\S+?)[.,]?(?:\s|$)", body, re.I)
        for value in raw:
            parsed = dnrlib.try_parse_dnr(value)
            if parsed is None or parsed.family == dnrlib.PREFIX:
                continue
            if parsed.case_dnr.key != case.key and value not in case.aliases:
                case.aliases.append(value)

    def document(
        self, segment: Segment, meta: DocumentMeta, case: CaseInfo, main: bool
    ) -> DocumentInfo:
        own = segment.lines(self.lines)
        start = own[0].start if own else 0
        end = own[-1].end if own else 0
        full = self.text[start:end]
        if main:
            self._main_text[id(meta)] = full
        skip = set(self.letterhead) | running_lines(own) | _page_headers(own)
        cleaned = clean_text(own, skip=skip)
        ocr = quality.looks_like_ocr(full) if len(full) > 2000 else self.ocr
        # The case was registered when its first handling arrived or was drawn up; a bilaga
        # or another board's report may be older than the case and does not count.
        arrivals = ARRIVALS
        if meta.document_date and (main or meta.kind in arrivals):
            case.dates.append(meta.document_date)
        if main and meta.officer and not case.officer:
            case.officer = meta.officer
        direction = "upprattad" if _drawn_up(meta, self.board, main) else "in"
        counterpart = meta.sender
        if meta.kind == Kind.REPORT_TU and meta.recipient:
            counterpart = self.by_short[meta.recipient].name
        elif meta.kind == Kind.MOTION and meta.party:
            counterpart = meta.party
        return DocumentInfo(
            case=case_ref(case),
            kind=meta.kind,
            title=tidy_title(meta.title)[:500] or _kind_title(meta.kind),
            meta=meta,
            full_text=full,
            clean_text=cleaned,
            text_source="ocr" if ocr else "typed",
            ocr_quality=quality.unknown_word_share(cleaned),
            direction=direction,
            counterpart=counterpart[:300],
            source_start=start,
            source_end=end,
            main=main,
        )

    def restore_titles(self, documents: list[DocumentInfo], entries: list[AgendaEntry]) -> None:
        """The titles citizens read, spelled right: OCR lost å/ä/ö in them as in the text.
        A case or agenda title is OCR when the pack is, or when one of the case's documents
        is; typed titles are never touched."""
        ocr_cases = {d.case for d in documents if d.text_source == "ocr"}
        for document in documents:
            if document.text_source == "ocr":
                document.title = spelling.restore_diacritics(document.title)
        for ref, info in self.cases.items():
            if self.ocr or ref in ocr_cases:
                info.title = spelling.restore_diacritics(info.title)
                info.title_from_ocr = True
        for entry in entries:
            if self.ocr or entry.case in ocr_cases:
                entry.title = spelling.restore_diacritics(entry.title)

    # --- meeting ---

    def meeting_date(self, documents: list[DocumentInfo]) -> datetime.date | None:
        if self.meeting_option:
            return self.meeting_option
        dates = Counter(d.meta.meeting_date for d in documents if d.main and d.meta.meeting_date)
        if len(documents) <= 1 or not dates:
            return None
        return dates.most_common(1)[0][0]

    def agenda_entries(
        self,
        agenda: list[lists.AgendaItem],
        documents: list[DocumentInfo],
        segments: list[Segment],
        meeting_date: datetime.date | None,
    ) -> list[AgendaEntry]:
        """Numbered items from the agenda and the cover sheets; a number left over at the
        top of a cut agenda is the item before the first whole one; main documents between
        two known items fill exactly the numbers between them (the pack follows the agenda)."""
        if meeting_date is None:
            return []
        entries = self.listed_entries(agenda, documents, segments)
        placed = {e.case for e in entries.values()}
        order: list[DocumentInfo] = []
        for doc in documents:
            on_agenda = doc.meta.meeting_date == meeting_date or doc.case in placed
            if doc.main and on_agenda and doc.case not in [o.case for o in order]:
                order.append(doc)
        _infer_entries(entries, order, placed)
        inferred = sorted(e.number for e in entries.values() if e.inferred)
        if inferred:
            self.warnings.append(
                "Dagordningspunkt "
                + ", ".join(map(str, inferred))
                + " saknas i dagordningen och har härletts ur handlingarnas ordning."
            )
        for entry in entries.values():
            if entry.case in self.cases:
                entry.title = self.cases[entry.case].title or entry.title
        # A main document on the agenda is for this meeting even when its header page with
        # the date is missing.
        listed = {e.case for e in entries.values()}
        for doc in documents:
            if doc.main and doc.meta.meeting_date is None and doc.case in listed:
                doc.meta.meeting_date = meeting_date
        return [entries[n] for n in sorted(entries)]

    def listed_entries(
        self,
        agenda: list[lists.AgendaItem],
        documents: list[DocumentInfo],
        segments: list[Segment],
    ) -> dict[int, AgendaEntry]:
        """The items the agenda and the cover sheets number, by number."""
        entries: dict[int, AgendaEntry] = {}
        numbered = [item.number for item in agenda if item.number is not None]
        for item in agenda:
            info = self.case_for(item.dnr, board=self.board) if item.dnr else None
            ref = case_ref(info) if info else None
            number = item.number
            if number is None and numbered and ref is not None:
                number = min(numbered) - 1
                if number < 1:
                    continue
            if number is not None:
                entries[number] = AgendaEntry(number, item.title, ref)
        for doc, segment in zip(documents, segments, strict=True):
            if segment.cover_number and doc.main:
                entries.setdefault(
                    segment.cover_number, AgendaEntry(segment.cover_number, doc.title, doc.case)
                )
        return entries

    def fill_case_dates(self, documents: list[DocumentInfo]) -> None:
        """Cases without a dated handling: the pack's latest document date (the lists were
        drawn up by then); a lone undated document: the earliest full date in its text
        ("skrivelse daterad den 24 april 2025"), when the matter began at the latest."""
        fallback = [d.meta.document_date for d in documents if d.meta.document_date]
        mentioned = sorted(
            date
            for d in documents
            for date in map(parse_date, _FULL_DATE.findall(d.full_text[:20000]))
            if date is not None
        )
        for info in self.cases.values():
            if info.dates:
                continue
            if fallback:
                info.dates.append(max(fallback))
            elif mentioned:
                info.dates.append(mentioned[0])


_FULL_DATE = re.compile(
    r"\b(?:19|20)\d\d-\d\d-\d\d\b|\b\d{1,2}\s+[a-zåäö]{3,9}\s+(?:19|20)\d\d\b", re.I
)


def _infer_entries(
    entries: dict[int, AgendaEntry],
    order: list[DocumentInfo],
    placed: set[tuple[str, str] | None],
) -> None:
    """Number the unplaced main documents (``order``: as the pack has them) that fall
    exactly into the gaps between known items, or before the first one."""
    known = sorted(
        (i, e.number) for i, o in enumerate(order) for e in entries.values() if e.case == o.case
    )
    for (left_pos, left_no), (right_pos, right_no) in zip(known, known[1:], strict=False):
        gap = [o for o in order[left_pos + 1 : right_pos] if o.case not in placed]
        if gap and len(gap) == right_no - left_no - 1:
            for offset, doc in enumerate(gap, start=1):
                entries[left_no + offset] = AgendaEntry(
                    left_no + offset, doc.title, doc.case, inferred=True
                )
    if known:
        first_pos, first_no = known[0]
        before = [o for o in order[:first_pos] if o.case not in placed]
        if 0 < len(before) < first_no:
            for offset, doc in enumerate(reversed(before), start=1):
                entries[first_no - offset] = AgendaEntry(
                    first_no - offset, doc.title, doc.case, inferred=True
                )


def _strip_referral(title: str) -> str:
    title = re.sub(r"^Remiss (?:av|om)\s+", "", title or "", flags=re.I).strip()
    return title[:1].upper() + title[1:]


def _weak_title(title: str) -> bool:
    if not title or len(title) > 120 or title[:1].isdigit():
        return True
    return len(title) > 60 and title.count(" ") > 8 and "." in title


def _kind_title(kind: str) -> str:
    if kind in (Kind.ATTACHMENT, Kind.EMAIL, Kind.REPORT, Kind.MINUTES_EXTRACT):
        return LABELS[Kind(kind)][0]
    return "Handling"


def _drawn_up(meta: DocumentMeta, board: str, main: bool) -> bool:
    if main:
        return True
    if meta.kind in (Kind.EMAIL, Kind.CITIZEN_PROPOSAL, Kind.MOTION, Kind.LETTER, Kind.REFERRAL):
        return False
    if meta.kind == Kind.REPORT_TU:
        return False
    if meta.kind in (Kind.MINUTES_EXTRACT,) or (meta.recipient and meta.recipient != board):
        return False
    return not meta.dnr_raw


def _page_headers(own: Sequence[Line]) -> set[int]:
    """Header lines of later pages: "Tjänsteutlåtande" / "Dnr …" / "Sida n (m)"."""
    found: set[int] = set()
    for position, line in enumerate(own):
        if SIDA.search(line.text):
            found.add(line.index)
            for other in own[max(0, position - 3) : position]:
                if DNR_LINE.search(other.text) or DOC_TYPE.search(other.text):
                    found.add(other.index)
    return found


def parse_text_pack(
    text: str,
    *,
    board: str,
    boards: Sequence[dnrlib.BoardInfo] = dnrlib.STOCKHOLM_BOARDS,
    meeting_date: datetime.date | None = None,
    source_name: str = "",
) -> ParsedPack:
    """Parse ``text``; ``board`` (short name) is the board whose pack it is: the default for
    documents that do not say, and the series of numbers written without prefix."""
    builder = _Builder(
        text, board=board, boards=boards, meeting_date=meeting_date, source_name=source_name
    )
    return builder.build()

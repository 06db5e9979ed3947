"""Split a meeting pack (OCR'd or typed text) into its documents.

Pure Python. Signals, strongest first, each one a fallback for the one before when a page is
damaged (docs/source-documents.md); line numbers are never used:

1. a tjänsteutlåtande header: ``Handläggare``/``Till`` with the förvaltning, ``Dnr``, ``Sida 1
   (m)`` and date lines above it, and the letterhead block OCR emits just before;
2. another page-1 header: a ``Sida 1 (m)`` line under a ``Dnr`` line (remissbrev, PM, bilaga);
3. an e-mail header cluster: ``Till:`` with ``Ämne:``/``Ärende:`` and ``Datum:``/``Skickat:``
   close by (a lone ``Ärende:`` or ``Datum:`` is a form field, not an e-mail);
4. a page that opens with a title followed by ``Förslag till beslut`` (a TU whose header page
   is missing) or by ``<Nämnd>ens beslut`` (a protokollsutdrag);
5. a cover sheet (ärendeblad): title, agenda number and dnr alone on their lines;
6. after a closing block (bilageförteckning, "Attesterat av", "Vid protokollet", a letter's
   greeting) the next page or block starts an attachment; so does a page that repeats a
   section heading the current document already had, or whose first lines match a listed
   bilaga's title.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .cleaning import (
    DATE,
    DATE_LINE,
    DNR_LINE,
    ORGANISATION,
    SIDA,
    SIDA_LINE,
    Line,
    is_noise_line,
    join_wrapped,
    tidy_title,
)
from .textmatch import title_similarity

HANDLAGGARE = re.compile(r"^Handl\S{1,3}ggare(?:\s+Till)?$")
DOC_TYPE = re.compile(
    r"\b(Tj\S{1,3}nsteutl\S{1,3}tande|Remissbrev|PM|Bilaga|Yttrande|Skrivelse|Beslut)$", re.I
)
PROPOSAL_HEADING = re.compile(
    r"^(?:F\S{1,3}rvaltningen?s\s+)?F\S{1,3}rslag\s+till\s+beslut:?$", re.I
)
DECISION_HEADING = re.compile(r"^\S+n\S{1,3}mndens\s+beslut$|^Kommunstyrelsens\s+beslut$", re.I)
EMAIL_FIELD = re.compile(r"^(Fr\S{1,2}n|Skickat|Till|\S?mne|\S?rende|Datum|Kopia|Cc):(.*)$", re.I)
BILAGOR_HEADING = re.compile(r"^Bilag(?:a|or)\b\s*:?\s*(.*)$", re.I)
ATTESTED = re.compile(r"^Attesterat av$", re.I)
MINUTES_END = re.compile(r"^Vid protokollet\.?$", re.I)
BODY_HEADINGS = re.compile(r"^(Sammanfattning|Inledning|Bakgrund)$", re.I)
COVER_NUMBER = re.compile(r"^\d{1,2}$")
COVER_DNR = re.compile(r"^[A-ZÅÄÖ]{1,4} (?:19|20)\d\d/\d{1,5}$")


@dataclass
class Anchor:
    line: int  # first line of the document
    kind: str  # header | page-header | email | title-tu | protocol | cover | attachment
    header_line: int | None = None
    cover_number: int | None = None
    cover_dnr: str | None = None
    cover_title: str | None = None


@dataclass
class Segment:
    start: int  # first line index
    end: int  # line index after the last line
    anchor: str
    header_line: int | None = None
    cover_number: int | None = None
    cover_dnr: str | None = None
    cover_title: str | None = None
    attachment_titles: list[str] = field(default_factory=list)

    def lines(self, lines: Sequence[Line]) -> Sequence[Line]:
        return lines[self.start : self.end]


def _next_text(lines: Sequence[Line], index: int, limit: int = 12) -> list[Line]:
    """The next non-blank lines from ``index`` on (inclusive), at most ``limit``."""
    found = []
    for line in lines[index:]:
        if line.text:
            found.append(line)
            if len(found) >= limit:
                break
    return found


def _is_header_line(text: str) -> bool:
    return bool(
        DATE_LINE.match(text)
        or SIDA_LINE.match(text)
        or SIDA.search(text)
        or DNR_LINE.search(text)
        or DOC_TYPE.search(text)
        or (ORGANISATION.search(text) and len(text) < 80 and not text.endswith("."))
    )


def _is_page_furniture(text: str) -> bool:
    """Header lines other than a Dnr line: a protokollsutdrag repeats its dnr under the title."""
    return _is_header_line(text) and not (DNR_LINE.search(text) and len(text) < 40)


def _header_start(lines: Sequence[Line], index: int, letterhead: set[int]) -> int:
    """Walk up from a header line over the rest of its header cluster and the letterhead and
    logo lines OCR put just before it."""
    start, k, blanks = index, index - 1, 0
    while k >= 0 and index - k <= 12:
        line = lines[k]
        if not line.text:
            blanks += 1
            if blanks > 2:
                break
        elif k in letterhead or is_noise_line(line.text) or _is_header_line(line.text):
            blanks = 0
            start = k
        else:
            break
        k -= 1
    # A letterhead directly above belongs to this first page.
    k = start - 1
    while k >= 0 and start - k <= 3:
        if k in letterhead or (lines[k].text and is_noise_line(lines[k].text)):
            start = k
        elif lines[k].text:
            break
        k -= 1
    return start


def find_anchors(lines: Sequence[Line], letterhead: set[int]) -> list[Anchor]:
    anchors: list[Anchor] = []
    taken: set[int] = set()  # header lines already explained by an anchor
    for line in lines:
        text = line.text
        if HANDLAGGARE.match(text):
            start = _header_start(lines, line.index, letterhead)
            anchors.append(Anchor(start, "header", header_line=line.index))
            taken.update(range(start, line.index + 4))
    for line in lines:
        match = SIDA.search(line.text)
        if not match or match.group(1) != "1" or line.index in taken:
            continue
        above = [x.text for x in lines[max(0, line.index - 3) : line.index + 1]]
        if not any(DNR_LINE.search(t) or DOC_TYPE.search(t) for t in above):
            continue
        start = _header_start(lines, line.index, letterhead)
        anchors.append(Anchor(start, "page-header", header_line=line.index))
        taken.update(range(start, line.index + 8))
    anchors.extend(_email_anchors(lines))
    anchors.extend(_page_title_anchors(lines, taken))
    anchors.extend(_cover_anchors(lines))
    return _merge_anchors(anchors, lines)


def _email_anchors(lines: Sequence[Line]) -> list[Anchor]:
    anchors = []
    n = len(lines)
    i = 0
    while i < n:
        match = EMAIL_FIELD.match(lines[i].text)
        if not match or not match.group(1).lower().startswith("till"):
            i += 1
            continue
        window = range(max(0, i - 6), min(n, i + 45))
        fields: dict[str, int] = {}
        for k in window:
            other = EMAIL_FIELD.match(lines[k].text)
            if other:
                fields.setdefault(email_field_name(other.group(1)), k)
        subject = fields.get("subject")
        dated = fields.get("date", fields.get("sent"))
        if subject is None or dated is None or abs(dated - subject) > 8:
            i += 1
            continue
        first = min(v for v in fields.values() if v <= max(subject, i))
        # A registration stamp right above ("Dnr 1.2.4-231-2019") belongs to the mail.
        k, seen = first - 1, 0
        while k >= 0 and seen < 3:
            if lines[k].text:
                if DNR_LINE.search(lines[k].text) and len(lines[k].text) < 40:
                    first = k
                break
            seen += 1
            k -= 1
        anchors.append(Anchor(first, "email", header_line=i))
        i = max(subject, dated) + 1
    return anchors


def email_field_name(label: str) -> str:
    """The field an e-mail header label stands for, whatever OCR did to å/ä."""
    label = label.lower()
    if label.startswith("fr"):
        return "from"
    if label.startswith("skick"):
        return "sent"
    if label.startswith("till"):
        return "to"
    if label.endswith(("mne", "rende")):
        return "subject"
    if label.startswith("datum"):
        return "date"
    return "cc"


def _page_title_anchors(lines: Sequence[Line], taken: set[int]) -> list[Anchor]:
    """Pages (or the file) opening with a title and then "Förslag till beslut" or
    "<Nämnd>ens beslut": a TU without its header page, or a protokollsutdrag."""
    anchors = []
    for line in lines:
        if not (line.page_start or line.index == 0) or line.index in taken or not line.text:
            continue
        following = _next_text(lines, line.index, 9)
        for position, other in enumerate(following):
            if position == 0:
                continue
            if PROPOSAL_HEADING.match(other.text) or DECISION_HEADING.match(other.text):
                titles = following[:position]
                if any(len(t.text) > 90 or _is_page_furniture(t.text) for t in titles):
                    break
                if any(HANDLAGGARE.match(t.text) or "@" in t.text for t in titles):
                    break
                kind = "title-tu" if PROPOSAL_HEADING.match(other.text) else "protocol"
                anchors.append(Anchor(line.index, kind))
                break
            if BODY_HEADINGS.match(other.text):
                break
    return anchors


def _cover_anchors(lines: Sequence[Line]) -> list[Anchor]:
    """Cover sheets: a title block, then the agenda number and the dnr alone on lines."""
    anchors = []
    for line in lines:
        if not COVER_DNR.match(line.text):
            continue
        previous = [x for x in lines[max(0, line.index - 30) : line.index] if x.text]
        if not previous or not COVER_NUMBER.match(previous[-1].text):
            continue
        number = int(previous[-1].text)
        title_lines: list[str] = []
        k = line.index - 2
        gap = 0
        top = previous[-1].index
        while k >= 0 and line.index - k < 40:
            text = lines[k].text
            if k >= top:
                k -= 1
                continue
            if not text:
                gap += 1
                if gap >= 3 and title_lines:
                    break
                k -= 1
                continue
            gap = 0
            if len(text) > 70 or text.endswith((".", ":")) or is_noise_line(text):
                break
            title_lines.insert(0, text)
            top = k
            k -= 1
        start = top if title_lines else previous[-1].index
        anchors.append(
            Anchor(
                start,
                "cover",
                cover_number=number,
                cover_dnr=line.text,
                cover_title=" ".join(title_lines) or None,
            )
        )
    return anchors


def _merge_anchors(anchors: list[Anchor], lines: Sequence[Line]) -> list[Anchor]:
    """One anchor per start; a cover sheet right before another anchor is that document's."""
    anchors = sorted(anchors, key=lambda a: (a.line, a.kind != "header"))
    merged: list[Anchor] = []
    for anchor in anchors:
        if merged and anchor.line <= merged[-1].line:
            continue
        merged.append(anchor)
    result: list[Anchor] = []
    index = 0
    while index < len(merged):
        anchor = merged[index]
        following = merged[index + 1] if index + 1 < len(merged) else None
        if anchor.kind == "cover" and following is not None:
            between = [x for x in lines[anchor.line : following.line] if x.text]
            if following.line - anchor.line <= 60 and len(between) <= 16:
                following.line = anchor.line
                following.cover_number = anchor.cover_number
                following.cover_dnr = anchor.cover_dnr
                following.cover_title = anchor.cover_title
                index += 1
                continue
        result.append(anchor)
        index += 1
    return result


# --- From anchors to segments -----------------------------------------------------------------


def split_segments(
    lines: Sequence[Line],
    anchors: list[Anchor],
    *,
    letterhead: set[int],
    first_segment: str = "body",
) -> list[Segment]:
    """Segments between anchors, with attachment boundaries found inside them."""
    starts = [a.line for a in anchors]
    segments: list[Segment] = []
    if not anchors or anchors[0].line > 0:
        end = anchors[0].line if anchors else len(lines)
        if any(x.text for x in lines[:end]):
            segments.append(Segment(0, end, first_segment))
    for position, anchor in enumerate(anchors):
        end = starts[position + 1] if position + 1 < len(starts) else len(lines)
        segment = Segment(
            anchor.line,
            end,
            anchor.kind,
            anchor.header_line,
            anchor.cover_number,
            anchor.cover_dnr,
            anchor.cover_title,
        )
        segments.extend(_split_attachments(lines, segment, letterhead))
    return segments


def _split_attachments(
    lines: Sequence[Line], segment: Segment, letterhead: set[int]
) -> list[Segment]:
    """Cut a segment after closing blocks and at pages that start a new document."""
    pieces: list[Segment] = []
    current = segment
    headings: set[str] = set()
    titles: list[str] = []  # listed bilagor not yet found
    closed = False
    seen = 0  # non-blank lines of the current piece
    skip_to = -1
    for index in range(segment.start, segment.end):
        line = lines[index]
        if index <= skip_to:
            continue
        text = line.text
        closing_part = index in letterhead or ATTESTED.match(text) or is_noise_line(text)
        if text and index > current.start and not closing_part:
            page = line.page_start or _after_gap(lines, index, 3)
            heading = BODY_HEADINGS.match(text)
            matched = _matching_title(lines, index, titles) if page else None
            repeated = line.page_start and heading and heading.group(1).lower() in headings
            if page and closed and matched is None:
                matched = _matching_title(
                    lines, index, titles, window=8, threshold=0.5, strong=0.75
                )
            if (page and closed) or repeated or matched is not None:
                if matched is not None:
                    titles.remove(matched)
                pieces.append(current)
                current = Segment(index, segment.end, "attachment")
                headings, closed, seen = set(), False, 0
        if not text:
            continue
        seen += 1
        heading = BODY_HEADINGS.match(text)
        if heading:
            headings.add(heading.group(1).lower())
        if seen > 8 and not line.page_start and _looks_like_list_heading(lines, index):
            listed, skip_to = read_attachment_list(lines, index)
            current.attachment_titles.extend(listed)
            titles.extend(listed)
            closed = True
        elif ATTESTED.match(text) or MINUTES_END.match(text):
            closed = True
    for piece, following in zip(pieces, [*pieces[1:], current], strict=False):
        piece.end = following.start
    pieces.append(current)
    return pieces


def _after_gap(lines: Sequence[Line], index: int, size: int) -> bool:
    return index >= size and all(not x.text for x in lines[index - size : index])


def _looks_like_list_heading(lines: Sequence[Line], index: int) -> bool:
    """ "Bilagor" as a heading of the list at a document's end, not "Bilaga 3 — Enkätdata"
    as a running header or "se bilaga 1" in a sentence."""
    match = BILAGOR_HEADING.match(lines[index].text)
    if match is None:
        return False
    rest = match.group(1).strip()
    if rest and not re.match(r"^(?:\d\.?\s+)?[A-ZÅÄÖ]", rest):
        return False
    nxt = _next_text(lines, index + 1, 1)
    if rest:
        return len(rest) < 120
    if not nxt or SIDA.search(nxt[0].text) or re.match(r"^Dnr\b", nxt[0].text, re.I):
        return False
    if DATE_LINE.match(nxt[0].text) or is_noise_line(nxt[0].text):
        return False
    return bool(re.match(r"^(?:\d{1,2}\s?[.)]?\s*)?[A-ZÅÄÖ]", nxt[0].text))


LIST_ITEM = re.compile(r"^(?:(\d{1,2})\s?[.)]|[.]|Bilaga\s+\d{1,2}\s?[.:—-]?)\s*(\S.*)$")
GREETING = re.compile(r"^Med v\S{1,3}nlig(?:a)? h\S{1,3}lsning(?:ar)?,?$", re.I)


def read_attachment_list(lines: Sequence[Line], index: int) -> tuple[list[str], int]:
    """The titles in a bilageförteckning starting at ``lines[index]`` ("Bilagor", "Bilaga:",
    "Bilaga 1. …") and the index of its last line. Items wrap over lines; a damaged number
    ("." for "5.") still starts one."""
    match = BILAGOR_HEADING.match(lines[index].text)
    items: list[list[str]] = []
    rest = match.group(1).strip() if match else ""
    if rest:
        items.append([re.sub(r"^\d{1,2}\s?[.)]\s*", "", rest)])
    blank, last = 0, index
    for line in lines[index + 1 : index + 30]:
        text = line.text
        if not text:
            blank += 1
            if blank >= 3:
                break
            continue
        if (line.page_start and items) or _ends_list(text):
            break
        item = LIST_ITEM.match(text)
        if item:
            items.append([item.group(2)])
        elif not items and not rest:
            items.append([text])  # "Bilaga" and one unnumbered title under it
        elif items and blank == 0 and len(text) < 90:
            items[-1].append(text)
        else:
            break
        blank, last = 0, line.index
    return [tidy_title(join_wrapped(parts)) for parts in items if parts], last


def _ends_list(text: str) -> bool:
    return bool(
        ATTESTED.match(text)
        or GREETING.match(text)
        or "http" in text
        or (ORGANISATION.search(text) and not LIST_ITEM.match(text))
        or is_noise_line(text)
    )


def _matching_title(
    lines: Sequence[Line],
    index: int,
    titles: list[str],
    *,
    window: int = 3,
    threshold: float = 0.6,
    strong: float = 1.1,
) -> str | None:
    """The listed bilaga whose title the lines at ``index`` open with, if any."""
    if not titles:
        return None
    following = _next_text(lines, index, window)
    head = " ".join(x.text for x in following)
    score, best = max((title_similarity(title, head), title) for title in titles)
    if score < threshold:
        return None
    # The page must open with the title, not mention its words further down; stamps like
    # "EKONOMIAVDELNINGEN 2019-07-01" may stand above it.
    opening = next((x.text for x in following if not (DATE.search(x.text) or x.text.isupper())), "")
    if title_similarity(opening, best) < 0.4 and score < strong:
        return None
    return best

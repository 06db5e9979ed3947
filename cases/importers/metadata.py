"""Metadata of one document of a pack, read from its lines with fallbacks for damaged headers.

Pure Python. Reads the header (dnr, document date, handläggare and phone, recipient board,
meeting date), the title and subtitle, "Förslag till beslut", "Sammanfattning", signatures,
the bilageförteckning, the "Attesterat av" table and e-mail headers. Every value may be
missing; ``text_pack`` decides what to fall back on.
"""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .. import dnr as dnrlib
from ..kinds import Kind
from .cleaning import DATE, DATE_LINE, DNR_LINE, SIDA, Line, is_noise_line, join_wrapped, tidy_title
from .segment import (
    BODY_HEADINGS,
    DECISION_HEADING,
    DOC_TYPE,
    EMAIL_FIELD,
    HANDLAGGARE,
    PROPOSAL_HEADING,
    Segment,
    email_field_name,
)

SECTION = re.compile(
    r"^(Sammanfattning|Bakgrund|Inledning|\S?rendet|\S?rendets beredning|"
    r"Synpunkter och f\S+rslag|F\S{1,3}rvaltningens synpunkter och f\S{1,3}rslag|"
    r"Beslutsordning|Bilag(?:a|or)\s*:?\s*(?:\d.*)?|Attesterat av|Sammanfattning av \w+|"
    r"J\S{1,3}mst\S{1,3}lldhetsanalys)$",
    re.I,
)
ROLE_WORDS = re.compile(
    r"(?:stadsdelsdirekt\S{1,2}r|avdelningschef|f\S{1,3}rvaltningschef|socialdirekt\S{1,2}r|"
    r"stadsdirekt\S{1,2}r|biträdande|bitr\S{0,3}dande|n\S{1,3}mndsekreterare|chef\b|"
    r"registrator|Rotel\s+\w+)",
    re.I,
)
PHONE = re.compile(
    r"\b(?:Telefon|Tel)\b\.?:?\s*((?:\+46|0)[\d\s-]{5,13}?\d)(?=\s+(?:19|20)\d\d-|\s*$|\s+\D)",
    re.I,
)
ATTESTED_ROW = re.compile(r"^(?P<name>[^,\t]+),\s*(?P<role>.+?)\s+(?P<date>\d{4}-\d\d-\d\d)$")
SIGNED_ROW = re.compile(r"^(?P<name>[A-ZÅÄÖ][^\t]+?)\s+(?P<date>\d{4}-\d\d-\d\d)$")
US_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)\b")
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("januari", "jan"),
            ("februari", "feb"),
            ("mars", "mar"),
            ("april", "apr"),
            ("maj",),
            ("juni", "jun"),
            ("juli", "jul"),
            ("augusti", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "okt"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
LONG_DATE = re.compile(r"\b(\d{1,2})\s+([a-zåäö]{3,9})\.?\s+((?:19|20)\d\d)\b", re.I)
INKOM = re.compile(r"\bInkom\s+(\d{4}-\d\d-\d\d)")
JUSTERAT = re.compile(r"^Justerat\s+(\d{4}-\d\d-\d\d)")
PARTY_LINE = re.compile(
    r"^(Socialdemokraterna|Moderaterna|V\S{1,2}nsterpartiet|Liberalerna|Centerpartiet|"
    r"Kristdemokraterna|Milj\S{1,2}partiet|Sverigedemokraterna|Feministiskt initiativ)$",
    re.I,
)
MEDBORGARFORSLAG = re.compile(r"medborgarf\S{1,3}rslag", re.I)


@dataclass
class DocumentMeta:
    kind: str = "annan"
    doc_type: str = ""
    title: str = ""
    subtitle: str = ""
    dnr_raw: list[str] = field(default_factory=list)  # the document's own numbers, best first
    document_date: datetime.date | None = None
    meeting_date: datetime.date | None = None
    recipient: str | None = None  # short name of the board the document is addressed to
    officer: str = ""
    officer_phone: str = ""
    proposal: str = ""
    summary: str = ""
    signatories: list[dict] = field(default_factory=list)
    attachment_list: list[str] = field(default_factory=list)
    attested_by: list[dict] = field(default_factory=list)
    sender: str = ""
    subject: str = ""
    header_end: int = 0  # index of the first line after the header block
    party: str = ""


def parse_date(text: str) -> datetime.date | None:
    """The first date in ISO, US (4/13/2019) or Swedish long form (den 25 februari 2019)."""
    for pattern, order in ((DATE, "ymd"), (US_DATE, "mdy"), (LONG_DATE, "dmy")):
        match = pattern.search(text)
        if not match:
            continue
        try:
            if order == "ymd":
                return datetime.date(*map(int, match.groups()))
            if order == "mdy":
                month, day, year = map(int, match.groups())
                return datetime.date(year, month, day)
            month = MONTHS.get(match.group(2).lower())
            if month:
                return datetime.date(int(match.group(3)), month, int(match.group(1)))
        except ValueError:
            continue
    return None


# --- Board names -----------------------------------------------------------------------------


class BoardNames:
    """Finds Stockholm's boards by name in OCR'd text (``Hasselby-Villingby stadsdelsnamnd``,
    ``Socialndmnden``); the answer is the board's short name."""

    def __init__(self, boards: Sequence[dnrlib.BoardInfo]) -> None:
        alternatives, self.groups = [], {}
        for index, board in enumerate(boards):
            forms = {board.name, board.short_name, *board.names}
            if board.short_name != board.name and "stadsdels" in board.name:
                forms.add(f"{board.short_name} stadsdelsnämnd")
            body = "|".join(
                dnrlib.ocr_phrase_regex(f) for f in sorted(forms, key=len, reverse=True)
            )
            self.groups[f"b{index}"] = board.short_name
            alternatives.append(f"(?P<b{index}>{body})")
        self.pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")\w*", re.I)

    def find(self, text: str) -> tuple[str, int, int] | None:
        """The first board name in ``text``: (short name, start, end)."""
        match = self.pattern.search(text)
        if match is None:
            return None
        return self.groups[match.lastgroup or ""], match.start(), match.end()


# --- Reading a segment -------------------------------------------------------------------------


def _texts(lines: Sequence[Line]) -> list[Line]:
    return [line for line in lines if line.text]


def read_metadata(lines: Sequence[Line], segment: Segment, boards: BoardNames) -> DocumentMeta:
    own = lines[segment.start : segment.end]
    meta = DocumentMeta(attachment_list=list(segment.attachment_titles))
    if segment.header_line is not None and segment.anchor in ("header", "page-header"):
        _read_header(own, segment, meta, boards)
    elif segment.anchor == "email":
        _read_email(own, meta)
    else:
        meta.header_end = own[0].index if own else segment.start
    _read_own_dnr(own, meta, window=1 if segment.anchor in ("header", "page-header") else 12)
    if segment.anchor != "email":
        _read_title(lines, segment, meta)
    _read_sections(own, meta)
    meta.signatories = read_signatories(own)
    meta.attested_by = read_attested(own)
    meta.kind = classify(segment, meta, own)
    if meta.document_date is None:
        meta.document_date = _fallback_date(own, meta)
    return meta


def _read_header(
    own: Sequence[Line], segment: Segment, meta: DocumentMeta, boards: BoardNames
) -> None:
    header = segment.header_line
    before = [x for x in own if x.index < header and x.text]
    for line in before:
        found = DOC_TYPE.search(line.text)
        if found and not meta.doc_type:
            meta.doc_type = found.group(1)
        if DATE_LINE.match(line.text) and meta.document_date is None:
            meta.document_date = parse_date(line.text)
        elif meta.document_date is None and SIDA.search(line.text):
            rest = DATE.search(line.text)
            if rest:
                meta.document_date = parse_date(rest.group(0))
    if not HANDLAGGARE.match(lines_text(own, header)):
        # A page header without handläggare (remissbrev, PM): the date may follow Sida 1.
        for line in _texts([x for x in own if header < x.index <= header + 4]):
            if DATE.search(line.text) and len(line.text) < 40 and meta.document_date is None:
                meta.document_date = parse_date(line.text)
                meta.header_end = line.index + 1
        meta.header_end = max(meta.header_end, header + 1)
        return
    block: list[Line] = []
    after_blank = False
    for line in (x for x in own if x.index > header):
        if not line.text:
            after_blank = bool(block)
            continue
        if len(block) >= 5:
            break
        if block and after_blank and not _header_block_line(line.text, boards):
            break
        block.append(line)
        after_blank = False
    meta.header_end = (block[-1].index + 1) if block else header + 1
    text = " ".join(x.text for x in block if x.text.lower() != "till")
    phone = PHONE.search(text)
    if phone:
        meta.officer_phone = " ".join(phone.group(1).split())
        text = text[: phone.start()] + " " + text[phone.end() :]
    dates = [parse_date(m.group(0)) for m in DATE.finditer(text)]
    if dates:
        meta.meeting_date = dates[-1]
    text = DATE.sub(" ", text)
    board = boards.find(text)
    if board is not None:
        meta.recipient = board[0]
        text = text[: board[1]]
    meta.officer = " ".join(text.split()).strip(" ,")


def lines_text(own: Sequence[Line], index: int) -> str:
    for line in own:
        if line.index == index:
            return line.text
    return ""


def _header_block_line(text: str, boards: BoardNames) -> bool:
    """After a blank line the handläggare/till block goes on only with its own kinds of line:
    a phone, a date, "Till", or a board's name."""
    if PHONE.search(text) or DATE_LINE.match(text) or text.lower() == "till":
        return True
    board = boards.find(text)
    return board is not None and board[2] - board[1] >= len(text) - 2


def _read_email(own: Sequence[Line], meta: DocumentMeta) -> None:
    fields: dict[str, str] = {}
    last = own[0].index if own else 0
    for line in own[:60]:
        match = EMAIL_FIELD.match(line.text)
        if match:
            name = email_field_name(match.group(1))
            if name not in fields:
                fields[name] = match.group(2).strip()
                last = line.index
    meta.sender = re.sub(r"\s*<[^>]*>", "", fields.get("from", "")).strip()
    meta.subject = fields.get("subject", "")
    meta.doc_type = "e-post"
    meta.header_end = last + 1
    for name in ("date", "sent"):
        if fields.get(name):
            meta.document_date = parse_date(fields[name])
            if meta.document_date:
                break
    subject = re.sub(r"^(?:(?:Re|Sv|VB|Fw|Fwd):\s*)+", "", meta.subject, flags=re.I)
    # A form mail (insynsverige.se) carries the proposal's own heading as "Rubrik:".
    rubrik = next((x.text[7:].strip() for x in own if x.text.startswith("Rubrik:")), "")
    title = tidy_title(rubrik or subject or "E-post")
    meta.title = title[:1].upper() + title[1:]


OWN_DNR = re.compile(r"^(?:[^,]*\s)?Dnr\.?:?\s+(\S+(?:\s\S+)?)$", re.I)


def _read_own_dnr(own: Sequence[Line], meta: DocumentMeta, *, window: int) -> None:
    """The document's own number: a Dnr line of the header (or, without a header, among the
    first lines), then the headers of later pages ("Tjänsteutlåtande / Dnr … / Sida 2 (3)")."""
    for line in own:
        if line.index >= meta.header_end + window:
            break
        _add_own_dnr(line.text, meta)
    for position, line in enumerate(own):
        match = SIDA.search(line.text) if "ida" in line.text else None
        if match and match.group(1) != "1":
            for other in own[max(0, position - 3) : position]:
                _add_own_dnr(other.text, meta)


def _add_own_dnr(text: str, meta: DocumentMeta) -> None:
    match = OWN_DNR.match(text)
    if match is None or len(text) > 70:
        return
    value = match.group(1).strip().rstrip(".")
    if dnrlib.try_parse_dnr(value) is not None and value not in meta.dnr_raw:
        meta.dnr_raw.append(value)


def _read_title(lines: Sequence[Line], segment: Segment, meta: DocumentMeta) -> None:
    start = max(meta.header_end, segment.start)
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines[start : segment.end]:
        text = line.text
        if text and _skip_in_title(text, segment, meta):
            continue
        if (
            PROPOSAL_HEADING.match(text)
            or DECISION_HEADING.match(text)
            or SECTION.match(text)
            or BODY_HEADINGS.match(text)
        ):
            break
        if not text:
            if current:
                blocks.append(current)
                current = []
            if len(blocks) >= 3:
                break
            continue
        if line.page_start and current and len(blocks) >= 1:
            break
        current.append(text)
        if len(current) > 5:
            break
    if current:
        blocks.append(current)
    blocks = [b for b in blocks if b and len(" ".join(b)) < 260]
    if not blocks:
        return
    meta.title = tidy_title(join_wrapped(blocks[0]))
    if len(blocks) > 1 and len(blocks[1]) <= 3:
        meta.subtitle = tidy_title(join_wrapped(blocks[1]))


def _skip_in_title(text: str, segment: Segment, meta: DocumentMeta) -> bool:
    if is_noise_line(text) or DATE_LINE.match(text) or SIDA.search(text):
        return True
    if DNR_LINE.search(text) and len(text) < 40:
        return True
    if PARTY_LINE.match(text):
        meta.party = text
        return True
    if segment.anchor == "cover" and (text == (segment.cover_dnr or "") or text.isdigit()):
        return True
    lowered = text.lower()
    if re.match(r"^bilaga\s*\d*$", lowered):
        return True
    return lowered in ("till berord remissinstans", "till berörd remissinstans") or (
        text.isupper() and DATE.search(text) is not None
    )


def _read_sections(own: Sequence[Line], meta: DocumentMeta) -> None:
    for position, line in enumerate(own):
        if meta.proposal and meta.summary:
            break
        if (
            not meta.proposal
            and "eslut" in line.text
            and (PROPOSAL_HEADING.match(line.text) or DECISION_HEADING.match(line.text))
        ):
            meta.proposal = _section_text(own, position + 1, stop_at_signature=True)
        elif not meta.summary and line.text.lower() == "sammanfattning":
            meta.summary = _section_text(own, position + 1)


def _section_text(own: Sequence[Line], start: int, *, stop_at_signature: bool = False) -> str:
    parts: list[str] = []
    for position in range(start, min(len(own), start + 60)):
        text = own[position].text
        if SECTION.match(text) or PROPOSAL_HEADING.match(text):
            break
        if stop_at_signature and _is_role_line(text) and parts:
            parts.pop()  # the names above the roles
            break
        if not text:
            if parts and parts[-1]:
                parts.append("")
            continue
        if is_noise_line(text):
            continue
        parts.append(text)
    paragraphs = "\n".join(parts).strip().split("\n\n")
    text = "\n\n".join(join_wrapped(p.split("\n")) for p in paragraphs if p.strip())
    return text[:3000]


def _is_role_line(text: str) -> bool:
    if not text or len(text) > 80 or not ROLE_WORDS.search(text):
        return False
    stripped = ROLE_WORDS.sub("", text)
    stripped = re.sub(r"\b(?:tf\.?|och|strategi|interservice|internservice|Tf\.)\b", "", stripped)
    return bool(ROLE_WORDS.search(text)) and len(stripped.strip(" .,")) <= 3


def read_signatories(own: Sequence[Line]) -> list[dict]:
    """Names with roles from signature blocks: a line of names over a line of roles (OCR
    merges two columns into one line), or "Vid protokollet" with the secretary below."""
    found: list[dict] = []
    texts = _texts(own)
    for position, line in enumerate(texts):
        if position == 0 or not _is_role_line(line.text):
            continue
        names_line = texts[position - 1].text
        if not _is_name_line(names_line):
            continue
        roles = _split_roles(line.text)
        names = _split_names(names_line, max(1, len(roles)))
        for index, name in enumerate(names):
            role = roles[index] if index < len(roles) else ""
            entry = {"name": name, "role": role}
            if entry not in found:
                found.append(entry)
    return found


def _is_name_line(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 8 or any(ch.isdigit() for ch in text):
        return False
    if ROLE_WORDS.search(text) or text.endswith((".", ":", ",")):
        return False
    return all(w[:1].isupper() for w in words if w.lower() not in ("von", "af", "de"))


def _split_roles(text: str) -> list[str]:
    parts = re.split(
        r"(?<=\w)\s+(?=(?:[Tt]f\.\s*)?(?:" + ROLE_WORDS.pattern + "))", text, flags=re.I
    )
    roles = [" ".join(p.split()) for p in parts if p.strip()]
    merged: list[str] = []
    for role in roles:
        if merged and not ROLE_WORDS.match(role) and not role.lower().startswith("tf"):
            merged[-1] += " " + role
        else:
            merged.append(role)
    return merged


def _split_names(text: str, count: int) -> list[str]:
    words = text.split()
    if count <= 1 or len(words) < 2 * count:
        return [" ".join(words)]
    size = len(words) // count
    extra = len(words) - size * count
    names, position = [], 0
    for index in range(count):
        take = size + (1 if index < extra else 0)
        names.append(" ".join(words[position : position + take]))
        position += take
    return names


def read_attested(own: Sequence[Line]) -> list[dict]:
    """The "Attesterat av" (or "Digitala signaturer") table: name, role and date."""
    rows: list[dict] = []
    active = False
    for line in own:
        text = line.text
        if re.match(r"^(Attesterat av|Digitala signaturer)$", text, re.I):
            active = True
            continue
        if not active or not text:
            continue
        if text.startswith(("Detta dokument", "Namn")):
            continue
        match = ATTESTED_ROW.match(" ".join(text.split()))
        signed = SIGNED_ROW.match(" ".join(text.split()))
        if match:
            rows.append(
                {
                    "name": match["name"].strip(),
                    "role": match["role"].strip(),
                    "date": match["date"],
                }
            )
        elif signed:
            rows.append({"name": signed["name"].strip(), "role": "", "date": signed["date"]})
        else:
            active = False
    return rows


def classify(segment: Segment, meta: DocumentMeta, own: Sequence[Line]) -> str:
    doc_type = meta.doc_type.lower()
    title = meta.title.lower()
    if segment.anchor == "email":
        text = meta.subject + " " + " ".join(x.text for x in own[:40])
        return Kind.CITIZEN_PROPOSAL if MEDBORGARFORSLAG.search(text) else Kind.EMAIL
    if segment.anchor == "protocol":
        return Kind.MINUTES_EXTRACT
    if title.startswith(("\u00e4rendelista", "arendelista")):
        return Kind.CASE_LIST
    if doc_type.startswith("tj") or segment.anchor == "title-tu":
        return Kind.REPORT_TU
    if doc_type == "remissbrev":
        return Kind.REFERRAL
    if doc_type == "pm":
        return Kind.REPORT
    if segment.anchor == "header":
        return Kind.REPORT_TU
    if meta.party or any(re.search(r"f\S{1,3}resl\S{1,3}r vi\b", x.text, re.I) for x in own[-40:]):
        return Kind.MOTION if meta.party else Kind.LETTER
    if title.startswith(("rapport", "redovisning")):
        return Kind.REPORT
    return Kind.ATTACHMENT


def _fallback_date(own: Sequence[Line], meta: DocumentMeta) -> datetime.date | None:
    """When the header had no date: the approval date, a receipt stamp, the adjustment
    date of minutes, or a dated closing line ("Stockholm den 6 maj 2019")."""
    if meta.attested_by:
        return parse_date(max(row["date"] for row in meta.attested_by))
    for line in own:
        for pattern in (INKOM, JUSTERAT):
            match = pattern.search(line.text)
            if match:
                return parse_date(match.group(1))
    for line in reversed(own[-30:]):
        if re.match(r"^Stockholm(?: den)?\s+\d", line.text):
            return parse_date(line.text)
    return None

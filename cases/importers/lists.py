"""Lists of cases inside a pack: the agenda (dagordning), the ärendelista and tables of
delegation decisions. Pure Python; numbers are read with ``cases.dnr``.
"""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .. import dnr as dnrlib
from .cleaning import CONTACT, DATE, ORGANISATION, Line, is_noise_line, join_wrapped, tidy_title
from .textmatch import skeleton

CASE_NUMBER = r"[A-ZÅÄÖ]{1,4} (?:19|20)\d\d/\d{1,5}"
DNR_AT_END = re.compile(rf"^(?P<before>.*?)\s*(?P<dnr>{CASE_NUMBER})$")
LIST_ROW = re.compile(rf"^(?P<dnr>{CASE_NUMBER})(?:\s+(?P<title>\S.*))?$")
DELEGATION_ROW = re.compile(
    rf"^(?P<dnr>{CASE_NUMBER})\s+(?P<title>.+?)\s*\|?\s*(?P<date>(?:19|20)\d\d-\d\d-\d\d)\s*(?P<rest>.*)$"
)
CANCELLED = re.compile(r"^\[\s*makulerad\s*:?\s*(?P<reason>[^\]]*)\]\s*(?P<title>.*)$", re.I)
PROTECTED = re.compile(r"^\[\s*skyddat?\s*\]$", re.I)
# Left-column residue where OCR merged the agenda's letterhead into its lines.
_LEFT_COLUMN = re.compile(
    r"^(?:Telefon\s+[\d\s-]{6,}\s|Fax\s+[\d\s-]{6,}\s|[A-ZÅÄÖ][\w-]*(?:gatan|vägen|torg|plan)\s+\d+\s+|"
    r"\S*[^\w\s,.()-]\S*[^\w\s,.()-]\S*\s+)"
)


@dataclass
class AgendaItem:
    number: int | None  # None: a dnr left over from an item whose start is not in the text
    title: str
    dnr: str
    start: int  # line index


@dataclass
class ListedCase:
    dnr: str
    title: str
    cancelled_reason: str | None = None
    protected: bool = False
    date: datetime.date | None = None


def looks_like_agenda(lines: Sequence[Line]) -> bool:
    numbered = sum(1 for x in lines if re.match(r"^\d{1,2}\s+[A-ZÅÄÖ]", x.text))
    numbers = sum(1 for x in lines if DNR_AT_END.match(x.text))
    return numbered >= 2 and numbers >= 2


def parse_agenda(lines: Sequence[Line]) -> list[AgendaItem]:
    """Numbered items ("7 Riktlinjer för …") wrapped over lines and closed by their dnr.

    Numbers run in order, so the next item is found by its expected number even where OCR
    merged the letterhead's left column into the line ("Hässelby-Vällingby stadsdelsnämnd 14
    Stockholms stads handlingsplan …").
    """
    items: list[AgendaItem] = []
    current: AgendaItem | None = None
    parts: list[str] = []
    expected: int | None = None

    def close(dnr: str = "") -> None:
        nonlocal current, parts
        if current is not None:
            current.title = tidy_title(join_wrapped(parts))
            current.dnr = dnr or current.dnr
            items.append(current)
        current, parts = None, []

    for line in lines:
        text = line.text
        if not text or is_noise_line(text):
            continue
        start = _item_start(text, expected)
        if start is not None:
            close()
            number, rest = start
            current = AgendaItem(number, "", "", line.index)
            expected = number + 1
            text = rest
        elif current is not None:
            text = _LEFT_COLUMN.sub("", text)
        number_at_end = DNR_AT_END.match(text)
        if number_at_end:
            before = number_at_end.group("before").strip()
            if current is None:
                items.append(AgendaItem(None, "", number_at_end.group("dnr"), line.index))
                continue
            if before and not CONTACT.match(before):
                parts.append(before)
            close(number_at_end.group("dnr"))
            continue
        if current is not None and not CONTACT.match(text):
            parts.append(text)
    close()
    return items


def _item_start(text: str, expected: int | None) -> tuple[int, str] | None:
    match = re.match(r"^(\d{1,2})\s{1,2}([A-ZÅÄÖ].*)$", text)
    if match and (expected is None or int(match.group(1)) == expected):
        return int(match.group(1)), match.group(2)
    if expected is not None:
        merged = re.search(rf"(?:^|\s){expected}\s{{1,3}}([A-ZÅÄÖ].*)$", text)
        if merged:
            return expected, merged.group(1)
    return None


def parse_case_list(lines: Sequence[Line]) -> list[ListedCase]:
    """Rows "HV 2019/420 Revidering av delegationsordning" of an ärendelista; OCR sometimes
    puts the title a blank line below the number."""
    rows: list[ListedCase] = []
    pending: str | None = None
    for line in lines:
        text = line.text
        if not text or text.lower() in _COLUMN_HEADINGS:
            continue
        if text.lower().startswith(("digitala signaturer", "attesterat av")):
            break
        match = LIST_ROW.match(text)
        if match:
            if match.group("title"):
                rows.append(_listed(match.group("dnr"), match.group("title")))
                pending = None
            else:
                pending = match.group("dnr")
            continue
        if pending is not None:
            rows.append(_listed(pending, text))
            pending = None
    return rows


_COLUMN_HEADINGS = {"diarienummer", "arenderubrik", "ärenderubrik", "dnr", "rubrik"}


def _listed(dnr: str, title: str) -> ListedCase:
    title = tidy_title(title)
    cancelled = CANCELLED.match(title)
    if cancelled:
        reason = cancelled.group("reason").strip(" :") or "Makulerad"
        return ListedCase(dnr, cancelled.group("title").strip() or "[Makulerad]", reason)
    if PROTECTED.match(title):
        return ListedCase(dnr, "[Skyddat]", protected=True)
    reason = re.match(r"^\[\s*makulerad\s+(.*)\]$", title, re.I)
    if reason:
        return ListedCase(dnr, "[Makulerad]", reason.group(1).strip())
    return ListedCase(dnr, title)


def parse_decision_table(lines: Sequence[Line]) -> list[ListedCase]:
    """Rows of a table of decisions: dnr, title wrapped over lines, date, and a last column
    (the decision-maker) whose hyphenated word ("Avdelnings-" / "chef") OCR spreads over the
    same lines as the title."""
    rows: list[ListedCase] = []
    current: list[str] | None = None
    head: re.Match | None = None
    role_wraps = False
    for line in lines:
        text = line.text
        match = DELEGATION_ROW.match(text)
        if match:
            if head is not None and current is not None:
                rows.append(_decision(head, current))
            head, current = match, [match.group("title")]
            role_wraps = match.group("rest").endswith("-")
            continue
        if current is None:
            continue
        ends = not text or LIST_ROW.match(text) or is_noise_line(text) or DATE.search(text)
        if ends or CONTACT.match(text) or ORGANISATION.search(text) or _ROLE.search(text):
            rows.append(_decision(head, current))
            head, current = None, None
            continue
        if role_wraps:
            text = re.sub(r"\s+\S+$", "", text)
            role_wraps = False
        if text:
            current.append(text)
    if head is not None and current is not None:
        rows.append(_decision(head, current))
    return rows


_ROLE = re.compile(r"direkt\S{1,2}r|avdelningschef", re.I)


def _decision(head: re.Match, parts: list[str]) -> ListedCase:
    date = datetime.date.fromisoformat(head.group("date"))
    return ListedCase(head.group("dnr"), tidy_title(join_wrapped(parts)), date=date)


def same_words(a: str, b: str) -> bool:
    """The same title up to spacing and OCR spelling ("förbättradarbetssituation")."""
    return skeleton(re.sub(r"\W+", "", a.lower())) == skeleton(re.sub(r"\W+", "", b.lower()))


def parse_dnr_for(text: str, *, prefix: str | None) -> dnrlib.Dnr | None:
    parsed = dnrlib.try_parse_dnr(text, default_prefix=prefix)
    return parsed.case_dnr if parsed else None

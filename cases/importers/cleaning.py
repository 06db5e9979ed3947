"""Lines of an imported text, the page furniture among them, and the cleaned text for indexing.

Pure Python. The original text is kept for display (``Document.full_text``); the cleaned text
(``Document.clean_text``) drops what a reader skips and a search must not match: letterheads,
running page headers and footers, Word's "Error! No text of specified style" field errors,
logo and chart residue, and it joins words hyphenated at a line end (docs/source-documents.md, docs/ocr.md).
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Line:
    """One line of the source file; ``start``/``end`` are character offsets into the file."""

    index: int
    raw: str
    start: int
    end: int
    text: str = field(init=False)  # without surrounding blanks, computed once

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", self.raw.strip())

    @property
    def page_start(self) -> bool:
        """OCR marks the first line of each PDF page with exactly one leading space."""
        return self.raw.startswith(" ") and not self.raw.startswith("  ") and bool(self.text)

    @property
    def blank(self) -> bool:
        return not self.text


def split_lines(text: str) -> list[Line]:
    lines, position = [], 0
    for index, raw in enumerate(text.split("\n")):
        lines.append(Line(index, raw.rstrip("\r"), position, position + len(raw.rstrip("\r"))))
        position += len(raw) + 1
    return lines


# --- Recognisers for single lines -------------------------------------------------------------

ERROR_FIELD = re.compile(r"Error!\s*No text of specified style in(?:\s+document\.?)?", re.I)
SIDA = re.compile(r"\bSida\s*(\d{1,3})\s*(?:\(|av\s*)(\d{1,3})\)?", re.I)
SIDA_LINE = re.compile(
    r"^(?:.*\s)?Sida\s*\d{1,3}\s*(?:\(\d{1,3}\)|av\s*\d{1,3})$|^Sidal?av\d$", re.I
)
PAGE_NUMBER = re.compile(r"^(?:.*\s)?\d{1,3}\s?\(\d{1,3}\)$")
DATE = re.compile(r"\b((?:19|20)\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b")
DATE_LINE = re.compile(r"^(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$")
DNR_LINE = re.compile(r"(?:^|\s)Dnr\.?:?\s+\S", re.I)
# Contact lines of a letterhead or e-mail signature: address, post code, switchboard, fax,
# mailbox and web address.
CONTACT = re.compile(
    r"^(?:Box \d+|\d{3}\s?\d{2}\s+[A-ZÅÄÖ]\w+|V\S{1,3}xel\b.*|Fax\b.*|Telefon(?:\s+[\d\s-]{6,})?|"
    r"[\w.-]+@[\w.-]*stockholm\.se|stockholm\.se|Stadshuset|"
    r"[A-ZÅÄÖ][\w-]*(?:\s[A-ZÅÄÖ]\w+)?\s?(?:torg|gatan|plan|v\S{1,2}gen|gr\S{1,2}nd)\s+\d+(?:-\d+)?)$",
    re.I,
)
ORGANISATION = re.compile(
    r"(?:stadsdelsf\S{1,3}rvaltning|f\S{1,3}rvaltningen|Stadsledningskontoret|Kommunstyrelsen|"
    r"kontoret)\b",
    re.I,
)
# Residue of the city's logo: "w Stockholms", "~-4 Stockholms", "@! Stockholms «.Am .", "o stad".
LOGO = re.compile(
    r"^\S{1,4}\s+Stockholms(?:\s+[^\w\s]\S*)*$|^(?:\S{1,2}\s+)?stad(?:\s+\d+\S*.{0,12})?$"
)
IMAGE = re.compile(r"^<image\d+\.\w+>$")
WORDISH = re.compile(r"[^\W\d_]{2,}")


def is_contact_line(text: str) -> bool:
    return bool(CONTACT.match(text))


def is_noise_line(text: str) -> bool:
    """Residue a reader never reads: logo fragments, image placeholders, lone glyphs and
    numbers (page numbers, cover-sheet item numbers, chart ticks)."""
    if not text:
        return False
    if LOGO.match(text) or IMAGE.match(text) or SIDA_LINE.match(text):
        return True
    if PAGE_NUMBER.match(text):
        return True
    compact = text.replace(" ", "")
    return len(compact) <= 6 and not WORDISH.search(compact)


def letterhead_lines(lines: Sequence[Line]) -> set[int]:
    """Indexes of letterhead blocks: runs with at least three contact lines, plus up to three
    organisation lines right above (förvaltning, avdelning) and logo residue."""
    found: set[int] = set()
    i, n = 0, len(lines)
    while i < n:
        if not is_contact_line(lines[i].text):
            i += 1
            continue
        run, j, gap = [i], i + 1, 0
        while j < n and gap <= 2:
            text = lines[j].text
            if not text:
                j += 1
                continue
            if is_contact_line(text):
                run.append(j)
                gap = 0
            else:
                gap += 1
                if gap > 1:
                    break
            j += 1
        if len(run) >= 3:
            first, last = run[0], run[-1]
            k, taken = first - 1, 0
            while k >= 0 and taken < 4:
                text = lines[k].text
                if not text:
                    k -= 1
                    continue
                if len(text) > 80 or text.endswith(".") or DNR_LINE.search(text):
                    break
                if not (ORGANISATION.search(text) or is_noise_line(text) or len(text) < 45):
                    break
                found.add(k)
                taken += 1
                if lines[k].page_start:
                    break
                k -= 1
            found.update(range(first, last + 1))
            i = last + 1
        else:
            i += 1
    return found


def running_lines(lines: Sequence[Line], *, minimum: int = 3) -> set[int]:
    """Lines repeated near page starts: running headers and footers of one document.

    A line counts when it recurs at least ``minimum`` times and at least half of the
    occurrences sit within two lines of a page start; section headings ("Sammanfattning")
    recur too but once per document, not per page.
    """
    starts = [position for position, line in enumerate(lines) if line.page_start]
    near = {p + d for p in starts for d in range(-2, 3)}
    near_page: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    keys: dict[int, str] = {}
    for position, line in enumerate(lines):
        text = line.text
        if len(text) < 4 or len(text) > 120:
            continue
        key = keys[position] = _norm_key(text)
        counts[key] += 1
        if position in near:
            near_page[key] += 1
    repeated = {
        key
        for key, count in counts.items()
        if count >= minimum and near_page[key] * 2 >= count and not _is_heading_like(key)
    }
    if not repeated:
        return set()
    return {lines[position].index for position, key in keys.items() if key in repeated}


def _norm_key(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def _is_heading_like(key: str) -> bool:
    # Bullet and heading words that repeat legitimately inside long reports.
    return len(key.split()) <= 1 and not any(ch.isdigit() for ch in key)


# --- Cleaned text -----------------------------------------------------------------------------

_BULLET = re.compile(r"^(?:[eo¢®»*+•·▪-]|4\+)\s+(?=\S)")
_HYPHEN_END = re.compile(r"([^\W\d_])-$")


def clean_text(lines: Iterable[Line], *, skip: set[int]) -> str:
    """The text of ``lines`` without furniture, for indexing: NFKC (ligatures), Word field
    errors removed, bullets dropped, words hyphenated at a line end joined when the next line
    goes on in lower case ("social-" + "sekreterare"), blank runs collapsed."""
    out: list[str] = []
    blank = 0
    for line in lines:
        if line.index in skip:
            continue
        text = ERROR_FIELD.sub("", unicodedata.normalize("NFKC", line.text)).strip()
        if text.lower() == "document.":
            continue
        if not text:
            blank += 1
            if blank == 1 and out:
                out.append("")
            continue
        if is_noise_line(text):
            continue
        blank = 0
        text = _BULLET.sub("", text)
        if out and out[-1] and _HYPHEN_END.search(out[-1]) and text[:1].islower():
            out[-1] = out[-1][:-1] + text
            continue
        out.append(text)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def join_wrapped(parts: Sequence[str]) -> str:
    """Join lines of one heading or title wrapped over several lines: "Hässelby-" +
    "Vällingby" keeps its hyphen, "social-" + "sekreterare" loses it, others get a space."""
    result = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if not result:
            result = part
        elif result.endswith("-") and part[:1].islower() and result[-2:-1].isalpha():
            result = result[:-1] + part
        elif result.endswith("-"):
            result += part
        else:
            result += " " + part
    return re.sub(r"\s+", " ", ERROR_FIELD.sub("", result)).strip()


def tidy_title(title: str) -> str:
    """A title as printed, without a full stop at the end and with normal spacing."""
    title = unicodedata.normalize("NFKC", title)
    title = re.sub(r"\s+", " ", title).strip(" ,;:")
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1]
    return title

"""Finding every dnr in running text, with its owner and its relation to the document."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from .boards import STOCKHOLM_BOARDS, BoardInfo, _Catalogue, _catalogue, _fold, ocr_phrase_regex
from .families import (
    CLASS_NUMBER_YY,
    FAMILIES,
    NOT_PREFIXES,
    NUMBER_YEAR,
    PREFIX,
    TRAFIK,
    FormatFamily,
)
from .grammar import _COMPILED, _DASH, Dnr, _looks_like_year, _make_dnr


@dataclass(frozen=True)
class DnrMatch:
    """A dnr found in text; ``text[start:end] == raw``."""

    raw: str
    start: int
    end: int
    dnr: Dnr
    board: str | None
    relation: str | None


# URLs and e-mail addresses, whose digits are never dnr. Bounded and anchored at token starts
# so a long run of dashes or dotted digits cannot make the search quadratic.
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"]{1,500}"
    r"|(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"
    r"|(?<![\w/.-])[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}"
    r"\.(?:se|com|org|net|nu|eu|gov|pdf|html?|aspx?|docx?)(?:/[^\s<>\"]{0,500})?(?!\w)",
    re.IGNORECASE,
)
# Words that announce a dnr, as OCR may have spelled them ("drende nr", "diarieférts pd").
_DNR_WORD = "|".join(
    (
        r"dnr",
        r"d\.\s?nr",
        r"diarienummer",
        r"diarienr",
        r"diarie\s?nr",
        ocr_phrase_regex("ärendenummer"),
        ocr_phrase_regex("ärende nr"),
        ocr_phrase_regex("ärende") + r"(?!\w)",
        ocr_phrase_regex("diarieför*") + r"(?:\s+(?:" + ocr_phrase_regex("på") + r"|under|som))?",
    )
)
# A dnr word right before the number ("Dnr:", "vårt dnr", "diarieförts på"), with nothing in
# between but punctuation and a line break.
_KEYWORD_BEFORE = re.compile(
    rf"(?<![^\W\d_])(?:{_DNR_WORD})\s*\.?\s*:?\s*(?:nr\.?\s*)?[(\[]?\s*$", re.IGNORECASE
)
# Between a board's name and its number: the rest of the word (genitive -s, definite -en) and
# a few linking words. Kept tight so a name earlier in the sentence does not claim the number.
_GLUE_WORDS = "|".join(
    (
        _DNR_WORD,
        r"nr|med|har|under|beteckning|referens|ref",
        ocr_phrase_regex("stadsdels*"),
        ocr_phrase_regex("nämnd*"),
        ocr_phrase_regex("förvaltning*"),
    )
)
_BOARD_GLUE = re.compile(
    rf"(?::s)?\w*(?:[\s,.:;()\[\]\-\u2010-\u2015]|(?<![^\W\d_])(?:{_GLUE_WORDS})(?![^\W\d_]))*",
    re.IGNORECASE,
)
# Between two numbers of one list: "HV 2019/272, HV 2019/259 samt HV 2019/19".
_LIST_GLUE = re.compile(
    r"\s*(?:[,;&+/]\s*(?:och|samt|eller)?|och|samt|resp\.?|respektive|eller)\s*"
    rf"(?:(?:{_DNR_WORD})\s*\.?\s*:?\s*)?",
    re.IGNORECASE,
)
# Signs a bare number is not a dnr even next to a dnr word: detaljplan (S-Dp 2004-10231-54).
_NOT_DNR_BEFORE = re.compile(r"(?<![^\W\d_])(?:S-)?Dp\.?\s*$|§\s*$", re.IGNORECASE)
_TABLE_HEADER = re.compile(r"[ \t|]*(?:dnr|diarienummer|diarienr)\b[^0-9\n]*$", re.IGNORECASE)
_ORPHAN_PREFIX = re.compile(r"[ \t|]*(?P<prefix>[A-ZÅÄÖ]{1,6})[ \t]+(?![0-9])\S")

RELATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("besvarar-aven", ("besvarar även", "besvaras även", "besvarar också", "besvaras också")),
    ("remiss-fran", ("remiss från", "remissen från", "remiss ifrån", "remitterat från")),
    ("svar-pa", ("svar på", "besvarande av")),
    ("for-kannedom", ("för kännedom", "för information")),
    ("overlamnat-till", ("överlämna* till", "översän* till")),
)
_RELATION = re.compile(
    "|".join(
        f"(?P<r{index}>(?<![^\\W\\d_])(?:{'|'.join(ocr_phrase_regex(p) for p in phrases)}))"
        for index, (_name, phrases) in enumerate(RELATIONS)
    ),
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<![Dd]nr)(?<!nr)[.!?]\s+[A-ZÅÄÖ]|\n[ \t]*\n")


# Authorities outside the municipality whose numbers appear in agendas ("Beslut från IVO, dnr
# 8.5-12345/2019"): named right before a number, they keep it from being credited to a board
# by its form.
OUTSIDE_AUTHORITIES = (
    "Inspektionen för vård och omsorg",
    "IVO",
    "Socialstyrelsen",
    "Justitieombudsmannen",
    "JO",
    "Justitiekanslern",
    "Länsstyrelsen",
    "Skolinspektionen",
    "Datainspektionen",
    "Integritetsskyddsmyndigheten",
    "IMY",
    "Polismyndigheten",
    "Polisen",
    "Migrationsverket",
    "Försäkringskassan",
    "Arbetsmiljöverket",
    "Trafikverket",
    "Boverket",
    "Naturvårdsverket",
    "Region Stockholm",
    "Stockholms läns landsting",
    "SLL",
    "Förvaltningsrätten",
    "Kammarrätten",
    "Mark- och miljödomstolen",
    "Regeringen",
    "Regeringskansliet",
    "Sveriges Kommuner och Regioner",
    "SKR",
    "SKL",
    "Skatteverket",
    "Kronofogden",
    "Lantmäteriet",
)
_OUTSIDE_NAMES = re.compile(
    r"(?<!\w)(?:\w*departement|"
    + "|".join(
        ocr_phrase_regex(name) for name in sorted(OUTSIDE_AUTHORITIES, key=len, reverse=True)
    )
    + ")",
    re.IGNORECASE,
)
_OUTSIDE = BoardInfo("utomstående myndighet", "utomstående myndighet", ())


@dataclass
class _Candidate:
    start: int
    end: int
    family: FormatFamily
    groups: dict[str, str | None]


@dataclass
class _Found:
    match: DnrMatch
    board: BoardInfo | None
    label: str | None


def find_dnrs(
    text: str,
    *,
    board: str | None = None,
    boards: Iterable[BoardInfo] = STOCKHOLM_BOARDS,
) -> list[DnrMatch]:
    """Every dnr in ``text``, in order, with exact spans.

    ``board`` names the board whose document it is (short name, name or prefix): numbers
    without prefix and in classification forms are that board's unless the words around say
    otherwise ("Remiss från Kommunstyrelsen, dnr …", "Socialförvaltningens dnr …"), a prefix
    names another board, or the form is one only another board uses.
    """
    if not text:
        return []
    return _Finder(text, _catalogue(tuple(boards)), board).run()


class _Finder:
    def __init__(self, text: str, catalogue: _Catalogue, board: str | None) -> None:
        self.text = text
        self.catalogue = catalogue
        self.own_board = catalogue.by_label.get(_fold(board)) if board else None
        # A board the catalogue does not describe (another municipality) keeps its label, and
        # the catalogue's family owners do not apply to its documents.
        self.own_label = self.own_board.short_name if self.own_board else board
        self.foreign = bool(board) and self.own_board is None
        self.urls = [m.span() for m in _URL.finditer(text)]

    def run(self) -> list[DnrMatch]:
        accepted: list[_Found] = []
        last_end = -1
        for candidate in sorted(self._candidates(), key=lambda c: (c.start, c.start - c.end)):
            if candidate.start < last_end or self._in_url(candidate):
                continue
            found = self._judge(candidate, accepted[-1] if accepted else None)
            if found is not None:
                accepted.append(found)
                last_end = candidate.end
        return [found.match for found in accepted]

    def _candidates(self) -> list[_Candidate]:
        candidates = []
        for family in FAMILIES:
            for m in _COMPILED[family.name][1].finditer(self.text):
                groups = m.groupdict()
                if groups.get("dot"):
                    groups["sep"] = "."
                candidates.append(_Candidate(m.start(), m.end(), family, groups))
                # The prefix may be a false one ("EU 2016/679", "SOU 2018:47"): judge the rest
                # on its own too.
                if groups.get("prefix") is None or family.name == TRAFIK:
                    continue
                number_start = m.end("psep")
                if not _glued(self.text, number_start):
                    bare = dict(groups, prefix=None, psep=None)
                    candidates.append(_Candidate(number_start, m.end(), family, bare))
        return candidates

    def _in_url(self, candidate: _Candidate) -> bool:
        # URL spans come from one finditer: sorted and disjoint, so only the last one that
        # starts before the candidate's end can overlap it.
        index = bisect.bisect_left(self.urls, (candidate.end, -1)) - 1
        return index >= 0 and self.urls[index][1] > candidate.start

    def _judge(self, c: _Candidate, previous: _Found | None) -> _Found | None:
        """Accept one candidate as a dnr, with its board and relation, or refuse it.
        ``previous`` is the last accepted number, which this one may continue as a list."""
        text = self.text
        groups = c.groups
        before = text[max(0, c.start - 80) : c.start]
        if _NOT_DNR_BEFORE.search(before):
            return None
        keyword = bool(_KEYWORD_BEFORE.search(before))
        listed = (
            previous is not None
            and c.start - previous.match.end <= 30
            and _LIST_GLUE.fullmatch(text, previous.match.end, c.start) is not None
        )
        prefix_text = groups.get("prefix")
        known_board = None
        if prefix_text is not None:
            known_board = self.catalogue.by_prefix.get(prefix_text.upper())
            # Trafikkontoret's shape is distinctive enough on its own, whatever the catalogue.
            unknown = known_board is None and c.family.name != TRAFIK
            if unknown and not self._unknown_prefix_ok(c, keyword or listed):
                return None
        sep = groups.get("sep")
        if sep is not None and re.fullmatch(_DASH, sep):
            sep = "-"
        dnr = _make_dnr(c.family, groups, sep=sep, keyword=keyword)
        if dnr is None:
            return None

        table_prefix = None
        needs_context = c.family.needs_context and (
            prefix_text is None or (known_board is None and c.family.name == NUMBER_YEAR)
        )
        if c.family.name == CLASS_NUMBER_YY:
            needs_context = True
        if needs_context and not (keyword or listed):
            table = self._table_context(c)
            if table is None:
                return None
            table_prefix = table or None
        if c.family.name == PREFIX and prefix_text is None and not keyword and not listed:
            if sep in (":", "."):
                return None

        board, label = self._attribute(
            c, dnr, known_board, previous if listed else None, table_prefix
        )
        if dnr.family in (PREFIX, NUMBER_YEAR) and dnr.prefix is None:
            inherited = (
                previous.match.dnr.prefix
                if listed and previous is not None and previous.match.dnr.family == dnr.family
                else None
            )
            prefix = inherited or table_prefix or _series_prefix(board, dnr.family)
            if prefix:
                dnr = replace(dnr, prefix=prefix)

        relation = self._relation(c.start)
        if relation is None and listed and previous is not None:
            relation = previous.match.relation
        match = DnrMatch(text[c.start : c.end], c.start, c.end, dnr, label, relation)
        return _Found(match, board, label)

    def _attribute(
        self,
        c: _Candidate,
        dnr: Dnr,
        known_board: BoardInfo | None,
        list_head: _Found | None,
        table_prefix: str | None,
    ) -> tuple[BoardInfo | None, str | None]:
        """Whose number it is, strongest evidence first: a known prefix; a board (or an
        outside authority) named right before it; the list it continues; the table row's
        prefix; a form only one board uses; the document's own board."""
        if known_board is not None:
            return known_board, known_board.short_name
        named = self._named_board(c.start)
        if named is _OUTSIDE:
            return None, None
        if named is not None:
            return named, named.short_name
        if c.groups.get("prefix") is not None and c.family.name != TRAFIK:
            return None, None  # an unknown prefix ("VH", another municipality's "BUN")
        if list_head is not None and list_head.label is not None:
            # Only a list of one form: "HV 2019/272, 2019/259" but not "…, 3.1.1-12/2018".
            if list_head.match.dnr.family == dnr.family:
                return list_head.board, list_head.label
        if table_prefix is not None:
            board = self.catalogue.by_prefix.get(table_prefix)
            return board, board.short_name if board else None
        return self._default_board(dnr)

    def _unknown_prefix_ok(self, c: _Candidate, vouched: bool) -> bool:
        """A word in front of a year is only a board prefix when it looks like one: 2–5
        capitals (or "Kst", "Bn" next to a dnr word), not a legal series, on the same line,
        and not a school year, month or period."""
        prefix = c.groups["prefix"] or ""
        capitals = prefix.isupper() and 2 <= len(prefix) <= 5
        titled = vouched and prefix[:1].isupper() and 2 <= len(prefix) <= 4
        if not (capitals or titled) or prefix.upper() in NOT_PREFIXES:
            return False
        if "\n" in (c.groups.get("psep") or ""):
            return False
        if c.family.name != PREFIX:
            return vouched
        sep = c.groups.get("sep") or ""
        number = c.groups.get("number") or ""
        year = int(c.groups.get("year") or 0)
        if sep == ":" and not vouched and (c.groups.get("psep") or "").strip() not in ("/", "-"):
            return False  # "MÖD 2019:12" style court and series references
        if sep == "/" and not vouched:
            if len(number) == 2 and int(number) == (year + 1) % 100:
                return False  # "VT 2019/20": a school year
            if number.isdigit() and int(number) == year + 1:
                return False
        if sep not in ("/", ":", ".") and not vouched:
            if len(number) <= 2 and int(number) <= 12:
                return False  # "ABC 2019-05": a month
            if _looks_like_year(number):
                return False  # "LSS 2019-2022": a period
        return True

    def _table_context(self, c: _Candidate) -> str | None:
        """For a bare number starting a line: "" when a dnr column header stands above it,
        the prefix when the row's previous line starts with a known prefix (OCR splits
        "HV | 2019/148" over two lines), None otherwise."""
        text = self.text
        line_start = text.rfind("\n", 0, c.start) + 1
        if text[line_start : c.start].strip(" \t|") != "":
            return None
        lines = text[max(0, line_start - 1500) : max(0, line_start - 1)].split("\n")[-15:]
        non_blank = [line for line in lines if line.strip()]
        if non_blank:
            orphan = _ORPHAN_PREFIX.match(non_blank[-1])
            if orphan and orphan.group("prefix") in self.catalogue.by_prefix:
                return orphan.group("prefix")
        if any(_TABLE_HEADER.match(line) for line in lines):
            return ""
        return None

    def _named_board(self, start: int) -> BoardInfo | None:
        """The board named right before the number: "Remiss från kommunstyrelsen, dnr",
        "Trafiknämndens dnr", "Socialförvaltningens diarienummer"."""
        window_start = max(0, start - 90)
        named: list[tuple[int, BoardInfo | None]] = []
        if self.catalogue.names is not None:
            for m in self.catalogue.names.finditer(self.text, window_start, start):
                if _BOARD_GLUE.fullmatch(self.text, m.end(), start):
                    group = next(k for k, v in m.groupdict().items() if v is not None)
                    named.append((m.start(), self.catalogue.name_board[group]))
        for m in _OUTSIDE_NAMES.finditer(self.text, window_start, start):
            if _BOARD_GLUE.fullmatch(self.text, m.end(), start):
                named.append((m.start(), _OUTSIDE))
        # The nearest name wins: "Remiss från Socialstyrelsen till kommunstyrelsen, dnr …".
        return max(named, key=lambda item: item[0])[1] if named else None

    def _default_board(self, dnr: Dnr) -> tuple[BoardInfo | None, str | None]:
        own = self.own_board
        owner = self.catalogue.family_owner.get(dnr.family)
        if not self.foreign and owner is not None:
            # A form only one board uses is that board's, unless the document's own board
            # uses it too (or we know nothing of the document's board's forms).
            if own is None or (own.formats and dnr.family not in own.formats):
                return owner, owner.short_name
        return own, self.own_label

    def _relation(self, start: int) -> str | None:
        """What the sentence says the number is to this document, from the nearest phrase in
        front of it within the same sentence (at most one line break away)."""
        window_start = max(0, start - 120)
        best = None
        for m in _RELATION.finditer(self.text, window_start, start):
            between = self.text[m.end() : start]
            if between.count("\n") > 1 or _SENTENCE_END.search(between) or len(between) > 90:
                continue
            best = m
        if best is None:
            return None
        index = int(best.lastgroup[1:]) if best.lastgroup else 0
        return RELATIONS[index][0]


def _glued(text: str, position: int) -> bool:
    """Is the character before ``position`` part of a word (so the digits cannot stand alone)?"""
    return position > 0 and (text[position - 1].isalnum() or text[position - 1] == "_")


def _series_prefix(board: BoardInfo | None, family_name: str) -> str | None:
    """The prefix a board's numbers carry when written without it, if the board writes its
    numbers with a prefix in this family at all (Trafikkontoret's "T" is another form)."""
    if board is None or not board.prefixes:
        return None
    if board.formats and family_name not in board.formats:
        return None
    return board.prefixes[0].upper()

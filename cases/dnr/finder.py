"""Finding every dnr in running text, with its owner and its relation to the document."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from .anchored import read_after_keywords
from .boards import (
    EXTERNAL_BODIES,
    EXTERNAL_BY_SHORT_NAME,
    STOCKHOLM_BOARDS,
    BoardInfo,
    _Catalogue,
    _catalogue,
    _fold,
)
from .families import (
    CLASS_NUMBER_YY,
    FAMILIES,
    FAMILIES_BY_NAME,
    NOT_PREFIXES,
    NUMBER_YEAR,
    PREFIX,
    TRAFIK,
    FormatFamily,
)
from .grammar import _COMPILED, _DASH, Dnr, _looks_like_year, _make_dnr
from .words import (
    _BOARD_GLUE,
    _DNR_WORD,
    _KEYWORD_BEFORE,
    _LIST_GLUE,
    _NOT_DNR_BEFORE,
    _ORPHAN_PREFIX,
    _RELATION,
    _SENTENCE_END,
    _TABLE_HEADER,
    _URL,
    RELATIONS,
)


@dataclass(frozen=True)
class DnrMatch:
    """A dnr found in text; ``text[start:end] == raw``."""

    raw: str
    start: int
    end: int
    dnr: Dnr
    board: str | None
    relation: str | None


# A board's code right before a number of a form without prefix ("KS 331-159/2013").
_LEAD_BEFORE = re.compile(r"(?<![\w/\-])(?P<code>[A-ZÅÄÖ]{2,5})[ \t]?[-\u2010-\u2015]?[ \t]?$")
# Where a number of some family can start: digits after a non-digit, or a word of at most six
# letters (a prefix) right before such digits.
_DIGITS_START = re.compile(r"(?<![0-9])[0-9]")
_JOINED_DIGITS = re.compile(
    r"[0-9]+(?:\.[0-9]+)*\.?[ \t\u00a0\u2007\u202f]*(?:\r?\n[ \t\u00a0\u2007\u202f]*)?"
    r"[-/:.\u2010-\u2015\u2212\ufe63\uff0d]"
)
_SPACE = r"[ \t\u00a0\u2007\u202f]"
_PREFIX_TAIL = re.compile(
    rf"(?<![\w/\-\u2010-\u2015])[^\W\d_]{{1,6}}{_SPACE}*"
    rf"(?:[-/\u2010-\u2015]{_SPACE}*|\r?\n{_SPACE}*)?\Z"
)
# The run of characters a URL is made of, after a candidate.
_TOKEN_HEAD = re.compile(r'[^\s<>"]{0,500}')
# A line that holds nothing before the number but the dnr word.
_OWN_LINE = re.compile(rf"[ \t(]*(?:{_DNR_WORD})[ \t]*\.?[ \t]*:?[ \t]*", re.IGNORECASE)
# A board's code before the dnr word: "KS dnr 2019/12", "SBN dnr: …".
_CODE_BEFORE_KEYWORD = re.compile(
    rf"(?<![\w])(?P<code>[A-ZÅÄÖ]{{2,5}})[ \t]+(?:{_DNR_WORD})[ \t]*\.?[ \t]*:?[ \t]*$",
    re.IGNORECASE,
)

# The names of the outside bodies, for callers that list them.
OUTSIDE_AUTHORITIES = tuple(form for body in EXTERNAL_BODIES for form in body.forms)
# Any ministry ("Svar på remiss från Socialdepartementet") stands for the Government Offices.
_DEPARTMENT = re.compile(r"(?<!\w)\w+departement(?:et|ets)?", re.IGNORECASE)


@dataclass
class Candidate:
    start: int
    end: int
    family: FormatFamily | None
    groups: dict[str, str | None]
    # Read after a dnr word (``anchored.read_after_keywords``): the Dnr is already made.
    dnr: Dnr | None = None
    lead: str | None = None


@dataclass
class _Found:
    match: DnrMatch
    board: BoardInfo | None
    label: str | None
    # No prefix and no body named before it: the number shows the document's own series.
    plain: bool = False
    # Written with the document's own board's prefix ("HV 2019/272" in a HV text).
    marked: bool = False


def find_dnrs(
    text: str,
    *,
    board: str | None = None,
    boards: Iterable[BoardInfo] = STOCKHOLM_BOARDS,
) -> list[DnrMatch]:
    """Every dnr in ``text``, in order, with exact spans.

    ``board`` names the board whose document it is (short name, name or prefix): numbers
    without prefix and in classification forms are that board's unless the words around say
    otherwise ("Remiss från Kommunstyrelsen, dnr …", "Socialförvaltningens dnr …", "KS dnr
    …"), a prefix names another board, or the form is one only another body uses; but a
    number in the document's own series (a form its plain numbers use) stays the board's even
    after "Remiss från …". Bodies outside the city (``EXTERNAL_BODIES``) are always known.
    """
    if not text:
        return []
    boards = tuple(boards)
    known = {b.short_name for b in boards}
    boards += tuple(body for body in EXTERNAL_BODIES if body.short_name not in known)
    return _Finder(text, _catalogue(boards), board).run()


class _Finder:
    def __init__(self, text: str, catalogue: _Catalogue, board: str | None) -> None:
        self.text = text
        self.catalogue = catalogue
        self.own_board = catalogue.by_label.get(_fold(board)) if board else None
        # A board the catalogue does not describe (another municipality) keeps its label; the
        # catalogue's prefixes and family owners do not apply to its documents.
        self.own_label = self.own_board.short_name if self.own_board else board
        self.foreign = bool(board) and self.own_board is None
        self.url_tokens: dict[int, list[tuple[int, int]]] = {}
        self.own_series: set[str] = set()
        self.learnt: set[str] = set()

    def run(self) -> list[DnrMatch]:
        candidates = sorted(self._candidates(), key=lambda c: (c.start, c.start - c.end))
        # Families announced with a dnr word in this text vouch for bare numbers of the same
        # family; the families of its plain numbers are the document's own series.
        self.learnt = {_shape(self.text[c.start : c.end]) for c in candidates if c.dnr is not None}
        plain: dict[str, set[str]] = {}
        marked = False
        for found in self._scan(candidates, relations=False):
            if found.plain:
                plain.setdefault(found.match.dnr.family, set()).add(found.match.dnr.key)
            marked = marked or found.marked
        self.own_series = self._own_series(plain, marked)
        return [found.match for found in self._scan(candidates)]

    def _own_series(self, plain: dict[str, set[str]], marked: bool) -> set[str]:
        """The families of the document's own numbers. When the text marks the board's own
        numbers with its prefix ("HV 2019/272"), the board's known forms; otherwise the family
        most of its plain numbers (no prefix, no body named) use, if two different numbers
        show it or no other body owns the form."""
        own_board = self.own_board
        if marked and own_board is not None and own_board.formats:
            return {family for family in own_board.formats if family in plain}
        if not plain:
            return set()
        most = max(len(keys) for keys in plain.values())
        own = set()
        for family, keys in plain.items():
            owner = self.catalogue.family_owner.get(family)
            if owner is not None and owner.external:
                continue
            if len(keys) == most and (most > 1 or owner is None or owner is own_board):
                own.add(family)
        return own

    def _scan(self, candidates: list[Candidate], *, relations: bool = True) -> list[_Found]:
        accepted: list[_Found] = []
        last_end = -1
        for candidate in candidates:
            if candidate.start < last_end or self._in_url(candidate):
                continue
            found = self._judge(candidate, accepted[-1] if accepted else None, relations)
            if found is not None:
                accepted.append(found)
                last_end = found.match.end
        return accepted

    def _candidates(self) -> list[Candidate]:
        candidates = [
            Candidate(a.start, a.end, FAMILIES_BY_NAME.get(a.dnr.family), {}, a.dnr, a.lead)
            for a in read_after_keywords(self.text)
        ]
        # Every family's number starts at a run of digits or at a short word right before
        # digits (its prefix): try the families there only, not at every character.
        starts = []
        for m in _DIGITS_START.finditer(self.text):
            if _JOINED_DIGITS.match(self.text, m.start()) is None:
                continue  # a lone number ("2019", "12 kr"): no family is one group of digits
            prefix = _PREFIX_TAIL.search(self.text, max(0, m.start() - 24), m.start())
            if prefix is not None:
                starts.append(prefix.start())
            starts.append(m.start())
        for family in FAMILIES:
            pattern = _COMPILED[family.name][1]
            for position in starts:
                m = pattern.match(self.text, position)
                if m is None:
                    continue
                groups = m.groupdict()
                if groups.get("dot"):
                    groups["sep"] = "."
                candidates.append(Candidate(m.start(), m.end(), family, groups))
                # The prefix may be a false one ("EU 2016/679", "SOU 2018:47"): judge the rest
                # on its own too.
                if groups.get("prefix") is None or family.name == TRAFIK:
                    continue
                number_start = m.end("psep")
                if not _glued(self.text, number_start):
                    bare = dict(groups, prefix=None, psep=None)
                    candidates.append(Candidate(number_start, m.end(), family, bare))
        return candidates

    def _in_url(self, candidate: Candidate) -> bool:
        """Is the candidate part of a URL or e-mail address? Those never contain spaces, so
        only the run of non-space characters around the candidate is looked at."""
        text = self.text
        low = max(0, candidate.start - 500)
        start = max(text.rfind(ch, low, candidate.start) for ch in ' \t\n\r<>"\u00a0') + 1
        start = max(start, low)
        if start not in self.url_tokens:
            end = _TOKEN_HEAD.match(text, candidate.end).end()
            self.url_tokens[start] = [m.span() for m in _URL.finditer(text, start, end)]
        return any(a < candidate.end and b > candidate.start for a, b in self.url_tokens[start])

    def _judge(
        self, c: Candidate, previous: _Found | None, relations: bool = True
    ) -> _Found | None:
        """Accept one candidate as a dnr, with its board and relation, or refuse it.
        ``previous`` is the last accepted number, which this one may continue as a list."""
        text = self.text
        start, lead = self._lead_code(c)
        before = text[max(0, start - 80) : start]
        if _NOT_DNR_BEFORE.search(before):
            return None
        keyword = c.dnr is not None or bool(_KEYWORD_BEFORE.search(before))
        listed = (
            previous is not None
            and start - previous.match.end <= 30
            and _LIST_GLUE.fullmatch(text, previous.match.end, start) is not None
        )
        prefix_text = c.groups.get("prefix") or lead or (c.dnr.prefix if c.dnr else None)
        known_board = self.catalogue.by_prefix.get(prefix_text.upper()) if prefix_text else None
        if c.dnr is not None:
            dnr, table_prefix = c.dnr, None
        else:
            made = self._make_from_groups(c, start, known_board, vouched=(keyword, listed))
            if made is None:
                return None
            dnr, table_prefix = made

        named = self._named_board(start)
        list_head = previous if listed else None
        board, label = self._attribute(
            c, dnr, prefix_text, known_board, named, list_head, table_prefix
        )
        dnr = _with_series_prefix(dnr, board, list_head, table_prefix)
        relation = self._relation(start) if relations else None
        if relation is None and list_head is not None:
            relation = list_head.match.relation
        match = DnrMatch(text[start : c.end], start, c.end, dnr, label, relation)
        own_mark = known_board is not None and known_board is self.own_board
        plain = prefix_text is None and named is None
        return _Found(match, board, label, plain=plain, marked=own_mark)

    def _lead_code(self, c: Candidate) -> tuple[int, str | None]:
        """Where the candidate starts and the board code leading it: a board's code before a
        form without prefix counts ("remiss från KS, KS 331-159/2013")."""
        if c.dnr is None and c.family is not None and "prefix?" not in c.family.pieces:
            code = _LEAD_BEFORE.search(self.text, max(0, c.start - 8), c.start)
            if code and code.group("code") in self.catalogue.by_prefix:
                return code.start(), code.group("code")
        return c.start, c.lead

    def _make_from_groups(
        self,
        c: Candidate,
        start: int,
        known_board: BoardInfo | None,
        *,
        vouched: tuple[bool, bool],
    ) -> tuple[Dnr, str | None] | None:
        """The dnr a pattern match stands for, with the prefix its table row gives (if the
        number needed a table to vouch for it), or None when the match is no dnr.
        ``vouched`` says whether a dnr keyword comes before it and whether it continues a list."""
        keyword, listed = vouched
        family, groups = c.family, c.groups
        assert family is not None
        if groups.get("prefix") is not None and known_board is None:
            # Trafikkontoret's shape is distinctive enough on its own, whatever the catalogue.
            if family.name != TRAFIK and not self._unknown_prefix_ok(c, keyword or listed):
                return None
        sep = groups.get("sep")
        if sep is not None and re.fullmatch(_DASH, sep):
            sep = "-"
        dnr = _make_dnr(family, groups, sep=sep, keyword=keyword)
        if dnr is None:
            return None
        table_prefix = None
        # "KS 353/2008" is a § number that lost its sign unless a dnr word vouches for it.
        needs_context = family.needs_context and (
            groups.get("prefix") is None or family.name == NUMBER_YEAR
        )
        if family.name == CLASS_NUMBER_YY:
            needs_context = True
        learnt = _shape(self.text[start : c.end]) in self.learnt
        if needs_context and not (keyword or listed or learnt):
            table = self._table_context(c)
            if table is None:
                return None
            table_prefix = table or None
        if family.name == PREFIX and groups.get("prefix") is None and not (keyword or listed):
            if sep in (":", "."):
                return None
        return dnr, table_prefix

    def _attribute(
        self,
        c: Candidate,
        dnr: Dnr,
        prefix_text: str | None,
        known_board: BoardInfo | None,
        named: BoardInfo | None,
        list_head: _Found | None,
        table_prefix: str | None,
    ) -> tuple[BoardInfo | None, str | None]:
        """Whose number it is, strongest evidence first: a known prefix; the document's own
        series; a board (or an outside body) named right before it; the list it continues;
        the table row's prefix; a form only one body uses; the document's own board."""
        if known_board is not None and not self.foreign:
            return known_board, known_board.short_name
        own_series = prefix_text is None and dnr.family in self.own_series
        if named is not None and not own_series and not self._own_line(c.start):
            return named, named.short_name
        if c.lead is not None and known_board is None and not self.foreign:
            pass  # a series code ("SSA 1.6-111181/12"): the number's form decides
        elif prefix_text is not None and (c.family is None or c.family.name != TRAFIK):
            if self.foreign:
                return None, self.own_label  # another municipality's own "KS", "BUN"
            return None, None  # an unknown prefix ("VH", "SSA")
        if list_head is not None and list_head.label is not None:
            # Only a list of one form: "HV 2019/272, 2019/259" but not "…, 3.1.1-12/2018".
            if list_head.match.dnr.family == dnr.family:
                return list_head.board, list_head.label
        if table_prefix is not None:
            board = self.catalogue.by_prefix.get(table_prefix)
            return board, board.short_name if board else None
        return self._default_board(dnr, own_series)

    def _unknown_prefix_ok(self, c: Candidate, vouched: bool) -> bool:
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

    def _table_context(self, c: Candidate) -> str | None:
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

    def _named_board(self, start: int, window_start: int = 0) -> BoardInfo | None:
        """The body named right before the number: "Remiss från kommunstyrelsen, dnr",
        "Trafiknämndens dnr", "Socialförvaltningens diarienummer", "KS dnr", "Begäran från
        Länsstyrelsen, dnr"."""
        window_start = max(window_start, start - 90)
        named: list[tuple[int, BoardInfo | None]] = []
        if self.catalogue.names is not None:
            for m in self.catalogue.names.finditer(self.text, window_start, start):
                if _BOARD_GLUE.fullmatch(self.text, m.end(), start):
                    group = next(k for k, v in m.groupdict().items() if v is not None)
                    named.append((m.start(), self.catalogue.name_board[group]))
        for m in _DEPARTMENT.finditer(self.text, window_start, start):
            if _BOARD_GLUE.fullmatch(self.text, m.end(), start):
                named.append((m.start(), EXTERNAL_BY_SHORT_NAME["Regeringskansliet"]))
        code = _CODE_BEFORE_KEYWORD.search(self.text, max(0, start - 30), start)
        if code and code.group("code") in self.catalogue.by_prefix and not self.foreign:
            named.append((code.start(), self.catalogue.by_prefix[code.group("code")]))
        # The nearest name wins: "Remiss från Socialstyrelsen till kommunstyrelsen, dnr …".
        return max(named, key=lambda item: item[0])[1] if named else None

    def _own_line(self, start: int) -> bool:
        """Is the number on a line of its own after the dnr word, with the body named on an
        earlier line? That is the layout of the document's own number under "Remiss från
        kommunstyrelsen"."""
        line_start = self.text.rfind("\n", 0, start) + 1
        if not _OWN_LINE.fullmatch(self.text, line_start, start):
            return False
        return line_start > 0 and self._named_board(start, line_start) is None

    def _default_board(self, dnr: Dnr, own_series: bool) -> tuple[BoardInfo | None, str | None]:
        own = self.own_board
        owner = self.catalogue.family_owner.get(dnr.family)
        if not self.foreign and not own_series and owner is not None:
            # A form only one body uses is that body's, unless the document's own board uses
            # it too (or we know nothing of the document's board's forms).
            if own is None or owner.external or (own.formats and dnr.family not in own.formats):
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


def _shape(raw: str) -> str:
    """A number's shape: a year as Y, other runs of digits as 9, letters as A, separators
    kept without spaces ("2019/272" and "2019/12" share "Y/9"; "110/2049" is "9/Y")."""
    shape = re.sub(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])", "Y", raw)
    shape = re.sub(r"[0-9]+", "9", shape)
    shape = re.sub(r"[^\W\d_]+", "A", shape)
    return re.sub(r"\s+", "", shape)


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


def _with_series_prefix(
    dnr: Dnr, board: BoardInfo | None, list_head: _Found | None, table_prefix: str | None
) -> Dnr:
    """A number written without its prefix gets one: the prefix of the list it continues
    (same form), else its table row's, else its board's series prefix."""
    if dnr.family not in (PREFIX, NUMBER_YEAR) or dnr.prefix is not None:
        return dnr
    inherited = (
        list_head.match.dnr.prefix
        if list_head is not None and list_head.match.dnr.family == dnr.family
        else None
    )
    prefix = inherited or table_prefix or _series_prefix(board, dnr.family)
    return replace(dnr, prefix=prefix) if prefix else dnr

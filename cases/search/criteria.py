"""What a search asks: the filters, the sort, and a query that is a diarienummer (it
becomes a filter on that number's cases and the documents citing them, not words).
"""

import dataclasses
import datetime
from dataclasses import dataclass

from .. import dnr as dnrlib
from ..models import Board
from ..queries import known_prefixes, looks_like_dnr, lookup_dnr, typed_dnr

SORT_RELEVANCE = "relevans"


SORT_NEWEST = "nyast"


SORT_OLDEST = "aldst"


SORTS = {SORT_RELEVANCE: "Relevans", SORT_NEWEST: "Nyast först", SORT_OLDEST: "Äldst först"}


@dataclass(frozen=True)
class DnrTarget:
    """A query that is a diarienummer: the cases with that number and the keys it is
    written with. Its hits are the documents of those cases and the documents that refer to
    them (the Reference rows the dnr engine read from the texts), not a phrase of digits."""

    case_ids: tuple[int, ...]
    keys: tuple[str, ...]


@dataclass
class SearchFilters:
    board: Board | None = None
    kind: str = ""
    status: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    dnr: DnrTarget | None = None  # set by the search itself for a dnr-shaped query

    @property
    def active(self) -> bool:
        return bool(self.board or self.kind or self.status or self.date_from or self.date_to)

    def without_user_filters(self) -> "SearchFilters":
        return SearchFilters(dnr=self.dnr)


def resolve_dnr_query(query: str, filters: SearchFilters) -> tuple[str, SearchFilters]:
    """A dnr-shaped query becomes a DnrTarget filter and no words: searching "2019/1" as the
    words 2019 and 1 is slow (every document has them) and finds the wrong things. A number
    with a prefix before or after words ("HV 2019/272 ängsmark") searches the words among
    that number's documents."""
    number, words = query, ""
    if not looks_like_dnr(query):
        number, words = split_dnr(query)
        if not number:
            return query, filters
    lookup = lookup_dnr(number)
    if not lookup.cases and (lookup.parsed.prefix or "") not in known_prefixes() | {""}:
        # "handlingsplan 2019-2022" has the shape of a number of an unknown series: words
        return query, filters
    keys = {lookup.parsed.case_dnr.key}
    keys.update(case.dnr_key for case in lookup.cases)
    target = DnrTarget(tuple(case.pk for case in lookup.cases), tuple(sorted(keys)))
    return words, dataclasses.replace(filters, dnr=target)


def split_dnr(query: str) -> tuple[str, str]:
    """A number with a prefix at the start or the end of a query of words, and the words;
    ("", query) when there is none."""
    tokens = query.split()
    known = None
    for size in (4, 3, 2, 1):
        if len(tokens) <= size:
            continue
        for number, words in (
            (tokens[:size], tokens[size:]),
            (tokens[-size:], tokens[:-size]),
        ):
            text = " ".join(number)
            parsed = dnrlib.try_parse_dnr(typed_dnr(text)) if looks_like_dnr(text) else None
            if parsed is None or not parsed.prefix:
                continue
            known = known_prefixes() if known is None else known
            if parsed.prefix in known:  # "handlingsplanen 2019-2022" is words
                return text, " ".join(words)
    return "", query


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool

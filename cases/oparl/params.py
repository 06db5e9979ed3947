"""The query parameters of the API's lists, checked: a bad value is a 400 with a message."""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
DATE_FILTERS = ("created_since", "created_until", "modified_since", "modified_until")
_CURSOR = re.compile(r"(?P<prefix>[a-z]*)(?P<pk>[0-9]{1,18})")


class ApiError(Exception):
    """A request the API answers with an OParl error object instead of data."""

    def __init__(self, status: int, message: str, debug: str = ""):
        super().__init__(message)
        self.status = status
        self.message = message
        self.debug = debug


@dataclass(frozen=True)
class Cursor:
    prefix: str
    pk: int

    def __str__(self) -> str:
        return f"{self.prefix}{self.pk}"


@dataclass(frozen=True)
class ListParams:
    limit: int
    after: Cursor | None
    # (parameter, moment) for each date filter given, in DATE_FILTERS order
    dates: tuple[tuple[str, datetime.datetime], ...]
    # the filter values as they were given, carried into the list's links
    carried: tuple[tuple[str, str], ...]

    @property
    def with_deleted(self) -> bool:
        """Deleted objects are shown only to a client asking for changes (OParl 1.1, 2.8)."""
        return any(name == "modified_since" for name, _ in self.dates)


def parse_list_params(query) -> ListParams:
    """Read ``limit`` (or OParl's ``elementsPerPage``), ``after`` (the paging cursor) and
    the four date filters from a QueryDict."""
    carried = []
    limit = DEFAULT_LIMIT
    for name in ("elementsPerPage", "limit"):
        raw = query.get(name)
        if raw is None:
            continue
        limit = _parse_limit(name, raw)
        carried = [(n, v) for n, v in carried if n not in ("limit", "elementsPerPage")]
        carried.append((name, str(limit)))
    dates = []
    for name in DATE_FILTERS:
        raw = query.get(name)
        if raw is None:
            continue
        moment, text = _parse_moment(name, raw)
        dates.append((name, moment))
        carried.append((name, text))
    after = _parse_cursor(query.get("after"))
    return ListParams(limit=limit, after=after, dates=tuple(dates), carried=tuple(carried))


def _parse_limit(name: str, raw: str) -> int:
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        raise ApiError(400, f"{name} ska vara ett heltal mellan 1 och {MAX_LIMIT}.", repr(raw))
    value = int(raw)
    if not 1 <= value <= MAX_LIMIT:
        raise ApiError(400, f"{name} ska vara ett heltal mellan 1 och {MAX_LIMIT}.", repr(raw))
    return value


def _parse_moment(name: str, raw: str) -> tuple[datetime.datetime, str]:
    """An ISO 8601 date-time (a date means its midnight in Stockholm). A '+' in the offset
    that reached us as a space (an unencoded query string) is read as the '+' it was."""
    text = raw.strip()
    if re.fullmatch(r".*T[0-9:.]+ [0-9]{2}(:?[0-9]{2})?", text):
        text = text[: text.rindex(" ")] + "+" + text[text.rindex(" ") + 1 :]
    moment = None
    try:
        moment = parse_datetime(text.upper())
        if moment is None and (day := parse_date(text)) is not None:
            moment = datetime.datetime.combine(day, datetime.time())
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise ApiError(
            400,
            f"{name} ska vara en tidpunkt enligt ISO 8601, t.ex. 2019-08-29T00:00:00+02:00.",
            repr(raw),
        )
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=timezone.get_default_timezone())
    return _within_register(moment), text


def _within_register(moment: datetime.datetime) -> datetime.datetime:
    """Moments far outside the register's life filter the same as its edges; clamping keeps
    year 1 or 9999 with any offset from overflowing when PostgreSQL gets it in UTC."""
    naive = moment.replace(tzinfo=None) - (moment.utcoffset() or datetime.timedelta())
    naive = min(max(naive, _EARLIEST), _LATEST)
    return naive.replace(tzinfo=datetime.UTC)


_EARLIEST = datetime.datetime(1800, 1, 1)
_LATEST = datetime.datetime(2300, 1, 1)


def _parse_cursor(raw: str | None) -> Cursor | None:
    if raw is None:
        return None
    match = _CURSOR.fullmatch(raw)
    if match is None:
        raise ApiError(400, "after ska vara en adress ur listans länkar (links.next).", repr(raw))
    return Cursor(prefix=match["prefix"], pk=int(match["pk"]))

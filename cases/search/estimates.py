"""Honest estimates of a result's size beyond what is counted exactly.

A search counts its newest (or oldest) N matches; when there are more, the matches are
assumed to be spread over the dates like the table's entries are, read from the planner's
statistics of the date column (most common values and histogram: no table scan). The
estimate is rounded to two significant figures and shown as one ("cirka 54 000").
"""

import datetime
import time

from portal.db_router import read_connection as connection


def estimate_total(
    counted: int, last_date: datetime.date | None, *, table: str, oldest: bool = False
) -> int | None:
    """How many match in all, from the ``counted`` newest (oldest) matches back to
    ``last_date``: counted / the share of the entries dated on or after (before) that date, rounded to two significant figures, never less than what was counted; None
    without statistics."""
    share = _date_share(table, last_date, after=not oldest) if last_date else None
    if not share:
        return None
    estimate = counted / share
    return max(counted, round_estimate(estimate))


def round_estimate(value: float) -> int:
    """Two significant figures: 53 812 -> 54 000, 12 345 -> 12 000."""
    value = int(round(value))
    digits = len(str(value))
    unit = 10 ** max(0, digits - 2)
    return int(round(value / unit) * unit)


def _date_share(table: str, day: datetime.date, *, after: bool) -> float | None:
    """The share of the entries of ``table`` dated on or after (before) ``day``, from the
    planner's statistics of the date column (its most common values and the histogram of
    the rest): no table scan."""
    row = _date_statistics(table)
    if row is None:
        return None
    common, frequencies, histogram = row
    common = _dates(common)
    frequencies = list(frequencies or [])
    bounds = _dates(histogram)
    later = sum(f for value, f in zip(common, frequencies, strict=False) if value >= day)
    rest = 1 - sum(frequencies)
    if len(bounds) >= 2 and rest > 0:
        buckets = len(bounds) - 1
        part = 0.0
        for low, high in zip(bounds, bounds[1:], strict=False):
            if low >= day:
                part += 1
            elif low < day <= high:
                # the bucket that holds the day counts by the part of it after the day
                part += (high - day).days / max(1, (high - low).days)
        later += rest * part / buckets
    elif not common:
        return None
    share = later if after else 1 - later
    return share if share > 0 else None


# The statistics change only when the table is analysed: each process reads them at most
# once a minute per database and table (pg_stats is a view over several catalogs).
STATISTICS_TTL_SECONDS = 60
_statistics_cache: dict[tuple, tuple[float, tuple | None]] = {}


def _date_statistics(table: str) -> tuple | None:
    key = (connection.alias, connection.settings_dict["NAME"], table)
    now = time.monotonic()
    cached = _statistics_cache.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_vals::text, most_common_freqs, histogram_bounds::text "
            "FROM pg_stats WHERE schemaname = current_schema() "
            "AND tablename = %s AND attname = 'date'",
            [table],
        )
        row = cursor.fetchone()
    _statistics_cache[key] = (now + STATISTICS_TTL_SECONDS, row)
    return row


def _dates(text: str | None) -> list[datetime.date]:
    dates = []
    for value in (text or "").strip("{}").split(","):
        try:
            dates.append(datetime.date.fromisoformat(value.strip('"')))
        except ValueError:
            continue
    return dates

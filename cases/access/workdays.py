"""Swedish working days, for "answered within one working day" (JO: skyndsamt, a day or so).

Pure Python. A working day is Monday to Friday that is not a helgdag (lag 1989:253) and not
one of the eves the municipality closes on (julafton, nyårsafton, midsommarafton).
"""

import datetime
from functools import cache


def easter_sunday(year: int) -> datetime.date:
    """Gregorian Easter (the anonymous algorithm in Meeus, Astronomical Algorithms)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


@cache
def days_off(year: int) -> frozenset[datetime.date]:
    """Weekday holidays and eves of ``year`` (weekends are off anyway)."""
    easter = easter_sunday(year)
    midsummer_eve = next(
        datetime.date(year, 6, day)
        for day in range(19, 26)
        if datetime.date(year, 6, day).weekday() == 4
    )
    return frozenset(
        {
            datetime.date(year, 1, 1),  # nyårsdagen
            datetime.date(year, 1, 6),  # trettondedag jul
            easter - datetime.timedelta(days=2),  # långfredagen
            easter + datetime.timedelta(days=1),  # annandag påsk
            datetime.date(year, 5, 1),  # första maj
            easter + datetime.timedelta(days=39),  # Kristi himmelsfärds dag
            datetime.date(year, 6, 6),  # nationaldagen
            midsummer_eve,
            datetime.date(year, 12, 24),  # julafton
            datetime.date(year, 12, 25),  # juldagen
            datetime.date(year, 12, 26),  # annandag jul
            datetime.date(year, 12, 31),  # nyårsafton
        }
    )


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in days_off(day.year)


def next_working_day(day: datetime.date) -> datetime.date:
    """The first working day after ``day``."""
    day += datetime.timedelta(days=1)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day

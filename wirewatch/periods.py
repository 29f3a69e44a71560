"""Date periods named by TIMEX values: the first and last day each covers.

Shared by the time stage (event dates, ``is_historical``), the store (``date_start``/``date_end``
columns) and the query filters.
"""

from __future__ import annotations

import re
from datetime import date, timedelta


def period_end(value: str) -> date | None:
    """The last day of the period a TIMEX date value names (``2014-10`` -> 2014-10-31)."""
    bounds = period_bounds(value)
    return bounds[1] if bounds else None


_SUBYEAR = {  # (first month, first day, last month, last day) of quarters, halves, seasons
    "Q1": (1, 1, 3, 31), "Q2": (4, 1, 6, 30), "Q3": (7, 1, 9, 30), "Q4": (10, 1, 12, 31),
    "H1": (1, 1, 6, 30), "H2": (7, 1, 12, 31), "SP": (3, 1, 5, 31), "SU": (6, 1, 8, 31), "FA": (9, 1, 11, 30),
}


def period_bounds(value: str | None) -> tuple[date, date] | None:
    """First and last day of the period a TIMEX date value names, or None.

    Days, ISO weeks (``2015-W06``; ``2015-W06-WE`` is that Saturday and Sunday), months, years,
    quarters/halves/seasons (``2014-Q1``, ``2014-H1``, ``2014-SU``; winter ``2014-WI`` runs
    2014-12-01..2015-02-28/29), decades (``199X``) and centuries (``19XX``).
    """
    if not value:
        return None
    try:
        if m := re.match(r"^(\d{4})-(\d{2})-(\d{2})", value):
            d = date(int(m[1]), int(m[2]), int(m[3]))
            return d, d
        if m := re.match(r"^(\d{4})-W(\d{2})(-WE)?$", value):
            monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return (monday + timedelta(days=5) if m[3] else monday), monday + timedelta(days=6)
        if m := re.match(r"^(\d{4})-(\d{2})$", value):
            y, mo = int(m[1]), int(m[2])
            nxt = date(y + mo // 12, mo % 12 + 1, 1)
            return date(y, mo, 1), nxt - timedelta(days=1)
        if m := re.match(r"^(\d{4})$", value):
            return date(int(m[1]), 1, 1), date(int(m[1]), 12, 31)
        if m := re.match(r"^(\d{4})-(Q[1-4]|H[12]|SP|SU|FA|WI)$", value):
            y = int(m[1])
            if m[2] == "WI":
                return date(y, 12, 1), date(y + 1, 3, 1) - timedelta(days=1)
            m1, d1, m2, d2 = _SUBYEAR[m[2]]
            return date(y, m1, d1), date(y, m2, d2)
        if m := re.match(r"^(\d{3})X$", value):
            y = int(m[1]) * 10
            return date(max(y, 1), 1, 1), date(y + 9, 12, 31)
        if m := re.match(r"^(\d{2})XX$", value):
            y = int(m[1]) * 100
            return date(max(y, 1), 1, 1), date(y + 99, 12, 31)
    except ValueError:
        return None
    return None

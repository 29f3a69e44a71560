"""dateparser as a second opinion for date phrases the rule grammar does not cover.

dateparser is slow (tens of ms for a miss) and over-eager ("100 days" becomes a date 100 days ago,
"the 1990s" becomes "1990 seconds ago"), so :class:`~wirewatch.temporal.tagger.TimeTagger` calls it
only for spaCy DATE entities that the grammar did not match and that contain a digit or a month or
weekday name, and the result is cached.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from wirewatch.temporal.grammar import iso_week

_GATE = re.compile(
    r"\d|\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|satur|sun)(?:day)?)\b",
    re.I,
)
# what dateparser must never see: durations, decades, vague references
_REJECT = re.compile(
    r"^\s*\d{1,3}\s*$"  # "89" (an age) would come back as the year 1989
    r"|^\s*(?:more than|less than|about|nearly|almost|some|over|under|at least|up to)\b|\d0'?s\b"
    r"|\b(?:second|minute|hour|day|week|month|year|decade)s?\b(?!\s+(?:ago|earlier|later))",
    re.I,
)
_LEADING = re.compile(r"^(?:(?:on|in|at|by|since|from|until|of|the|earlier|later)\s+)+", re.I)


@lru_cache(maxsize=8)
def _parser(prefer: str, base: datetime | None) -> Any:
    from dateparser.date import DateDataParser

    settings: dict[str, Any] = {
        "PREFER_DATES_FROM": prefer,
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_TIME_AS_PERIOD": True,
        "STRICT_PARSING": False,
    }
    if base is not None:
        settings["RELATIVE_BASE"] = base
    return DateDataParser(languages=["en"], settings=settings)


def gate(text: str) -> bool:
    """Whether a phrase is worth sending to dateparser at all."""
    return bool(_GATE.search(text)) and not _REJECT.search(text)


@lru_cache(maxsize=4096)
def parse_date(text: str, published: date | None, future: bool = False) -> tuple[str, str] | None:
    """``(value, precision)`` for a date phrase via dateparser, or None.

    Without a publication date only phrases that name a year are accepted (dateparser would
    otherwise resolve against today's clock).
    """
    phrase = _LEADING.sub("", text).strip()
    if not phrase or not gate(phrase):
        return None
    if published is None and not re.search(r"\b(?:1[89]|20)\d\d\b", phrase):
        return None
    base = datetime(published.year, published.month, published.day) if published else None
    data = _parser("future" if future else "past", base).get_date_data(phrase)
    if data is None or data.date_obj is None:
        return None
    d = data.date_obj.date()
    period = data.period or "day"
    if period == "year":
        return f"{d.year:04d}", "year"
    if period == "month":
        return f"{d.year:04d}-{d.month:02d}", "month"
    if period == "week":
        return iso_week(d), "week"
    return d.isoformat(), "day"

"""A fast rule-based recognizer and normaliser for English temporal expressions in news.

Each rule is a compiled regular expression whose named group ``t`` is the expression's extent
(TimeML-style: a leading preposition such as "on"/"in" is context, not part of the span) and a
handler that turns the match into ``(value, precision, kind)`` given a :class:`Context` (publication
date, tense, anaphoric reference day). Values follow TIMEX3/ISO 8601: ``2015-01-26`` (day),
``2015-W06`` (week), ``2015-01`` (month), ``2014`` (year), ``199X`` (decade), ``P100D`` (duration).
Relative expressions resolve only when a publication date is known; otherwise value and precision
are None. The module holds only pure functions over strings; :mod:`wirewatch.temporal.scanner` runs
the rules over a text and :mod:`wirewatch.temporal.tagger` adds spaCy (tense, entities) around them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

Result = tuple[str | None, str | None, str]  # value, precision, kind


@dataclass(frozen=True)
class Context:
    """What a handler may use: publication date, future tense, anaphoric reference day."""

    published: date | None
    future: bool = False
    ref: date | None = None  # the narrative day for "the next day", "two days later"


@dataclass(frozen=True)
class Match:
    """One recognised expression: ``text[start:end]`` and its normalisation."""

    start: int
    end: int
    rule: str
    value: str | None
    precision: str | None
    kind: str


MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "a hundred": 100, "one hundred": 100, "dozen": 12, "a dozen": 12,
    "a couple of": 2, "a couple": 2, "couple of": 2,
}
VAGUE_NUMBERS = ("a few", "few", "several", "many", "some", "dozens of", "hundreds of", "a number of")
UNIT_CODES = {
    "second": "TS", "minute": "TM", "hour": "TH", "day": "D", "week": "W", "fortnight": "2W",
    "month": "M", "year": "Y", "decade": "DE", "century": "CE", "centurie": "CE",
}
HOLIDAYS = {  # fixed-date holidays only; movable feasts (Easter, Ramadan, Eid) stay unresolved
    "new year's day": (1, 1), "new year's eve": (12, 31), "christmas eve": (12, 24),
    "christmas day": (12, 25), "christmas": (12, 25), "boxing day": (12, 26), "valentine's day": (2, 14),
    "halloween": (10, 31), "may day": (5, 1), "nowruz": (3, 21), "bastille day": (7, 14),
}
_MONTH_WORDS_BASE = frozenset(MONTHS) | {"sept"}
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": 4, "final": 4}
DECADE_WORDS = {
    "twenties": 2, "thirties": 3, "forties": 4, "fifties": 5, "sixties": 6, "seventies": 7,
    "eighties": 8, "nineties": 9,
}

# ---------------------------------------------------------------- regex pieces
def _after(words: str) -> str:
    """A lookbehind for "one of these words and a space" (Python lookbehinds must be fixed-width)."""
    return "(?:" + "|".join(rf"(?<=\b(?i:{w}) )" for w in words.split("|")) + ")"


_L = r"(?<![\w'’-])"  # left boundary
_R = r"(?!\w)"  # right boundary
_MONTH_FULL = r"(?:January|February|March|April|June|July|August|September|October|November|December)"
_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_MONTH_DAYABLE = rf"(?:{_MONTH_FULL}|May|{_MONTH_ABBR})"  # before/after a day number or a year
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
YEAR_PATTERN = _YEAR = r"(?:1[89]\d\d|20\d\d)"  # shared with the tagger's NAMED_YEAR
_NUMW = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six"
    r"|seven|eight|nine))?|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
    r"|one|two|three|four|five|six|seven|eight|nine|ten|(?:a |one )?hundred|a dozen|dozen"
    r"|a couple(?: of)?)"
)
_NUM_D = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|{_NUMW}|a few|few|several|many|dozens of|hundreds of)"
_NUM = rf"(?:{_NUM_D}|an?)"
# "a year" is a duration only after a word that makes it one ("for a year", "more than a year")
_A_DURATION = (
    "for|within|over|than|nearly|almost|about|around|after|in|only|just|lasted|lasting|last|spent|took|served"
)
_UNIT = r"(?:seconds?|minutes?|hours?|days?|weeks?|fortnights?|months?|years?|decades?|century|centuries)"
_UNIT1 = r"(?:second|minute|hour|day|week|fortnight|month|year|decade|century)"
_NUM_DUR = (
    rf"(?:{_NUM_D}|{_after(_A_DURATION)}an?|an?(?=\s+{_UNIT}\s+(?i:earlier|later|before|after|ahead)\b))"
)
_QMOD = (
    r"(?:more than|less than|fewer than|nearly|almost|about|around|some|at least|at most|over|under"
    r"|up to|roughly|approximately|only|just|barely|well over)"
)
_EDGE = r"(?:early|mid|late|the end of|the beginning of|the start of|the middle of"
_EDGE += r"|end-|mid-)"
_PART = r"(?:morning|afternoon|evening|night)"
_PREP = r"(?:in|on|since|until|till|by|of|during|from|to|through|before|after|between|and|or|last|next|this)"


def _rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


# ---------------------------------------------------------------- date arithmetic
def iso_week(d: date) -> str:
    """The ISO week of a day as a TIMEX value (``2015-W06``)."""
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def month_value(y: int, m: int) -> str:
    """``2014-10``."""
    return f"{y:04d}-{m:02d}"


def shift_months(y: int, m: int, delta: int) -> tuple[int, int]:
    """(year, month) ``delta`` months away."""
    n = y * 12 + (m - 1) + delta
    return n // 12, n % 12 + 1


def resolve_month(m: int, ctx: Context) -> str | None:
    """A month without a year: the latest such month not after publication (the next one if future)."""
    p = ctx.published
    if p is None:
        return None
    if ctx.future:
        return month_value(p.year if m >= p.month else p.year + 1, m)
    return month_value(p.year if m <= p.month else p.year - 1, m)


def resolve_month_day(m: int, d: int, ctx: Context) -> str | None:
    """A day without a year: the latest such day not after publication (the next one if future)."""
    p = ctx.published
    if p is None:
        return None
    step = 1 if ctx.future else -1
    for year in range(p.year, p.year + 8 * step, step):  # 8 years: February 29 needs a leap year
        try:
            cand = date(year, m, d)
        except ValueError:
            continue
        if (ctx.future and cand >= p) or (not ctx.future and cand <= p):
            return cand.isoformat()
    return None


def resolve_weekday(wd: int, ctx: Context, mod: str = "") -> str | None:
    """A weekday: the latest one on or before publication, the next one if future or ``next``."""
    p = ctx.published
    if p is None:
        return None
    if mod == "last":
        return (p - timedelta(days=(p.weekday() - wd - 1) % 7 + 1)).isoformat()
    if mod == "next":
        return (p + timedelta(days=(wd - p.weekday() - 1) % 7 + 1)).isoformat()
    if mod == "this":
        return (p + timedelta(days=wd - p.weekday())).isoformat()
    if ctx.future:
        return (p + timedelta(days=(wd - p.weekday()) % 7)).isoformat()
    return (p - timedelta(days=(p.weekday() - wd) % 7)).isoformat()


def number(text: str) -> float | None:
    """A count written in digits or words; None for vague counts ("several")."""
    t = text.lower().replace(",", "").strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", t):
        return float(t)
    if t in NUMBER_WORDS:
        return NUMBER_WORDS[t]
    parts = re.split(r"[- ]", t)
    if len(parts) == 2 and parts[0] in NUMBER_WORDS and parts[1] in NUMBER_WORDS:
        return NUMBER_WORDS[parts[0]] + NUMBER_WORDS[parts[1]]
    return None


def unit_code(text: str) -> str:
    """TIMEX unit code of a unit word ("days" -> "D", "hours" -> "TH")."""
    u = text.lower().rstrip(".")
    if u == "centuries":
        return "CE"
    return UNIT_CODES[u[:-1] if u.endswith("s") and u[:-1] in UNIT_CODES else u]


def duration_value(num: str | None, unit: str) -> str:
    """TIMEX duration: ``P100D``, ``PT3H``, ``PXY`` (vague count), ``P2W`` for a fortnight."""
    code = unit_code(unit)
    n = number(num) if num else 1.0
    if n is None:
        qty = "X"
    else:
        if code == "2W":
            n, code = n * 2, "W"
        elif code in ("DE", "CE"):  # TempEval-3 writes "a decade" as P10Y
            n, code = n * (10 if code == "DE" else 100), "Y"
        qty = str(int(n)) if float(n).is_integer() else str(n)
    if code.startswith("T"):
        return f"PT{qty}{code[1:]}"
    return f"P{qty}{code}"


def year_of(text: str) -> int:
    """A four-digit year."""
    return int(text)


def month_of(text: str) -> int:
    """Month number of a month name or abbreviation ("Sept." -> 9)."""
    return MONTHS[text.lower().rstrip(".")]


def day_of(text: str) -> int:
    """Day number of "26", "26th"."""
    return int(re.sub(r"\D", "", text))


def _ymd(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def shift(unit: str, n: int, base: date) -> tuple[str, str]:
    """``base`` moved by ``n`` units, at that unit's precision."""
    code = unit_code(unit)
    if code in ("D", "TH", "TM", "TS"):
        d = base + timedelta(days=n if code == "D" else 0)
        return d.isoformat(), "day"
    if code in ("W", "2W"):
        return iso_week(base + timedelta(weeks=n * (2 if code == "2W" else 1))), "week"
    if code == "M":
        y, m = shift_months(base.year, base.month, n)
        return month_value(y, m), "month"
    if code == "Y":
        return f"{base.year + n:04d}", "year"
    if code == "DE":
        return f"{(base.year + 10 * n) // 10:03d}X", "decade"
    return f"{(base.year + 100 * n) // 100:02d}XX", "decade"


# ---------------------------------------------------------------- handlers
def _h_full_date(m: re.Match[str], ctx: Context) -> Result:
    mon, day, year = month_of(m["mon"]), day_of(m["day"]), m["year"]
    if year:
        return _ymd(year_of(year), mon, day), "day", "date"
    if m["rel"]:
        rel_year = _relative_year(m, ctx)
        return (None, None, "date") if rel_year is None else (_ymd(rel_year, mon, day), "day", "date")
    v = resolve_month_day(mon, day, ctx)
    return v, ("day" if v else None), "date"


def _h_holiday(m: re.Match[str], ctx: Context) -> Result:
    mon, day = HOLIDAYS[re.sub(r"\s+", " ", m["name"].lower()).replace("’", "'")]
    if m["year"]:
        return _ymd(year_of(m["year"]), mon, day), "day", "date"
    v = resolve_month_day(mon, day, ctx)
    return v, ("day" if v else None), "date"


_DAY_RANGE_HEAD = re.compile(rf"(?P<mon>{_MONTH_DAYABLE})\s+(?:{_DAY})\s*[-–]$")


def _h_day_tail(m: re.Match[str], ctx: Context) -> Result:
    """The "5" of "March 3-5" (the scan keeps it only after "Month D-")."""
    head = _DAY_RANGE_HEAD.search(m.string, max(0, m.start("t") - 20), m.start("t"))
    if head is None:
        return None, None, "date"
    mon, day = month_of(head["mon"]), day_of(m["t"])
    if m["year"]:
        return _ymd(year_of(m["year"]), mon, day), "day", "date"
    v = resolve_month_day(mon, day, ctx)
    return v, ("day" if v else None), "date"


def _h_ordinal_day(m: re.Match[str], ctx: Context) -> Result:
    """"on the 26th": that day of the latest month (of the next one if future) holding it."""
    p = ctx.published
    if p is None:
        return None, None, "date"
    d = int(m["day"])
    y, mo = p.year, p.month
    for _ in range(3):
        v = _ymd(y, mo, d)
        if v and ((ctx.future and v >= p.isoformat()) or (not ctx.future and v <= p.isoformat())):
            return v, "day", "date"
        y, mo = shift_months(y, mo, 1 if ctx.future else -1)
    return None, None, "date"


def _h_iso(m: re.Match[str], ctx: Context) -> Result:
    v = _ymd(int(m["y"]), int(m["m"]), int(m["d"]))
    return v, ("day" if v else None), "date"


def _h_slash(m: re.Match[str], ctx: Context) -> Result:
    a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
    if y < 100:
        y += 2000 if y < 50 else 1900
    v = _ymd(y, a, b) or _ymd(y, b, a)  # US month/day first, else day/month
    return v, ("day" if v else None), "date"


def _h_month_year(m: re.Match[str], ctx: Context) -> Result:
    return month_value(year_of(m["year"]), month_of(m["mon"])), "month", "date"


def _relative_year(m: re.Match[str], ctx: Context) -> int | None:
    """The year that "last year" / "this year" / "next year" (group ``rel``) names; None unpublished."""
    if ctx.published is None:
        return None
    return ctx.published.year + {"last": -1, "this": 0, "next": 1}[m["rel"].lower()]


def _h_month_relyear(m: re.Match[str], ctx: Context) -> Result:
    """"January of last year", "March this year", "June next year"."""
    rel_year = _relative_year(m, ctx)
    if rel_year is None:
        return None, None, "date"
    return month_value(rel_year, month_of(m["mon"])), "month", "date"


def _h_month(m: re.Match[str], ctx: Context) -> Result:
    mon = month_of(m["mon"])
    rel = (m["rel"] or "").lower()
    p = ctx.published
    if rel and p is not None:
        if rel == "last":
            y = p.year if mon < p.month else p.year - 1
        elif rel == "next":
            y = p.year if mon > p.month else p.year + 1
        else:
            y = p.year
        return month_value(y, mon), "month", "date"
    v = resolve_month(mon, ctx)
    return v, ("month" if v else None), "date"


def _h_year(m: re.Match[str], ctx: Context) -> Result:
    return f"{year_of(m['year']):04d}", "year", "date"


def _h_year_tail(m: re.Match[str], ctx: Context) -> Result:
    """The "58" of "1957-58": the century of the year before the dash."""
    century = m.string[m.start("t") - 5 : m.start("t") - 3]
    return f"{century}{m['t']}", "year", "date"


def _h_century(m: re.Match[str], ctx: Context) -> Result:
    """"the 20th century" -> ``19XX`` (TIMEX "19"); PRECISIONS has no century, so precision None."""
    n = int(m["n"]) if m["n"] else {"nineteenth": 19, "twentieth": 20, "twenty-first": 21}[m["w"].lower()]
    return f"{n - 1:02d}XX", None, "date"


def _h_decade(m: re.Match[str], ctx: Context) -> Result:
    if m["dec4"]:
        return f"{m['dec4'][:3]}X", "decade", "date"
    if m["dec2"]:
        d = int(m["dec2"])
        return (f"19{d // 10}X" if d >= 20 else f"20{d // 10}X"), "decade", "date"
    return f"19{DECADE_WORDS[m['decw'].lower()]}X", "decade", "date"


def _h_weekday(m: re.Match[str], ctx: Context) -> Result:
    wd = WEEKDAYS[m["wd"].lower()]
    v = resolve_weekday(wd, ctx, (m["rel"] or "").lower())
    return v, ("day" if v else None), "date"


def _h_deictic(m: re.Match[str], ctx: Context) -> Result:
    p = ctx.published
    if p is None:
        return None, None, "date"
    w = m["t"].lower()
    if "day before yesterday" in w:
        d = p - timedelta(days=2)
    elif "day after tomorrow" in w:
        d = p + timedelta(days=2)
    elif w.startswith(("yesterday", "last night", "overnight")):
        d = p - timedelta(days=1)
    elif w.startswith("tomorrow"):
        d = p + timedelta(days=1)
    else:
        d = p  # today, tonight, this morning, now, currently
    return d.isoformat(), "day", "date"


def _h_relperiod(m: re.Match[str], ctx: Context) -> Result:
    """last/this/next week|month|year|weekend, earlier this month, later this year."""
    p = ctx.published
    if p is None:
        return None, None, "date"
    rel, unit = m["rel"].lower(), m["unit"].lower()
    n = {"last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1}.get(rel, 0)
    if unit == "weekend":
        sat = p - timedelta(days=(p.weekday() - 5) % 7)  # the Saturday on or before publication
        if n > 0 or (n == 0 and ctx.future and p.weekday() < 5):
            sat = p + timedelta(days=(5 - p.weekday()) % 7)
        return iso_week(sat) + "-WE", "week", "date"
    if unit in SEASONS:
        return _season(SEASONS[unit], p.year + n, p, n, ctx), "month", "date"
    if unit == "quarter":
        q = (p.month - 1) // 3 + 1 + n
        y = p.year + (q - 1) // 4
        return f"{y}-Q{(q - 1) % 4 + 1}", "month", "date"
    return shift(unit, n, p)[0], shift(unit, n, p)[1], "date"


def _h_weekend(m: re.Match[str], ctx: Context) -> Result:
    """"over the weekend": the weekend before publication (the coming one if future)."""
    p = ctx.published
    if p is None:
        return None, None, "date"
    sat = p - timedelta(days=(p.weekday() - 5) % 7)
    if ctx.future and p.weekday() < 5:
        sat = p + timedelta(days=5 - p.weekday())
    return iso_week(sat) + "-WE", "week", "date"


def _season(code: str, year: int, p: date, n: int, ctx: Context) -> str:
    if n == 0 and not ctx.future:
        start = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}[code]
        if start > p.month and not (code == "WI" and p.month <= 2):
            year -= 1
        if code == "WI" and p.month <= 2:
            year -= 1
    return f"{year}-{code}"


def _h_season_year(m: re.Match[str], ctx: Context) -> Result:
    return f"{m['year']}-{SEASONS[m['season'].lower()]}", "month", "date"


def _h_quarter(m: re.Match[str], ctx: Context) -> Result:
    q = ORDINALS.get((m["ord"] or "").lower()) or int(m["qn"] or 0)
    half = (m["kind"] or "").lower() == "half"
    if half:
        q = min(q, 2)
    year = m["year"]
    p = ctx.published
    if year:
        y = int(year)
    elif p is not None:
        cur = (p.month - 1) // (6 if half else 3) + 1
        y = p.year if (q <= cur or ctx.future) else p.year - 1
    else:
        return None, None, "date"
    return (f"{y}-H{q}" if half else f"{y}-Q{q}"), "month", "date"


def _h_ago(m: re.Match[str], ctx: Context) -> Result:
    """N units ago (publication-relative); N units earlier/later (relative to the narrative day)."""
    unit = m["unit"].lower()
    n = number(m["num"]) if m["num"] else (None if unit.endswith("s") else 1.0)
    word = m["dir"].lower()
    base = ctx.published if word == "ago" else (ctx.ref or ctx.published)
    if base is None or n is None:
        return None, None, "date"
    sign = 1 if word in ("later", "after", "from now", "hence") else -1
    value, precision = shift(m["unit"], sign * int(n), base)
    return value, precision, "date"


def _h_anaphoric(m: re.Match[str], ctx: Context) -> Result:
    """the next day, the previous week, that day, the same year: relative to the narrative day."""
    base = ctx.ref or ctx.published
    rel = (m["rel"] or "").lower()
    follows = m.string[m.end("t") : m.end("t") + 12].lower()
    open_ended = re.match(r"\s+(?:before|after|when|that|of|in which)\b", follows)
    if base is None or (not rel and not m["post"] and open_ended):
        return None, None, "date"  # "the day before he was arrested": a day we cannot place
    n = {"next": 1, "following": 1, "previous": -1, "preceding": -1, "before": -1, "after": 1}.get(rel, 0)
    if m["post"]:
        n = -1 if m["post"].lower() == "before" else 1
    return shift(m["unit"], n, base)[0], shift(m["unit"], n, base)[1], "date"


def _h_duration(m: re.Match[str], ctx: Context) -> Result:
    return duration_value(m["num"], m["unit"]), None, "duration"


def _h_past_duration(m: re.Match[str], ctx: Context) -> Result:
    num = m["num"]
    return duration_value(num, m["unit"]), None, "duration"


def _h_vague_plural(m: re.Match[str], ctx: Context) -> Result:
    return duration_value("several", m["unit"]), None, "duration"


def _h_set(m: re.Match[str], ctx: Context) -> Result:
    w = m["t"].lower()
    for name, wd in WEEKDAYS.items():
        if name in w:
            return f"XXXX-WXX-{wd + 1}", None, "set"
    unit = re.search(_UNIT1, w)
    if unit:
        return duration_value("1", unit.group(0)), None, "set"
    code = {"daily": "P1D", "weekly": "P1W", "monthly": "P1M", "annually": "P1Y", "yearly": "P1Y"}
    return code.get(w), None, "set"


def _h_time(m: re.Match[str], ctx: Context) -> Result:
    base = ctx.ref or ctx.published
    return (base.isoformat(), "day", "date") if base else (None, None, "date")


def _h_vague_ref(m: re.Match[str], ctx: Context) -> Result:
    return None, None, "date"  # recently, the past, the future: PAST_REF/FUTURE_REF, no date


def _h_edge_relyear(m: re.Match[str], ctx: Context) -> Result:
    """early/late/end of last/this/next year|month (``late last year`` -> 2014)."""
    p = ctx.published
    if p is None:
        return None, None, "date"
    n = {"last": -1, "next": 1}.get(m["rel"].lower(), 0)
    return shift(m["unit"], n, p)[0], shift(m["unit"], n, p)[1], "date"


def _h_edge_the(m: re.Match[str], ctx: Context) -> Result:
    """"the end of the year": this year's end, or last year's when told in the past tense."""
    p = ctx.published
    if p is None:
        return None, None, "date"
    edge, unit = m["edge"].lower(), m["unit"].lower()
    n = 0
    if not ctx.future:
        if unit == "year":
            n = -1 if (edge == "end" and p.month < 12) or (edge == "middle" and p.month < 6) else 0
        else:
            n = -1 if edge == "end" and p.day < 25 else 0
    value, precision = shift(unit, n, p)
    return value, precision, "date"


# ---------------------------------------------------------------- rules
_EDGE_OPT = rf"(?:(?i:{_EDGE})\s*(?:of\s+)?)?"
# a day's year: "March 20, 2019", or relative to publication ("March 20 last year")
_DATE_YEAR = rf"(?:,?\s+(?P<year>{_YEAR})|\s+(?i:of\s+)?(?i:(?P<rel>last|this|next))\s+(?i:year))?"
Rule = tuple[str, re.Pattern[str], Callable[[re.Match[str], Context], Result]]
RULES: tuple[Rule, ...] = (
    ("full_date", _rx(
        rf"{_L}(?P<t>(?:(?i:the\s+{_PART}\s+of)\s+)?(?:{_WEEKDAY},?\s+)?{_EDGE_OPT}(?P<mon>{_MONTH_DAYABLE})\s+(?P<day>{_DAY})"
        rf"{_DATE_YEAR}){_R}"), _h_full_date),
    ("full_date_dmy", _rx(
        rf"{_L}(?P<t>(?:{_WEEKDAY},?\s+)?(?:the\s+)?(?P<day>{_DAY})\s+(?:of\s+)?(?P<mon>{_MONTH_DAYABLE})"
        rf"{_DATE_YEAR}){_R}"), _h_full_date),
    ("holiday", _rx(
        rf"{_L}(?P<t>(?P<name>New Year['’]s (?:Day|Eve)|Christmas(?: Eve| Day)?|Boxing Day|Valentine['’]s Day"
        rf"|Halloween|May Day|Nowruz|Bastille Day)(?:,?\s+(?P<year>{_YEAR}))?){_R}"), _h_holiday),
    ("iso", _rx(rf"{_L}(?P<t>(?P<y>{_YEAR})-(?P<m>0[1-9]|1[0-2])-(?P<d>[0-3]\d)){_R}"), _h_iso),
    ("day_tail", _rx(rf"(?<=\d[-–])(?P<t>{_DAY})(?![\w/.-]\d|\w)(?:,?\s+(?P<year>{_YEAR}))?"), _h_day_tail),
    ("ordinal_day", _rx(
        rf"{_after('on|by|since|until|from|before|after')}(?P<t>(?i:the)\s+(?P<day>3[01]|[12]\d|0?[1-9])"
        rf"(?i:st|nd|rd|th)){_R}(?!\s+(?i:of|century|anniversary|day|time|round|floor))"), _h_ordinal_day),
    ("slash", _rx(r"(?<![\w/.])(?P<t>(?P<a>[01]?\d)/(?P<b>[0-3]?\d)/(?P<y>\d{4}|\d{2}))(?![\w/])"), _h_slash),
    ("month_year", _rx(
        rf"{_L}(?P<t>{_EDGE_OPT}(?P<mon>{_MONTH_DAYABLE}),?\s+(?:of\s+)?(?P<year>{_YEAR})){_R}"),
        _h_month_year),
    ("month_relyear", _rx(
        rf"{_L}(?P<t>{_EDGE_OPT}(?P<mon>{_MONTH_FULL})\s+(?i:of\s+)?(?i:(?P<rel>last|this|next))\s+(?i:year)){_R}"),
        _h_month_relyear),
    ("month", _rx(
        rf"{_L}(?P<t>{_EDGE_OPT}(?:(?i:(?P<rel>last|next|this))\s+)?{_EDGE_OPT}(?P<mon>{_MONTH_FULL})){_R}"),
        _h_month),
    ("month_may", _rx(
        rf"{_after(_PREP[3:-1])}(?P<t>{_EDGE_OPT}(?P<rel>)(?P<mon>May)){_R}(?!\s+(?:be|have|not)\b)"),
        _h_month),
    ("decade", _rx(
        rf"{_L}(?P<t>(?:(?i:the)\s+)?(?:(?i:early|mid|late)-?\s*)?(?:(?P<dec4>(?:1[89]|20)\d0)'?s|"
        rf"['’](?P<dec2>\d0)s|(?i:(?P<decw>twenties|thirties|forties|fifties|sixties|seventies"
        rf"|eighties|nineties)))){_R}"), _h_decade),
    ("year", _rx(
        rf"(?:(?<=\d{{4}}[-–])|(?<![\w'’$€£.,-]))"
        rf"(?P<t>(?:(?i:(?:{_EDGE})\s*(?:of\s+)?|fiscal\s+|the\s+year\s+))?(?P<year>{_YEAR}))"
        rf"(?![\w’%]|'\w|[.,]\d|-\d(?!\d(?:\d\d)?\b))"), _h_year),
    ("year_tail", _rx(r"(?<=(?:1[89]|20)\d\d[-–])(?P<t>\d\d)(?![\w-])"), _h_year_tail),
    ("weekday", _rx(
        rf"{_L}(?P<t>(?:(?i:(?P<rel>last|next|this)|early|late)\s+)?(?P<wd>{_WEEKDAY})"
        rf"(?:\s+(?i:{_PART}))?){_R}"), _h_weekday),
    ("deictic", _rx(
        rf"{_L}(?P<t>(?i:the day before yesterday|the day after tomorrow|(?:early |late )?"
        rf"(?:yesterday|tomorrow)(?:\s+{_PART})?|today|tonight|last night|overnight|this {_PART}|now"
        rf"|currently|at present|at the moment|nowadays)){_R}"), _h_deictic),
    ("edge_relperiod", _rx(
        rf"{_L}(?P<t>(?i:(?:earlier|later|early|late|mid|the end of|the beginning of|the start of"
        rf"|the middle of)\s+(?P<rel>this|last|next)\s+(?P<unit>week|month|year))){_R}"), _h_edge_relyear),
    ("edge_the_year", _rx(
        rf"{_L}(?P<t>(?i:the\s+(?P<edge>end|beginning|start|middle)\s+of\s+(?:the\s+)?(?P<unit>year|month))){_R}"),
        _h_edge_the),
    ("century", _rx(
        rf"{_L}(?P<t>(?i:(?:the\s+)?(?:(?P<n>1\d|2[01])(?:st|nd|rd|th)|(?P<w>nineteenth|twentieth|twenty-first))"
        rf"\s+century)){_R}"), _h_century),
    ("relperiod", _rx(
        rf"{_L}(?P<t>(?i:(?P<rel>last|this|next|coming)\s+(?:fiscal\s+)?(?P<unit>week|month|year|weekend|quarter"
        rf"|spring|summer|autumn|fall|winter))){_R}"), _h_relperiod),
    ("the_weekend", _rx(rf"{_after('over|at|during|on')}(?P<t>(?i:the weekend)){_R}"), _h_weekend),
    ("season_year", _rx(
        rf"{_L}(?P<t>(?i:(?:early\s+|late\s+|mid-?)?(?:the\s+)?(?P<season>spring|summer|autumn|fall|winter))"
        rf"\s+(?:(?i:of)\s+)?(?P<year>{_YEAR})){_R}"), _h_season_year),
    ("quarter", _rx(
        rf"{_L}(?P<t>(?i:(?:the\s+)?(?:(?P<ord>first|second|third|fourth|last|final)|(?P<qn>[1-4])(?:st|nd|rd|th))"
        rf"\s+(?P<kind>quarter|half)(?:\s+of\s+(?:the\s+year\s+)?(?P<year>{_YEAR}))?)){_R}"), _h_quarter),
    ("ago", _rx(
        rf"{_L}(?P<t>(?i:(?:{_QMOD}\s+)?(?:(?P<num>{_NUM})\s+)?(?P<unit>{_UNIT})\s+"
        rf"(?P<dir>ago|earlier|later|from now|hence))){_R}(?!\s+than\b)"), _h_ago),
    ("anaphoric", _rx(
        rf"{_L}(?P<t>(?i:(?:the|that)\s+(?:(?P<rel>next|following|previous|preceding|same)\s+)?"
        rf"(?P<unit>day|week|month|year)(?:\s+(?P<post>before|after)(?=\s*(?:[,.;:)]|$)))?)){_R}"),
        _h_anaphoric),
    ("past_duration", _rx(
        rf"{_L}(?P<t>(?i:the\s+(?:past|last|next|coming|previous)\s+(?:(?P<num>{_NUM})\s+)?"
        rf"(?P<unit>{_UNIT}))){_R}"), _h_past_duration),
    ("duration", _rx(
        rf"{_L}(?P<t>(?i:(?:{_QMOD}\s+)?(?P<num>{_NUM_DUR})(?:\s+|-)(?P<unit>{_UNIT})(?:-(?:long|old))?"
        rf"(?:\s+old)?)){_R}(?<!second)(?<!\bsecond-)"), _h_duration),  # "a second attack" is no duration
    ("range_head", _rx(
        rf"{_L}(?P<t>(?P<num>{_NUM_D}))(?=\s+(?:and|to|or|-)\s+{_NUM_D}[\s-]+(?P<unit>{_UNIT})\b)"),
        _h_duration),
    ("vague_plural", _rx(
        rf"(?:{_after('for|over|within|past|coming|after|in|during|lasting')}|(?<![\w-])(?=(?i:recent)\s)"
        rf"|(?<![\w-])(?=(?i:years|months|weeks|days|decades|hours)\s+(?i:after|before|later|earlier)\b))"
        rf"(?P<t>(?i:(?:recent\s+)?(?P<unit>years|months|weeks|days|decades|hours))){_R}"), _h_vague_plural),
    ("set", _rx(
        rf"{_L}(?P<t>(?i:(?:every|each)\s+(?:{_WEEKDAY}|{_UNIT1})|annually|{_after('held|meets|met')}"
        rf"(?:weekly|monthly|annually|yearly))){_R}"), _h_set),
    ("time", _rx(
        rf"{_L}(?P<t>(?:(?:[01]?\d|2[0-3])(?::[0-5]\d)?\s*(?i:a\.m\.|p\.m\.|am|pm)|(?:[01]?\d|2[0-3]):[0-5]\d"
        rf"|(?i:noon|midnight|midday)|(?:[01]\d|2[0-3])[0-5]\d\s+(?:GMT|UTC))"
        rf"(?:\s+(?i:local time))?){_R}"), _h_time),
    ("vague_ref", _rx(
        rf"{_L}(?P<t>(?i:recently|the past|the future)){_R}"),
        _h_vague_ref),
)


# rules whose match needs the publication date (anaphoric ones also use the narrative day)
RELATIVE_RULES = frozenset({
    "holiday", "edge_the_year", "day_tail", "ordinal_day",
    "month", "month_relyear", "month_may", "weekday", "deictic", "edge_relperiod", "relperiod",
    "the_weekend", "ago",
    "anaphoric", "time", "quarter",
})
ANAPHORIC_RULES = frozenset({"anaphoric", "time", "ago"})

"""Running the rule grammar fast over a whole article, and a spaCy-free ``parse`` for strings.

A rule runs only in windows around its "needles" (words every match of it contains), found with one
pass over the words of the text, so an article costs a few cheap searches instead of 30 full regex
scans. Overlapping matches are resolved longest first (then by rule order).
"""

from __future__ import annotations

import bisect
import re
from datetime import date
from functools import lru_cache

from wirewatch.temporal.grammar import (
    _DAY_RANGE_HEAD,
    _MONTH_WORDS_BASE,
    DECADE_WORDS,
    RULES,
    SEASONS,
    WEEKDAYS,
    Context,
    Match,
    Result,
)

_WORD = re.compile(r"[^\W_]+")
_MONTH_WORDS = _MONTH_WORDS_BASE
_UNIT_SET = frozenset({
    "second", "seconds", "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks", "weekend",
    "fortnight", "fortnights", "month", "months", "year", "years", "decade", "decades", "century",
    "centuries",
})
_DIGIT = "#digit"  # any word with a digit
_NEEDLES: dict[str, frozenset[str]] = {
    "full_date": _MONTH_WORDS,
    "full_date_dmy": _MONTH_WORDS,
    "month_year": _MONTH_WORDS,
    "month": _MONTH_WORDS,
    "month_may": frozenset({"may"}),
    "holiday": frozenset({"christmas", "year", "boxing", "valentine", "halloween", "may", "nowruz",
                          "bastille"}),
    "iso": frozenset({_DIGIT}),
    "day_tail": frozenset({_DIGIT}),
    "ordinal_day": frozenset({_DIGIT}),
    "slash": frozenset({_DIGIT}),
    "year": frozenset({_DIGIT}),
    "year_tail": frozenset({_DIGIT}),
    "decade": frozenset({_DIGIT} | set(DECADE_WORDS)),
    "weekday": frozenset(WEEKDAYS),
    "deictic": frozenset({"yesterday", "tomorrow", "today", "tonight", "night", "overnight", "this", "now",
                          "currently", "present", "moment", "nowadays"}),
    "edge_relperiod": _UNIT_SET,
    "edge_the_year": _UNIT_SET,
    "century": frozenset({"century"}),
    "relperiod": frozenset({"last", "this", "next", "coming"}),
    "the_weekend": frozenset({"weekend"}),
    "season_year": frozenset(SEASONS),
    "quarter": frozenset({"quarter", "half"}),
    "ago": _UNIT_SET,
    "anaphoric": _UNIT_SET,
    "past_duration": _UNIT_SET,
    "duration": _UNIT_SET,
    "range_head": _UNIT_SET,
    "vague_plural": _UNIT_SET,
    "set": frozenset({"every", "each", "annually", "weekly", "monthly", "yearly"}),
    "time": frozenset({_DIGIT, "noon", "midnight", "midday", "gmt", "utc"}),
    "vague_ref": frozenset({"recently", "past", "future"}),
}
_WINDOW = 60  # characters of context kept on each side of a needle


def _word_index(text: str) -> dict[str, list[tuple[int, int]]]:
    index: dict[str, list[tuple[int, int]]] = {}
    for m in _WORD.finditer(text):
        word = m.group()
        index.setdefault(word.lower(), []).append(m.span())
        if not word.isalpha():
            index.setdefault(_DIGIT, []).append(m.span())
    return index


def _windows(
    needles: frozenset[str], index: dict[str, list[tuple[int, int]]], size: int
) -> list[tuple[int, int]]:
    hits = sorted(span for word in needles for span in index.get(word, ()))
    spans: list[tuple[int, int]] = []
    for start, end in hits:
        s, e = max(0, start - _WINDOW), min(size, end + _WINDOW)
        if spans and s <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(e, spans[-1][1]))
        else:
            spans.append((s, e))
    return spans


def scan(text: str) -> list[tuple[int, int, str, re.Match[str]]]:
    """All rule matches, non-overlapping, longest first; ``(start, end, rule, match)`` in text order."""
    found: list[tuple[int, int, int, str, re.Match[str]]] = []
    seen: set[tuple[int, int, str]] = set()
    index = _word_index(text)
    cache: dict[frozenset[str], list[tuple[int, int]]] = {}
    for order, (name, rx, _handler) in enumerate(RULES):
        needles = _NEEDLES.get(name)
        if needles is None:
            windows = [(0, len(text))]
        else:
            if needles not in cache:
                cache[needles] = _windows(needles, index, len(text))
            windows = cache[needles]
        for ws, we in windows:
            for m in rx.finditer(text, ws, we):
                if name == "day_tail" and not _DAY_RANGE_HEAD.search(text, max(0, m.start() - 20), m.start()):
                    continue
                s, e = m.span("t")
                if e > s and (s, e, name) not in seen:
                    seen.add((s, e, name))
                    found.append((s, e, order, name, m))
    found.sort(key=lambda f: (-(f[1] - f[0]), f[2], f[0]))
    taken: list[tuple[int, int, str, re.Match[str]]] = []
    starts: list[int] = []  # sorted starts of taken spans (they never overlap, so ends sort alike)
    ends: list[int] = []
    for s, e, _order, name, m in found:
        i = bisect.bisect_left(starts, s)
        if (i < len(starts) and starts[i] < e) or (i > 0 and ends[i - 1] > s):
            continue
        starts.insert(i, s)
        ends.insert(i, e)
        taken.append((s, e, name, m))
    taken.sort(key=lambda t: t[0])
    return taken


_HANDLERS = {name: handler for name, _rx_, handler in RULES}


def normalize(rule: str, m: re.Match[str], ctx: Context) -> Result:
    """Normalise one rule match in a context."""
    return _HANDLERS[rule](m, ctx)


@lru_cache(maxsize=4096)
def parse(text: str, published: date | None, future: bool = False) -> tuple[Match, ...]:
    """Recognise and normalise every expression in ``text`` (no spaCy; past tense unless ``future``)."""
    out = []
    ref = published
    for s, e, name, m in scan(text):
        value, precision, kind = normalize(name, m, Context(published, future, ref))
        if precision == "day" and value and kind == "date":
            ref = date.fromisoformat(value)
        out.append(Match(s, e, name, value, precision, kind))
    return tuple(out)

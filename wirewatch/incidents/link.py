"""Which reports describe the same real-world event: a pairwise score over type, date, place, actors
and text, and the rule that picks the incident a new report joins.

A pair is *incompatible* (never linked) when the types are incompatible, the date periods do not
overlap (at their precision, plus a day of slack), both places are known and too far apart for the
coarser of their resolutions, or they are in different countries. Otherwise the score adds evidence:
same type, precise dates that agree, nearby places, the same or compatible actors (known actors by
id; article-scoped actors by country + sector + head noun), shared words in the sentences and the
same trigger word; disjoint actors count against. A new report joins the incident of its best
candidate when that score reaches :data:`THRESHOLD`, else it founds a new incident.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from wirewatch.query import fold

THRESHOLD = 0.6
PUBLISHED_WINDOW_DAYS = 7  # a report dated only by its publication: the event was in the week before
DAY_SLACK = 1  # "yesterday" vs "on Monday" across time zones and publication times
# the largest distance (km) between two places of one incident, by the coarser resolution
MAX_KM = {"sub-city": 15.0, "city": 40.0, "admin2": 100.0, "admin1": 300.0}
# type pairs two reports of one event may be coded as ("signed a deal" / "agreed to cooperate");
# ASSAULT/COERCE are kept apart: "stabbed ... and was arrested" are two events
COMPATIBLE_TYPES: frozenset[frozenset[str]] = frozenset({
    frozenset({"AGREE", "COOPERATE"}), frozenset({"AGREE", "CONSULT"}), frozenset({"AID", "SUPPORT"}),
    frozenset({"PROTEST", "MOBILIZE"}),
})
_WORD = re.compile(r"\w+", re.UNICODE)
_STOP = """
the a an and or of to in on at by for with from as is was were are be been has have had that this it its
their his her they he she we said says say after over into about than which who will would also not but
more most other some any all one two three new last first year years day days week monday tuesday
wednesday thursday friday saturday sunday today yesterday according told
"""
STOPWORDS = frozenset(_STOP.split())


def compatible_types(a: str, b: str) -> float:
    """1 for the same type, 0.5 for a compatible pair, 0 otherwise."""
    if a == b:
        return 1.0
    return 0.5 if frozenset({a, b}) in COMPATIBLE_TYPES else 0.0


def types_compatible_with(t: str) -> list[str]:
    """The types a report of type ``t`` may be linked with (itself first)."""
    return [t] + sorted(x for pair in COMPATIBLE_TYPES if t in pair for x in pair if x != t)


def content_words(text: str) -> frozenset[str]:
    """Folded words of 3+ letters that are not stopwords or numbers."""
    return frozenset(
        w for w in _WORD.findall(fold(text)) if len(w) > 2 and w not in STOPWORDS and not w.isdigit()
    )


def stem(word: str) -> str:
    """A crude stem for trigger words ("shelled", "shelling" -> "shell")."""
    w = fold(word).strip()
    for suffix in ("ings", "ing", "ed", "es", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


@dataclass(frozen=True)
class ActorRef:
    """An actor of a report, as compared across articles."""

    role: str
    actor_id: str
    country: str | None
    sector: str | None
    known: bool

    @property
    def key(self) -> str:
        """Known actors: their id; article-scoped ones: the id without its article scope."""
        return self.actor_id if self.known else self.actor_id.split("@", 1)[0]


@dataclass(frozen=True)
class LinkFeatures:
    """What linking compares of one report."""

    event_id: str
    pk: int
    article_id: str
    incident_id: str | None
    event_type: str
    window: tuple[date, date] | None  # when the event may have happened
    precise: bool  # the date comes from the text at day/week precision
    lat: float | None
    lon: float | None
    country: str | None
    resolution: str | None
    actors: tuple[ActorRef, ...]
    words: frozenset[str]
    trigger: str


def event_window(date_start: date | None, date_end: date | None, precision: str | None,
                 published: date | None) -> tuple[date, date] | None:
    """The period a report's event may fall in: its date period, or for a report dated only by its
    publication, the week before publication."""
    if precision == "published" or date_start is None or date_end is None:
        anchor = date_end or published
        if anchor is None:
            return None
        return anchor - timedelta(days=PUBLISHED_WINDOW_DAYS), anchor
    return date_start, date_end


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def _coarser(a: str | None, b: str | None) -> str | None:
    order = ("country", "admin1", "admin2", "city", "sub-city")
    ranks = [order.index(r) for r in (a, b) if r in order]
    return order[min(ranks)] if ranks else None


def place_score(a: LinkFeatures, b: LinkFeatures) -> float | None:
    """None: the places rule the pair out; else the evidence (0 when a place is unknown)."""
    if a.country and b.country and a.country != b.country:
        return None
    if a.lat is None or b.lat is None or a.lon is None or b.lon is None:
        return 0.05 if a.country and a.country == b.country else 0.0
    res = _coarser(a.resolution, b.resolution)
    if res == "country" or res is None:
        return 0.05
    if km(a.lat, a.lon, b.lat, b.lon) > MAX_KM[res]:
        return None
    return 0.2 if res in ("city", "sub-city") else 0.1


def _actor_match(x: ActorRef, y: ActorRef) -> float:
    if x.key == y.key:
        return 1.0
    if x.known and y.known:
        return 0.0
    if x.country and x.country == y.country and x.sector and x.sector == y.sector:
        return 0.7  # "Turkish troops" (article-scoped) and the Turkish Armed Forces
    return 0.0


def actor_score(a: Sequence[ActorRef], b: Sequence[ActorRef]) -> float | None:
    """Symmetric best-match overlap of two reports' actors (None when either has none)."""
    if not a or not b:
        return None
    ab = sum(max(_actor_match(x, y) for y in b) for x in a)
    ba = sum(max(_actor_match(y, x) for x in a) for y in b)
    return (ab + ba) / (len(a) + len(b))


def pair_score(a: LinkFeatures, b: LinkFeatures) -> float | None:
    """How strongly two reports look like the same event (None: they cannot be)."""
    tc = compatible_types(a.event_type, b.event_type)
    if tc == 0.0:
        return None
    if not windows_overlap(a.window, b.window):
        return None
    place = place_score(a, b)
    if place is None:
        return None
    score = 0.25 * tc + place
    if a.precise and b.precise and a.window == b.window:
        score += 0.15
    elif a.precise and b.precise:
        score += 0.08
    actors = actor_score(a.actors, b.actors)
    if actors is not None:
        score += 0.3 * actors if actors > 0 else -0.2
    union = a.words | b.words
    if union:
        score += 0.45 * len(a.words & b.words) / len(union)
    if a.trigger and a.trigger == b.trigger:
        score += 0.1
    if a.article_id == b.article_id and actors is None:
        score -= 0.1  # one article names many events of a type; without actors be more careful
    return score


def windows_overlap(a: tuple[date, date] | None, b: tuple[date, date] | None) -> bool:
    """True when two event windows overlap (with a day of slack) or either is unknown."""
    if a is None or b is None:
        return True
    slack = timedelta(days=DAY_SLACK)
    return not (a[0] > b[1] + slack or b[0] > a[1] + slack)


def choose_incident(new: LinkFeatures, candidates: Iterable[LinkFeatures],
                    threshold: float | None = None,
                    incident_windows: dict[str, tuple[date, date] | None] | None = None,
                    ) -> tuple[str | None, float]:
    """The incident ``new`` should join (None: found a new one) and the winning score.

    ``incident_windows``: each candidate incident's own date window (from its best date); the new
    report must overlap it too, so chains of pairwise-overlapping reports cannot drift in time.
    Deterministic: ties go to the incident whose matching report was stored first.
    """
    threshold = THRESHOLD if threshold is None else threshold
    windows = incident_windows or {}
    best: tuple[float, int, str] | None = None
    for c in candidates:
        if c.incident_id is None or c.event_id == new.event_id:
            continue
        if not windows_overlap(new.window, windows.get(c.incident_id)):
            continue
        s = pair_score(new, c)
        if s is None or s < threshold:
            continue
        key = (s, -c.pk, c.incident_id)
        if best is None or key[:2] > best[:2]:
            best = key
    return (best[2], best[0]) if best else (None, 0.0)

"""Incident records: the reports of one real-world event, its best type/place/date and its standing.

Pure functions over frozen dataclasses; the store (``wirewatch.store.incidents``) reads the rows and
writes the results. An incident's summary is recomputed from all its reports whenever they change.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from wirewatch.query import fold

RESOLUTION_RANK = {"sub-city": 5, "city": 4, "admin2": 3, "admin1": 2, "country": 1}
PRECISION_RANK = {"day": 6, "week": 5, "month": 4, "year": 3, "decade": 2, "published": 1}
# how strongly a report's modality vouches for the event (picks the incident's best report)
MODALITY_RANK = {"asserted": 6, "reported": 5, "claimed": 4, "negated": 3, "historical": 3,
                 "possible": 2, "planned": 1}
STANDINGS = ("asserted", "reported", "disputed", "claimed", "denied", "possible", "planned", "historical")


def incident_id_for(event_id: str) -> str:
    """The id of the incident founded by ``event_id`` (``ev_1a2b…`` -> ``inc_1a2b…``)."""
    return "inc_" + (event_id[3:] if event_id.startswith("ev_") else event_id)


def split_id(event_ids: Iterable[str]) -> str:
    """The id of an incident made by splitting ``event_ids`` off (order does not matter)."""
    key = "split|" + "|".join(sorted(event_ids))
    return "inc_s" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:15]


def outlet_of(source: str | None, url: str | None) -> str | None:
    """The outlet of an article: its ``source``, else its URL's host (``www.`` dropped), else None."""
    if source and source.strip():
        return source.strip()
    if url:
        host = urlsplit(url).hostname or ""
        host = host.removeprefix("www.")
        return host or None
    return None


@dataclass(frozen=True)
class ReportPlace:
    """Where a report places the event (a gazetteer entry and the text naming it)."""

    place_key: str | None
    text: str | None
    name: str | None
    country: str | None
    admin1: str | None
    lat: float | None
    lon: float | None
    geonameid: int | None
    feature_code: str | None
    resolution: str | None


@dataclass(frozen=True)
class Party:
    """Who a statement is from: an attribution's actor id (when resolved) and its text."""

    actor_id: str | None
    text: str

    @property
    def key(self) -> str:
        return self.actor_id or fold(self.text).removeprefix("the ").strip()


@dataclass(frozen=True)
class Report:
    """One event report as far as its incident is concerned."""

    event_id: str
    pk: int
    article_id: str
    event_type: str
    mode: str | None
    cameo_root: str | None
    modality: str
    confidence: float
    date_value: str | None
    date_precision: str | None
    date_start: date | None
    date_end: date | None
    date_class: int | None
    place: ReportPlace | None
    published: date | None
    outlet: str | None
    claimants: tuple[Party, ...] = ()  # attribution role "claimant"
    reporters: tuple[Party, ...] = ()  # attribution role "reporter"


@dataclass(frozen=True)
class ArticleRef:
    """An article carrying reports of the incident (analysed, or a near-duplicate copy of one)."""

    article_id: str
    outlet: str | None
    published: date | None


@dataclass(frozen=True)
class Summary:
    """The stored columns of an incident (see ``schema.incidents``)."""

    event_type: str
    mode: str | None
    cameo_root: str | None
    standing: str
    asserted_independently: bool
    rep_event: str
    place: ReportPlace | None
    date_value: str | None
    date_precision: str | None
    date_start: date | None
    date_end: date | None
    date_class: int | None
    first_report: date | None
    last_report: date | None
    n_reports: int
    n_articles: int
    n_outlets: int


def _best_report(reports: Sequence[Report]) -> Report:
    return max(reports, key=lambda r: (MODALITY_RANK.get(r.modality, 0), r.confidence, -r.pk))


def _best_type(reports: Sequence[Report]) -> str:
    weight: Counter[str] = Counter()
    first: dict[str, int] = {}
    for r in reports:
        weight[r.event_type] += 1.0 + r.confidence
        first.setdefault(r.event_type, r.pk)
    return max(weight, key=lambda t: (weight[t], -first[t]))


def _best_place(reports: Sequence[Report]) -> ReportPlace | None:
    """The finest resolution any report gives; among those the place most reports name."""
    located = [r for r in reports if r.place is not None and r.place.lat is not None]
    if not located:
        located = [r for r in reports if r.place is not None]
    if not located:
        return None
    top = max(RESOLUTION_RANK.get(r.place.resolution or "", 0) for r in located if r.place)
    fine = [r for r in located if r.place and RESOLUTION_RANK.get(r.place.resolution or "", 0) == top]
    votes = Counter(r.place.place_key or r.place.name for r in fine if r.place)
    first: dict[Any, int] = {}
    for r in fine:
        if r.place:
            first.setdefault(r.place.place_key or r.place.name, r.pk)
    best_key = max(votes, key=lambda k: (votes[k], -first[k]))
    return next(r.place for r in fine if r.place and (r.place.place_key or r.place.name) == best_key)


def _best_date(reports: Sequence[Report]) -> Report:
    """The report whose date is most precise; among those the value most reports give."""
    top = max(PRECISION_RANK.get(r.date_precision or "", 0) for r in reports)
    fine = [r for r in reports if PRECISION_RANK.get(r.date_precision or "", 0) == top]
    votes = Counter(r.date_value for r in fine)
    best = max(votes, key=lambda v: (votes[v], -min(r.pk for r in fine if r.date_value == v)))
    return next(r for r in fine if r.date_value == best)


def standing(reports: Sequence[Report]) -> dict[str, Any]:
    """Which parties claim the incident, which deny it, and whether any report asserts it.

    A party is counted once however many reports repeat its claim (``n_reports``/``outlets`` say
    how often it was repeated). ``summary``: asserted (some report states it as fact), reported (a
    named source says so), disputed (claimed and denied), claimed, denied, else the best of
    possible/planned/historical.
    """

    def parties(role_reports: list[Report], fallback_reporters: bool) -> list[dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        for r in role_reports:
            who = list(r.claimants) or (list(r.reporters) if fallback_reporters else [])
            if not who:
                who = [Party(None, "unnamed source")]
            for p in who:
                entry = seen.setdefault(p.key, {"party": p.text, "actor_id": p.actor_id,
                                                "n_reports": 0, "outlets": set()})
                entry["n_reports"] += 1
                if r.outlet:
                    entry["outlets"].add(r.outlet)
        return [{**e, "outlets": sorted(e["outlets"])} for e in seen.values()]

    claimed = parties([r for r in reports if r.modality == "claimed"], fallback_reporters=False)
    denied = parties([r for r in reports if r.modality == "negated"], fallback_reporters=True)
    reported = parties([r for r in reports if r.modality == "reported"], fallback_reporters=True)
    asserted = [r for r in reports if r.modality == "asserted"]
    modalities = Counter(r.modality for r in reports)
    if asserted:
        summary = "asserted"
    elif modalities["reported"]:
        summary = "reported"
    elif claimed and denied:
        summary = "disputed"
    elif claimed:
        summary = "claimed"
    elif denied:
        summary = "denied"
    else:
        summary = max(("possible", "planned", "historical"), key=lambda m: (modalities[m], m == "possible"))
    return {
        "summary": summary,
        "asserted_independently": bool(asserted),
        "asserted_by": sorted({r.outlet for r in asserted if r.outlet}),
        "claimed_by": claimed,
        "denied_by": denied,
        "reported_by": reported,
        "modalities": dict(sorted(modalities.items())),
    }


def summarize(reports: Sequence[Report], articles: Sequence[ArticleRef]) -> Summary:
    """The incident summary of its reports; ``articles``: every article carrying them (including
    stored near-duplicate copies, which count as articles and outlets but add no reports)."""
    if not reports:
        raise ValueError("an incident needs at least one report")
    best = _best_report(reports)
    etype = _best_type(reports)
    typed = [r for r in reports if r.event_type == etype]
    rep = best if best.event_type == etype else _best_report(typed)
    when = _best_date(reports)
    stand = standing(reports)
    published = [a.published for a in articles if a.published is not None]
    return Summary(
        event_type=etype,
        mode=rep.mode,
        cameo_root=rep.cameo_root,
        standing=stand["summary"],
        asserted_independently=stand["asserted_independently"],
        rep_event=rep.event_id,
        place=_best_place(reports),
        date_value=when.date_value,
        date_precision=when.date_precision,
        date_start=when.date_start,
        date_end=when.date_end,
        date_class=when.date_class,
        first_report=min(published) if published else None,
        last_report=max(published) if published else None,
        n_reports=len(reports),
        n_articles=len({a.article_id for a in articles}),
        n_outlets=len({a.outlet for a in articles if a.outlet}),
    )

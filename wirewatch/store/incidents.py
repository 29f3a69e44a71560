"""Incident SQL: linking new events on insert, recomputing incident summaries, manual merge/split.

Everything runs on a connection the caller holds inside a write transaction (``Store._write``), so an
article's events and their incident links commit together. Reads for the API live in
``store/incidents_read.py``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, or_, select, update

from wirewatch.incidents.link import (
    PUBLISHED_WINDOW_DAYS,
    ActorRef,
    LinkFeatures,
    choose_incident,
    content_words,
    event_window,
    stem,
    types_compatible_with,
)
from wirewatch.incidents.model import (
    ArticleRef,
    Party,
    Report,
    ReportPlace,
    Summary,
    incident_id_for,
    outlet_of,
    summarize,
)
from wirewatch.store import counters
from wirewatch.store import incident_derived as derived
from wirewatch.store import schema as s
from wirewatch.store.read import id_list, id_params

MAX_CANDIDATES = 400  # most recent compatible reports compared per new report


def _chunks(values: Sequence[Any], n: int = 2000) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), n):
        yield values[i:i + n]


# -- features ------------------------------------------------------------------------------------
def _sentence_text() -> Any:
    e = s.events.c
    return func.substr(s.articles.c.text, e.sentence_start + 1, e.sentence_end - e.sentence_start)


@lru_cache(maxsize=1)
def _feature_select() -> Any:
    e, t, p = s.events.c, s.toponyms, s.places
    joined = (
        s.events.join(s.articles, s.articles.c.id == s.events.c.article_id)
        .outerjoin(t, and_(t.c.article_id == e.article_id, t.c.idx == e.location_idx))
        .outerjoin(p, p.c.place_key == t.c.place_key)
    )
    return select(
        e.pk, e.id, e.article_id, e.incident_id, e.event_type, e.date_start, e.date_end,
        e.date_precision, e.lat, e.lon, e.country, e.trigger_text, p.c.resolution,
        s.articles.c.published, _sentence_text().label("sentence"),
    ).select_from(joined)


@lru_cache(maxsize=8)
def _features_by(dialect: str, key: str) -> tuple[Any, Any]:
    """(events' link columns, their actors) for a list of event ``key``s (``id`` or ``pk``) bound as
    one parameter (:func:`id_params`): built and compiled once, not per batch or candidate list."""
    events_q = (_feature_select().where(id_list(dialect, [0 if key == "pk" else ""])(s.events.c[key]))
                .order_by(s.events.c.pk))
    ea, m = s.event_actors, s.mentions
    actors_q = (
        select(ea.c.event_id, ea.c.role, m.c.actor_id, m.c.country, m.c.sector, m.c.known)
        .select_from(ea.join(m, and_(m.c.article_id == ea.c.article_id, m.c.idx == ea.c.mention_idx)))
        .where(id_list(dialect, [""])(ea.c.event_id))
        .order_by(ea.c.event_id, ea.c.role, ea.c.ord)
    )
    return events_q, actors_q


def features(conn: Connection, key: str, values: Sequence[Any]) -> list[LinkFeatures]:
    """Link features of the events whose ``key`` (``id`` or ``pk``) is in ``values`` (pk order)."""
    if not values:
        return []
    dialect = conn.dialect.name
    events_q, actors_q = _features_by(dialect, key)
    rows = conn.execute(events_q, id_params(dialect, values)).all()
    if not rows:
        return []
    actors: dict[str, list[ActorRef]] = defaultdict(list)
    for r in conn.execute(actors_q, id_params(dialect, [r.id for r in rows])):
        actors[r.event_id].append(ActorRef(r.role, r.actor_id, r.country, r.sector, bool(r.known)))
    out = []
    for r in rows:
        out.append(LinkFeatures(
            event_id=r.id, pk=r.pk, article_id=r.article_id, incident_id=r.incident_id,
            event_type=r.event_type,
            window=event_window(r.date_start, r.date_end, r.date_precision, r.published),
            precise=r.date_precision in ("day", "week"),
            lat=r.lat, lon=r.lon, country=r.country, resolution=r.resolution,
            actors=tuple(actors.get(r.id, ())), words=content_words(r.sentence or ""),
            trigger=stem(r.trigger_text or ""),
        ))
    return out


@lru_cache(maxsize=128)
def _candidate_select(event_type: str, windowed: bool, with_country: bool) -> Any:
    """Stored reports that could be the same event as a new report of ``event_type``: compatible
    type, a date period that can overlap its window (``lo``/``hi``/``oldest``; reports dated by
    publication reach back a week) or, without a window, its own article, and the same or unknown
    country; the most recent ``MAX_CANDIDATES`` of them. One statement per shape, values bound: a
    batch of reports builds and compiles each shape once."""
    e = s.events.c
    clauses = [e.event_type.in_(types_compatible_with(event_type)), e.id != bindparam("event_id")]
    if windowed:
        clauses += [e.date_start <= bindparam("hi"), e.date_end >= bindparam("lo"),
                    e.date_start >= bindparam("oldest")]
    else:
        clauses.append(e.article_id == bindparam("article_id"))
    if with_country:
        clauses.append(or_(e.country == bindparam("country"), e.country.is_(None)))
    return select(e.pk).where(and_(*clauses)).order_by(e.pk.desc()).limit(MAX_CANDIDATES)


def _candidates(conn: Connection, f: LinkFeatures) -> list[int]:
    """Keys of the stored candidate reports of ``f`` (ascending)."""
    params: dict[str, Any] = {"event_id": f.event_id}
    if f.window is None:
        params["article_id"] = f.article_id
    else:
        lo = f.window[0] - timedelta(days=2)
        params.update(lo=lo, hi=f.window[1] + timedelta(days=2 + PUBLISHED_WINDOW_DAYS),
                      oldest=lo - timedelta(days=400))
    if f.country:
        params["country"] = f.country
    q = _candidate_select(f.event_type, f.window is not None, bool(f.country))
    return sorted(conn.execute(q, params).scalars())


def link_events(conn: Connection, event_ids: Sequence[str], preset: dict[str, str] | None = None) -> set[str]:
    """Give each new event (in order) an incident: ``preset`` ones as given, the rest by linking to
    stored reports (and the earlier ones of this batch); returns the incident ids touched."""
    preset = preset or {}
    assigned: dict[str, str] = {}
    todo = [i for i in event_ids if i not in preset]
    feats = {f.event_id: f for ch in _chunks(todo) for f in features(conn, "id", ch)}
    # stored reports do not change during the call: each one's features are read once, however many
    # new reports of the batch have it among their candidates
    known: dict[int, LinkFeatures] = {f.pk: f for f in feats.values()}
    windows: dict[str, Any] = {}  # stored incidents' date windows, likewise read once
    unstored: set[str] = set()
    for eid in event_ids:
        if eid in preset:
            assigned[eid] = preset[eid]
            continue
        f = feats.get(eid)
        if f is None:
            continue
        pks = _candidates(conn, f)
        missing = [pk for pk in pks if pk not in known]
        for ch in _chunks(missing):
            known.update((c.pk, c) for c in features(conn, "pk", ch))
        cands = [
            c if c.incident_id else replace(c, incident_id=assigned.get(c.event_id))
            for c in (known[pk] for pk in pks if pk in known)
        ]
        incs = {c.incident_id for c in cands if c.incident_id}
        ask = incs - windows.keys() - unstored
        windows.update(_incident_windows(conn, ask))
        unstored |= ask - windows.keys()  # made in this batch: no row yet
        inc, _ = choose_incident(f, cands, incident_windows={k: windows[k] for k in incs if k in windows})
        assigned[eid] = inc or incident_id_for(eid)
    _assign(conn, assigned)
    touched = set(assigned.values())
    refresh(conn, touched)
    return touched


@lru_cache(maxsize=4)
def _windows_select(dialect: str) -> Any:
    i = s.incidents.c
    return select(i.id, i.date_start, i.date_end, i.date_precision, i.first_report).where(
        id_list(dialect, [""])(i.id))


def _incident_windows(conn: Connection, ids: set[str]) -> dict[str, Any]:
    """The date window of each stored incident's best date (incidents made in this batch have no
    row yet: no window, no constraint)."""
    if not ids:
        return {}
    dialect = conn.dialect.name
    rows = conn.execute(_windows_select(dialect), id_params(dialect, sorted(ids)))
    return {r.id: event_window(r.date_start, r.date_end, r.date_precision, r.first_report) for r in rows}


# every table that holds an event's incident id, with its event-id column: events, and event_actors' copy
# (actors counted by incidents read that one table); every change of an incident id goes through these
_INCIDENT_HOLDERS = ((s.events, s.events.c.id), (s.event_actors, s.event_actors.c.event_id))


def _assign(conn: Connection, assigned: dict[str, str]) -> None:
    if not assigned:
        return
    params = [{"eid": k, "inc": v} for k, v in assigned.items()]
    for table, event_id in _INCIDENT_HOLDERS:
        conn.execute(update(table).where(event_id == bindparam("eid")).values(incident_id=bindparam("inc")),
                     params)


def _set_incident(conn: Connection, incident_id: str | None, *, event_ids: Sequence[str] | None = None,
                  from_incident: str | None = None) -> int:
    """Give ``incident_id`` to the events ``event_ids`` / of ``from_incident`` (all events when neither is
    given), in every holder table; returns how many events changed."""
    moved = 0
    for table, event_id in _INCIDENT_HOLDERS:
        q = update(table).values(incident_id=incident_id)
        if event_ids is not None:
            q = q.where(event_id.in_(list(event_ids)))
        if from_incident is not None:
            q = q.where(table.c.incident_id == from_incident)
        rows = conn.execute(q).rowcount
        if table is s.events:
            moved = int(rows or 0)
    return moved


# -- reports and summaries -----------------------------------------------------------------------
def _report_select() -> Any:
    e, t, p, a = s.events.c, s.toponyms, s.places, s.articles
    joined = (
        s.events.join(a, a.c.id == e.article_id)
        .outerjoin(t, and_(t.c.article_id == e.article_id, t.c.idx == e.location_idx))
        .outerjoin(p, p.c.place_key == t.c.place_key)
    )
    return select(
        e.pk, e.id, e.incident_id, e.article_id, e.event_type, e.mode, e.cameo_root, e.modality,
        e.confidence, e.date_value, e.date_precision, e.date_start, e.date_end, e.date_class,
        t.c.text.label("l_text"), p.c.place_key, p.c.name.label("l_name"), p.c.country.label("l_country"),
        p.c.admin1, p.c.lat, p.c.lon, p.c.geonameid, p.c.feature_code, p.c.resolution,
        a.c.published, a.c.source, a.c.url,
    ).select_from(joined)


def reports_of(conn: Connection, incident_ids: Sequence[str]) -> tuple[
        dict[str, list[Report]], dict[str, list[ArticleRef]]]:
    """The reports of each incident (pk order) and the articles carrying them (analysed articles
    and their stored near-duplicate copies)."""
    by_inc: dict[str, list[Report]] = defaultdict(list)
    arts: dict[str, list[ArticleRef]] = defaultdict(list)
    if not incident_ids:
        return by_inc, arts
    dialect = conn.dialect.name
    rows: list[Any] = []
    for ch in _chunks(list(incident_ids)):
        q = _report_select().where(id_list(dialect, list(ch))(s.events.c.incident_id))
        rows.extend(conn.execute(q.order_by(s.events.c.pk)).all())
    ids = [r.id for r in rows]
    claim: dict[str, list[Party]] = defaultdict(list)
    report: dict[str, list[Party]] = defaultdict(list)
    at = s.attributions.c
    for ch in _chunks(ids):
        q = (select(at.event_id, at.role, at.text, at.actor_id, s.actors.c.name)
             .select_from(s.attributions.outerjoin(s.actors, s.actors.c.actor_id == at.actor_id))
             .where(id_list(dialect, list(ch))(at.event_id)).order_by(at.event_id, at.ord))
        for r in conn.execute(q):
            known = r.name if r.actor_id and not r.actor_id.startswith("~") else None
            party = Party(r.actor_id if known else None, known or r.text)
            (claim if r.role == "claimant" else report)[r.event_id].append(party)
    art_ids = sorted({r.article_id for r in rows})
    dups: dict[str, list[ArticleRef]] = defaultdict(list)
    for ch in _chunks(art_ids):
        a = s.articles.c
        q = select(a.pk, a.id, a.duplicate_of, a.source, a.url, a.published).where(
            id_list(dialect, list(ch))(a.duplicate_of))
        # sorted here: an ORDER BY pk makes SQLite walk every article in pk order instead of the index
        for r in sorted(conn.execute(q), key=lambda row: row.pk):
            dups[r.duplicate_of].append(ArticleRef(r.id, outlet_of(r.source, r.url), r.published))
    seen_art: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        place = None if r.place_key is None and r.l_text is None else ReportPlace(
            r.place_key, r.l_text, r.l_name, r.l_country, r.admin1, r.lat, r.lon, r.geonameid,
            r.feature_code, r.resolution)
        outlet = outlet_of(r.source, r.url)
        by_inc[r.incident_id].append(Report(
            event_id=r.id, pk=r.pk, article_id=r.article_id, event_type=r.event_type, mode=r.mode,
            cameo_root=r.cameo_root, modality=r.modality, confidence=r.confidence,
            date_value=r.date_value, date_precision=r.date_precision, date_start=r.date_start,
            date_end=r.date_end, date_class=r.date_class, place=place, published=r.published,
            outlet=outlet, claimants=tuple(claim.get(r.id, ())), reporters=tuple(report.get(r.id, ())),
        ))
        if r.article_id not in seen_art[r.incident_id]:
            seen_art[r.incident_id].add(r.article_id)
            arts[r.incident_id].append(ArticleRef(r.article_id, outlet, r.published))
            arts[r.incident_id].extend(dups.get(r.article_id, ()))
    return by_inc, arts


def _row(inc_id: str, sm: Summary, manual: bool) -> dict[str, Any]:
    p = sm.place
    return {
        "id": inc_id, "event_type": sm.event_type, "mode": sm.mode, "cameo_root": sm.cameo_root,
        "standing": sm.standing, "asserted_independently": sm.asserted_independently,
        "rep_event": sm.rep_event, "place_key": p.place_key if p else None,
        "location_text": p.text if p else None, "location_name": p.name if p else None,
        "country": p.country if p else None, "admin1": p.admin1 if p else None,
        "lat": p.lat if p else None, "lon": p.lon if p else None,
        "geonameid": p.geonameid if p else None, "feature_code": p.feature_code if p else None,
        "resolution": p.resolution if p else None,
        "date_value": sm.date_value, "date_precision": sm.date_precision, "date_start": sm.date_start,
        "date_end": sm.date_end, "date_class": sm.date_class, "first_report": sm.first_report,
        "last_report": sm.last_report, "n_reports": sm.n_reports, "n_articles": sm.n_articles,
        "n_outlets": sm.n_outlets, "manual": manual, "updated_at": datetime.now(UTC),
    }


def refresh(conn: Connection, incident_ids: Iterable[str], manual: Iterable[str] = ()) -> None:
    """Recompute the summary rows of ``incident_ids`` from their reports (rows of incidents left
    without reports are deleted); ``manual``: ids to mark as manually edited."""
    ids = sorted(set(incident_ids))
    if not ids:
        return
    dialect = conn.dialect.name
    inc = s.incidents
    flagged = set(manual)
    for ch in _chunks(ids):
        flagged.update(conn.scalars(
            select(inc.c.id).where(id_list(dialect, list(ch))(inc.c.id), inc.c.manual.is_(True))))
    reports, arts = reports_of(conn, ids)
    counts: Counter[tuple[str, str]] = Counter()
    counts.subtract(derived.before(conn, ids))  # what the old rows counted; + what the new ones count
    for ch in _chunks(ids):
        conn.execute(delete(inc).where(id_list(dialect, list(ch))(inc.c.id)))
    derived.delete_pairs(conn, ids)
    rows = [_row(i, summarize(reports[i], arts[i]), i in flagged) for i in ids if reports.get(i)]
    for ch in _chunks(rows, 1000):
        features = derived.map_features(conn, ch)
        conn.execute(inc.insert(), [{**r, "map_feature": features[r["id"]]} for r in ch])
    pairs = derived.report_pairs(conn, [r["id"] for r in rows]) if rows else []
    derived.write_pairs(conn, pairs)
    counts.update(derived.contributions(rows, pairs))
    counters.bump(conn, counts)


def refresh_articles(conn: Connection, article_ids: Sequence[str]) -> None:
    """Recompute the incidents reported by these articles (e.g. after a near-duplicate copy of one
    was stored: it adds an article and maybe an outlet)."""
    ids = list(conn.scalars(select(s.events.c.incident_id).distinct().where(
        s.events.c.article_id.in_(list(article_ids)), s.events.c.incident_id.is_not(None))))
    refresh(conn, ids)


def backfill(conn: Connection) -> int:
    """Link every event that has no incident yet, in insertion order (migration 0020 and
    ``incidents relink``); returns how many were linked."""
    n = 0
    while True:
        ids = list(conn.scalars(
            select(s.events.c.id).where(s.events.c.incident_id.is_(None)).order_by(s.events.c.pk).limit(500)))
        if not ids:
            return n
        link_events(conn, ids)
        n += len(ids)


# -- manual edits --------------------------------------------------------------------------------
def incident_of(conn: Connection, event_id: str) -> str | None:
    """The incident of one event (None when there is no such event)."""
    return conn.execute(select(s.events.c.incident_id).where(s.events.c.id == event_id)).scalar()


def rep_event(conn: Connection, incident_id: str) -> str | None:
    """The representative report of an incident (None when there is no such incident)."""
    return conn.execute(select(s.incidents.c.rep_event).where(s.incidents.c.id == incident_id)).scalar()


def merge(conn: Connection, keep: str, absorb: str, record: bool = True) -> int:
    """Move every report of ``absorb`` into ``keep``; returns how many moved."""
    if record:
        reps = [rep_event(conn, keep), rep_event(conn, absorb)]
        conn.execute(s.incident_edits.insert().values(
            action="merge", incident_id=keep, other_id=absorb, event_ids=",".join(r or "" for r in reps),
            at=datetime.now(UTC)))
    moved = _set_incident(conn, keep, from_incident=absorb)
    refresh(conn, [keep, absorb], manual=[keep])
    return moved


def split(conn: Connection, new_id: str, source: str, event_ids: Sequence[str], record: bool = True) -> int:
    """Move ``event_ids`` (reports of ``source``) into the new incident ``new_id``."""
    if record:
        conn.execute(s.incident_edits.insert().values(
            action="split", incident_id=new_id, other_id=source, event_ids=",".join(event_ids),
            at=datetime.now(UTC)))
    moved = _set_incident(conn, new_id, event_ids=event_ids)
    refresh(conn, [new_id, source], manual=[new_id, source])
    return moved


def relink(conn: Connection) -> dict[str, int]:
    """Recompute every incident from scratch (e.g. after the linking rule changed), then replay the
    manual merges and splits in the order they were made."""
    _set_incident(conn, None)
    conn.execute(delete(s.incidents))
    derived.clear(conn)
    linked = backfill(conn)
    edits = conn.execute(select(s.incident_edits).order_by(s.incident_edits.c.pk)).all()
    replayed = 0
    for ed in edits:
        ids = [i for i in ed.event_ids.split(",") if i]
        if ed.action == "merge" and len(ids) == 2:
            a, b = incident_of(conn, ids[0]), incident_of(conn, ids[1])
            if a and b and a != b:
                merge(conn, a, b, record=False)
                replayed += 1
        elif ed.action == "split" and ids:
            src = incident_of(conn, ids[0])
            if src:
                split(conn, ed.incident_id, src, ids, record=False)
                replayed += 1
    return {"events": linked, "incidents": int(conn.execute(
        select(func.count()).select_from(s.incidents)).scalar_one()), "edits_replayed": replayed}


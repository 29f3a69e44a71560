"""Incident reads: lists, one incident with its reports, and counts of incidents (aggregates, actors).

An incident matches an event filter by its own best type/place/date for the type, country, bbox and
date filters, and by any of its reports for the others (see :func:`matching`). Aggregates group
incidents by the incident's own date, type, country or standing, so an incident is counted once even
when its reports give different days.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    column,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
)

from wirewatch.errors import UserError
from wirewatch.incidents.model import standing
from wirewatch.query import EventFilter, countries
from wirewatch.store import counters, map_window
from wirewatch.store import incident_derived as derived
from wirewatch.store import schema as s
from wirewatch.store.filters import RTREE_COLUMNS, box_clause, where_all
from wirewatch.store.incidents import reports_of
from wirewatch.store.read import id_list
from wirewatch.store.schema import DATE_CLASSES

INCIDENT_ORDERS = ("date", "-date", "reports", "-reports", "first_report", "-first_report",
                   "last_report", "-last_report")
COUNTS = ("incidents", "events")


def check_count(count: str) -> str:
    """``count`` must be ``incidents`` or ``events``."""
    if count not in COUNTS:
        raise UserError(f"unknown count {count!r}; use incidents or events")
    return count


SUMMARY_FIELDS = ("types", "country", "bbox", "date_from", "date_to")


_RTREE = table("incidents_rtree", *(column(c) for c in RTREE_COLUMNS))
# the map's dense pages (store/map_window.py): exact clauses are the summary's, without the tree
_MAP_TABLE = map_window.MapTable(
    s.incidents, _RTREE, literal_column("incidents.rowid"),
    lambda flt: [*_summary_where(flt), *map_window.located(s.incidents)])


def has_rtree(conn: Connection, name: str = "incidents_rtree") -> bool:
    """Whether this is SQLite with the R*Tree ``name`` (incidents: migration 0035, events: 0037),
    remembered per connection."""
    if conn.dialect.name != "sqlite":
        return False
    key = f"wirewatch_{name}"
    have = conn.info.get(key)
    if have is None:
        have = conn.info[key] = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).first() is not None
    return bool(have)


def _summary_where(flt: EventFilter, rtree: bool = False) -> list[ColumnElement[bool]]:
    """Clauses on the incident's own best type / place / date (the same rules as for events);
    ``rtree``: a bbox is looked up in the R*Tree first (SQLite, migration 0035)."""
    i = s.incidents.c
    out: list[ColumnElement[bool]] = []
    if rtree and flt.bbox is not None and flt.bbox[0] <= flt.bbox[2]:
        out.append(box_clause(_RTREE, literal_column("incidents.rowid"), flt))
    if flt.types:
        out.append(i.event_type.in_(list(flt.types)))
    if flt.country:
        out.append(i.country.in_(countries(flt.country)))
    if flt.bbox is not None:
        w, so, e, n = flt.bbox
        out.append(i.lat.between(so, n))
        out.append(i.lon.between(w, e) if w <= e else or_(i.lon >= w, i.lon <= e))
    if flt.date_to is not None:
        out.append(i.date_start <= flt.date_to)
    if flt.date_from is not None:
        out.append(i.date_end >= flt.date_from)
        branches = [  # no lower bound before 0001-01-01 (date.min): a long period may start anywhere
            i.date_class == cls if longest is None or (flt.date_from - date.min).days < longest
            else and_(i.date_class == cls, i.date_start > flt.date_from - timedelta(days=longest))
            for cls, longest in DATE_CLASSES
        ]
        out.append(or_(*branches))
    return out


def split_filter(flt: EventFilter | None, rtree: bool = False) -> tuple[list[ColumnElement[bool]],
                                                                         EventFilter | None]:
    """(clauses on the incident's summary, the report-level rest of the filter or None)."""
    if flt is None or flt.is_empty():
        return [], None
    rest = replace(flt, **{f: (() if f == "types" else None) for f in SUMMARY_FIELDS})
    return _summary_where(flt, rtree), (None if rest.is_empty() else rest)


def matching(flt: EventFilter | None, conn: Connection) -> ColumnElement[bool] | None:
    """Incidents matching ``flt`` (None: every incident).

    Type, country, bbox and date range are tested on the incident's own best type, place and date
    (so the map and the timeline place it where they show it); the report-level filters (actor,
    actor country, modality, confidence, text, article) match when any of its reports does.
    """
    dialect = conn.dialect.name
    summary, rest = split_filter(flt, has_rtree(conn))
    clauses = list(summary)
    if rest is not None and summary:  # few incidents pass the summary test: probe their reports
        e = s.events.c
        # correlate the incident only: a caller that joins its representative event (the map) must not
        # have ``events`` correlated away from the probe
        probe = exists().where(e.incident_id == s.incidents.c.id, where_all(rest, dialect, probe=True))
        clauses.append(probe.correlate(s.incidents))
    elif rest is not None:
        clauses.append(s.incidents.c.id.in_(select(s.events.c.incident_id).where(where_all(rest, dialect))))
    return and_(*clauses) if clauses else None


def _order(order: str) -> list[Any]:
    i = s.incidents.c
    cols = {"date": i.date_start, "reports": i.n_reports, "first_report": i.first_report,
            "last_report": i.last_report}
    name = order.lstrip("-")
    if name not in cols or order.count("-") > 1:
        raise UserError(f"unknown order {order!r}; use one of: {', '.join(INCIDENT_ORDERS)}")
    col = cols[name]
    if order.startswith("-"):
        return [col.desc().nulls_last(), i.id]
    return [col.asc().nulls_last(), i.id]


def count_incidents(conn: Connection, flt: EventFilter | None, counted: bool = False) -> int:
    """Number of incidents with a report matching ``flt`` (``counted``: the counters of migration 0034
    exist, so every incident is one read)."""
    if counted and (flt is None or flt.is_empty()):
        return counters.value(conn, "inc", "incidents")
    cond = matching(flt, conn)
    q = select(func.count()).select_from(s.incidents)
    if cond is not None:
        q = q.where(cond)
    return int(conn.execute(q).scalar_one())


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def incident_dicts(conn: Connection, rows: list[Any]) -> list[dict[str, Any]]:
    """API records of incident rows: summary, outlets, standing and the ids of every report."""
    reports, arts = reports_of(conn, [r.id for r in rows])
    out = []
    for r in rows:
        reps = reports.get(r.id, [])
        outlets = sorted({a.outlet for a in arts.get(r.id, []) if a.outlet})
        out.append({
            "id": r.id,
            "event_type": r.event_type,
            "mode": r.mode,
            "cameo_root": r.cameo_root,
            "location": None if r.location_name is None and r.lat is None else {
                "text": r.location_text, "name": r.location_name, "country": r.country,
                "admin1": r.admin1, "lat": r.lat, "lon": r.lon, "geonameid": r.geonameid,
                "feature_code": r.feature_code, "resolution": r.resolution,
            },
            "date": {"value": r.date_value, "precision": r.date_precision,
                     "start": _iso(r.date_start), "end": _iso(r.date_end)},
            "first_report": _iso(r.first_report),
            "last_report": _iso(r.last_report),
            "n_reports": r.n_reports,
            "n_articles": r.n_articles,
            "n_outlets": r.n_outlets,
            "outlets": outlets,
            "articles": [a.article_id for a in arts.get(r.id, [])],
            "standing": standing(reps),
            "representative": r.rep_event,
            "manual": bool(r.manual),
            "event_ids": [x.event_id for x in reps],
        })
    return out


def list_incidents(conn: Connection, flt: EventFilter | None, limit: int = 100, offset: int = 0,
                   order: str = "-date") -> list[dict[str, Any]]:
    """A page of incidents with a report matching ``flt``."""
    if limit < 0 or offset < 0:
        raise UserError("limit and offset must be >= 0")
    q = select(s.incidents).order_by(*_order(order)).limit(limit).offset(offset)
    cond = matching(flt, conn)
    if cond is not None:
        q = q.where(cond)
    return incident_dicts(conn, conn.execute(q).all())


def incident_page(conn: Connection, flt: EventFilter | None, limit: int, offset: int, order: str = "-date",
                  counted: bool = False) -> tuple[list[dict[str, Any]], int]:
    """(:func:`list_incidents`, :func:`count_incidents`) of one filter. A filter on the incident
    (type, country, place, date) *and* on its reports (text, actor, ...) must probe the reports of
    every incident the first part selects to count them, so there one query pages and counts (a
    window count over the matches' ids; the page's rows are read by id after): one pass, one
    full-text lookup. Any other filter counts from an index or the counters, and pages by itself."""
    summary, rest = split_filter(flt, has_rtree(conn))
    if not summary or rest is None:
        return list_incidents(conn, flt, limit, offset, order), count_incidents(conn, flt, counted)
    if limit < 0 or offset < 0:
        raise UserError("limit and offset must be >= 0")
    i = s.incidents.c
    q = (select(i.id, func.count().over().label("total")).where(matching(flt, conn))
         .order_by(*_order(order)).limit(limit).offset(offset))
    page = conn.execute(q).all()
    if not page:  # past the last match (or limit 0): the page holds no count
        return [], count_incidents(conn, flt, counted) if (offset or not limit) else 0
    ids = [r.id for r in page]
    rows = {r.id: r for r in conn.execute(select(s.incidents).where(id_list(conn.dialect.name, ids)(i.id)))}
    return incident_dicts(conn, [rows[k] for k in ids]), int(page[0].total)


def map_page(conn: Connection, flt: EventFilter | None, limit: int, offset: int,
             order: str = "-date") -> tuple[list[str], int | None]:
    """(A page of located matching incidents as map features: GeoJSON Feature JSON text, see
    :func:`wirewatch.store.incident_derived.map_features`, read as stored with each incident; the
    number of matching incidents where a bbox is given, counted by the page's own query, else None)."""
    i = s.incidents.c
    windowed = map_window.window_page(conn, _MAP_TABLE, flt, order, (i.id,), _order(order), limit,
                                      offset) if has_rtree(conn) else None
    if windowed is not None:  # a dense bbox + date window: its newest (oldest) days only
        page, total = windowed
    else:
        boxed = flt is not None and flt.bbox is not None  # every match is located
        # the page's ids first, then their features: the sort then carries ids, not ~500-byte features
        cols = (i.id, func.count().over().label("total")) if boxed else (i.id,)
        q = (select(*cols).where(i.lat.is_not(None), i.lon.is_not(None))
             .order_by(*_order(order)).limit(limit).offset(offset))
        cond = matching(flt, conn)
        if cond is not None:
            q = q.where(cond)
        page = conn.execute(q).all()
        total = (int(page[0].total) if page else 0) if boxed and (page or offset == 0) else None
    ids = [r.id for r in page]
    if not ids:
        return [], total
    cols = [i[name] for name in derived.FEATURE_COLUMNS]
    rows = {r.id: r for r in conn.execute(
        select(i.map_feature, *cols).where(id_list(conn.dialect.name, ids)(i.id)))}
    missing = [dict(r._mapping) for r in rows.values() if r.map_feature is None]  # written with each row
    made = derived.map_features(conn, missing) if missing else {}
    return [rows[k].map_feature if rows[k].map_feature is not None else str(made[k]) for k in ids], total


def get_incident(conn: Connection, incident_id: str) -> dict[str, Any] | None:
    """One incident record (as listed), or None."""
    rows = conn.execute(select(s.incidents).where(s.incidents.c.id == incident_id)).all()
    return incident_dicts(conn, rows)[0] if rows else None


def _key(by: str, dialect: str) -> Any:
    i = s.incidents.c
    if by == "day":
        return i.date_start
    if by in ("month", "year"):
        if dialect == "sqlite":
            return func.substr(i.date_start, 1, 7 if by == "month" else 4)
        return func.to_char(i.date_start, "YYYY-MM" if by == "month" else "YYYY")
    column = {"type": i.event_type, "country": i.country, "modality": i.standing}.get(by)
    if column is None:
        raise UserError(f"cannot aggregate by {by!r}; use one of: day, month, year, type, country, modality")
    return column


def _bucket_rows(n: Counter[str], ev: Counter[str], by: str) -> list[dict[str, Any]]:
    width = {"month": 7, "year": 4}.get(by)
    if width:
        n_: Counter[str] = Counter()
        ev_: Counter[str] = Counter()
        for k, v in n.items():
            n_[k[:width]] += v
        for k, v in ev.items():
            ev_[k[:width]] += v
        n, ev = n_, ev_
    keys = sorted(n) if by in ("day", "month", "year") else sorted(n, key=lambda k: (-n[k], k))
    return [{"key": k, "count": n[k], "incidents": n[k], "events": ev[k]} for k in keys if n[k]]


def _counted_buckets(conn: Connection, by: str, lo: str | None = None,
                     hi: str | None = None) -> tuple[Counter[str], Counter[str]]:
    """(incidents, reports) per key from the counters kept on write; day keys within [lo, hi]."""
    kind, reports_kind = derived.BY_KIND["day" if by in ("month", "year") else by]
    n: Counter[str] = Counter(dict(counters.buckets(conn, kind, lo, hi)))
    ev: Counter[str] = Counter(dict(counters.buckets(conn, reports_kind, lo, hi)))
    return n, ev


def _window_buckets(conn: Connection, flt: EventFilter, by: str) -> list[dict[str, Any]]:
    """:func:`aggregate_incidents` by day/month/year for a date window alone: the day counters of
    the days inside the window, plus a scan of the incidents that start before it and reach into it
    (bounded by the longest period of each date class, as every date filter is)."""
    lo = flt.date_from.isoformat() if flt.date_from else None
    hi = flt.date_to.isoformat() if flt.date_to else None
    n, ev = _counted_buckets(conn, "day", lo, hi)
    if flt.date_from is not None and flt.date_from > date.min:
        reaching = replace(flt, date_to=flt.date_from - timedelta(days=1))
        i = s.incidents.c
        q = (select(i.date_start, func.count(), func.sum(i.n_reports))
             .where(*_summary_where(reaching), i.date_start.is_not(None)).group_by(i.date_start))
        for day, count, reports in conn.execute(q):
            key = counters.key_text(day)
            n[key] += int(count)
            ev[key] += int(reports or 0)
    return _bucket_rows(n, ev, by)


def aggregate_incidents(conn: Connection, flt: EventFilter | None, by: str,
                        counted: bool = False) -> list[dict[str, Any]]:
    """Incident counts grouped by the incident's day/month/year/type/country/standing (``modality``):
    ``{"key", "count" (incidents), "incidents", "events" (their matching reports)}``."""
    expr = _key(by, conn.dialect.name)
    if counted and (flt is None or flt.is_empty()):
        return _bucket_rows(*_counted_buckets(conn, by), by)
    if counted and by in ("day", "month", "year") and replace(flt, date_from=None, date_to=None).is_empty():
        return _window_buckets(conn, flt, by)  # the timeline's date brush
    key = expr.label("key")
    summary, rest = split_filter(flt, has_rtree(conn))
    if rest is None:
        n_inc, n_ev = func.count(), func.sum(s.incidents.c.n_reports)
        q = select(key, n_inc.label("n"), n_ev.label("ev")).select_from(s.incidents).where(*summary)
    else:
        joined = s.events.join(s.incidents, s.incidents.c.id == s.events.c.incident_id)
        n_inc, n_ev = func.count(s.incidents.c.id.distinct()), func.count()
        q = select(key, n_inc.label("n"), n_ev.label("ev")).select_from(joined).where(
            where_all(rest, conn.dialect.name), *summary)
    q = q.where(expr.is_not(None)).group_by(expr)
    q = q.order_by(key) if by in ("day", "month", "year") else q.order_by(n_inc.desc(), key)
    out = []
    for r in conn.execute(q):
        k = r.key.isoformat() if hasattr(r.key, "isoformat") else r.key
        out.append({"key": k, "count": int(r.n), "incidents": int(r.n), "events": int(r.ev or 0)})
    return out


def _counted_actors(conn: Connection, limit: int) -> list[dict[str, Any]]:
    """:func:`actors_incidents` of every incident, from the counters kept on write."""
    act, c = s.actors, s.event_counts.c
    ranked = counters.top(conn, "inc_actor", limit)
    ids = [a for a, _ in ranked]
    meta = {r.actor_id: r for r in conn.execute(select(act).where(act.c.actor_id.in_(ids)))}
    more = {(r.kind, r.key): int(r.n) for r in conn.execute(select(c.kind, c.key, c.n).where(
        c.kind.in_(("actor", "inc_actor_src", "inc_actor_tgt")), c.key.in_(ids)))}
    return [
        {"actor_id": a, "name": meta[a].name, "country": meta[a].country, "sector": meta[a].sector,
         "known": bool(meta[a].known), "count": n, "incidents": n, "events": more.get(("actor", a), 0),
         "as_source": more.get(("inc_actor_src", a), 0), "as_target": more.get(("inc_actor_tgt", a), 0)}
        for a, n in ranked if a in meta
    ]


def actors_incidents(conn: Connection, flt: EventFilter | None, limit: int = 100,
                     counted: bool = False) -> list[dict[str, Any]]:
    """Actors of the matching reports, most incidents first: ``actor_id, name, country, sector,
    known, count (= incidents), incidents, events, as_source, as_target`` (the last two in incidents)."""
    if counted and (flt is None or flt.is_empty()):
        return _counted_actors(conn, limit)
    ea, act = s.event_actors, s.actors
    inc = ea.c.incident_id  # = the event's (kept in step by store/incidents.py): no join with events
    n = func.count(inc.distinct()).label("incidents")
    n_ev = func.count(ea.c.event_id.distinct()).label("events")
    src = func.count(inc.distinct()).filter(ea.c.role == "source").label("as_source")
    tgt = func.count(inc.distinct()).filter(ea.c.role == "target").label("as_target")
    cols = (act.c.actor_id, act.c.name, act.c.country, act.c.sector, act.c.known)
    q = (
        select(*cols, n, n_ev, src, tgt)
        .select_from(ea.join(act, act.c.actor_id == ea.c.actor_id))
        .group_by(*cols).order_by(n.desc(), act.c.actor_id).limit(limit)
    )
    cond = matching(flt, conn)
    if cond is not None:
        q = q.where(inc.in_(select(s.incidents.c.id).where(cond)))
    return [
        {"actor_id": r.actor_id, "name": r.name, "country": r.country, "sector": r.sector,
         "known": bool(r.known), "count": int(r.incidents), "incidents": int(r.incidents),
         "events": int(r.events), "as_source": int(r.as_source or 0), "as_target": int(r.as_target or 0)}
        for r in conn.execute(q)
    ]

"""Counters kept current as rows are written (table ``event_counts``, migration 0031).

What the UI asks on first load (every total, the unfiltered timeline, the type/country/modality
breakdowns, the top actors, the stats panel) would otherwise be a ``COUNT(*)``/``GROUP BY`` over all
events, growing with the database. Instead each write transaction adds its counts here (one upsert
per key, in the same transaction, under the store's single-writer lock), and unfiltered reads sum a
few rows. Keys: ``(kind, key)`` with kind ``total`` (events, located_events, articles, duplicates,
mentions, toponyms, timexes), ``day`` (an event's ``date_start``), ``type``, ``country``,
``modality``, ``end`` (an event's ``date_end``: the last date is its largest key), ``day_type``
(``TYPE|YYYY-MM-DD``: a type's timeline is one key range; migration 0039), and
``actor``/``actor_src``/``actor_tgt`` (events per actor id, as either, as source,
as target). The store is append-only; a future delete must decrement them in its transaction.
Incidents keep their own kinds (``inc*``) here, added and subtracted as incident rows are rewritten
(``store/incident_derived.py``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect

from wirewatch.store import schema as s

Key = tuple[str, str]


def count_rows(rows: Any) -> Counter[Key]:
    """The counter increments for a batch of :class:`wirewatch.store.write.Rows`."""
    c: Counter[Key] = Counter()
    c["total", "articles"] += len(rows.articles)
    c["total", "mentions"] += len(rows.mentions)
    c["total", "toponyms"] += len(rows.toponyms)
    c["total", "timexes"] += len(rows.timexes)
    for ev in rows.events:
        c["total", "events"] += 1
        if ev["lat"] is not None:
            c["total", "located_events"] += 1
        if ev["date_start"] is not None:
            c["day", ev["date_start"].isoformat()] += 1
            c["day_type", day_type_key(ev["event_type"], ev["date_start"].isoformat())] += 1
        if ev["date_end"] is not None:
            c["end", ev["date_end"].isoformat()] += 1
        c["type", ev["event_type"]] += 1
        c["modality", ev["modality"]] += 1
        if ev["country"] is not None:
            c["country", ev["country"]] += 1
    roles: dict[str, set[tuple[str, str]]] = {}
    for ea in rows.event_actors:
        roles.setdefault(ea["event_id"], set()).add((ea["actor_id"], ea["role"]))
    for pairs in roles.values():
        for actor in {a for a, _ in pairs}:
            c["actor", actor] += 1
        for actor, role in pairs:
            c["actor_src" if role == "source" else "actor_tgt", actor] += 1
    return c


def key_text(value: Any) -> str:
    """A grouped column's value as a counter key (dates as ISO days)."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def day_type_key(event_type: str, day: str) -> str:
    """The ``day_type`` key of a type's events on a day (types never contain ``|``)."""
    return f"{event_type}|{day}"


def scanned_day_types(conn: Connection) -> Counter[Key]:
    """The ``day_type`` counters computed by a scan (migration 0039 fills them this way)."""
    e = s.events.c
    q = (select(e.event_type, e.date_start, func.count()).where(e.date_start.is_not(None))
         .group_by(e.event_type, e.date_start))
    return Counter({("day_type", day_type_key(t, key_text(d))): int(n) for t, d, n in conn.execute(q)})


def bump(conn: Connection, counts: Counter[Key]) -> None:
    """Add ``counts`` to the stored counters (INSERT ... ON CONFLICT DO UPDATE n = n + excluded.n)."""
    rows = [{"kind": k, "key": key, "n": n} for (k, key), n in sorted(counts.items()) if n]
    if not rows:
        return
    ins = (sqlite_dialect.insert if conn.dialect.name == "sqlite" else pg_dialect.insert)(s.event_counts)
    stmt = ins.on_conflict_do_update(index_elements=["kind", "key"],
                                     set_={"n": s.event_counts.c.n + ins.excluded.n})
    conn.execute(stmt, rows)


def total(conn: Connection, name: str) -> int:
    """A ``total`` counter (0 when nothing was counted)."""
    return value(conn, "total", name)


def value(conn: Connection, kind: str, key: str) -> int:
    """One counter (0 when nothing was counted)."""
    c = s.event_counts.c
    return int(conn.execute(select(c.n).where(c.kind == kind, c.key == key)).scalar() or 0)


def buckets(conn: Connection, kind: str, lo: str | None = None,
            hi: str | None = None) -> list[tuple[str, int]]:
    """Every ``(key, n)`` of one kind, by key; with ``lo``/``hi`` only keys within them (ISO days
    sort as text)."""
    c = s.event_counts.c
    q = select(c.key, c.n).where(c.kind == kind, c.n > 0).order_by(c.key)
    if lo is not None:
        q = q.where(c.key >= lo)
    if hi is not None:
        q = q.where(c.key <= hi)
    return [(key, int(n)) for key, n in conn.execute(q).all()]  # .all(): a timeline reads ~10k rows


def top(conn: Connection, kind: str, limit: int) -> list[tuple[str, int]]:
    """The ``limit`` largest counters of a kind (ties by key)."""
    c = s.event_counts.c
    q = select(c.key, c.n).where(c.kind == kind, c.n > 0).order_by(c.n.desc(), c.key).limit(limit)
    return [(r.key, int(r.n)) for r in conn.execute(q)]


def edge(conn: Connection, kind: str, last: bool) -> str | None:
    """The smallest (or largest) key of a kind with a count: e.g. the first event day."""
    c = s.event_counts.c
    q = select(c.key).where(c.kind == kind, c.n > 0).order_by(c.key.desc() if last else c.key).limit(1)
    return conn.execute(q).scalar()


def backfill(conn: Connection) -> None:
    """Count what is already stored (migration 0031): one GROUP BY per kind, run once."""
    bump(conn, scanned(conn))


def scanned(conn: Connection) -> Counter[Key]:
    """Every counter, computed by scanning the tables (the backfill; a store without 0031)."""
    e, a, ea = s.events.c, s.articles.c, s.event_actors.c
    counts: Counter[Key] = Counter()

    def n(table: Any, *cond: Any) -> int:
        return int(conn.execute(select(func.count()).select_from(table).where(*cond)).scalar_one())

    counts["total", "events"] = n(s.events)
    counts["total", "located_events"] = n(s.events, e.lat.is_not(None))
    counts["total", "articles"] = n(s.articles, a.duplicate_of.is_(None))
    counts["total", "duplicates"] = n(s.articles, a.duplicate_of.is_not(None))
    for name, table in (("mentions", s.mentions), ("toponyms", s.toponyms), ("timexes", s.timexes)):
        counts["total", name] = n(table)
    for kind, col in (("day", e.date_start), ("end", e.date_end), ("type", e.event_type),
                      ("modality", e.modality), ("country", e.country)):
        for key, cnt in conn.execute(select(col, func.count()).where(col.is_not(None)).group_by(col)):
            counts[kind, key_text(key)] = int(cnt)
    counts.update(scanned_day_types(conn))
    events = func.count(ea.event_id.distinct())
    roles = (("actor", None), ("actor_src", ea.role == "source"), ("actor_tgt", ea.role == "target"))
    for kind, cond in roles:
        q = select(ea.actor_id, events).group_by(ea.actor_id)
        for actor, cnt in conn.execute(q if cond is None else q.where(cond)):
            counts[kind, actor] = int(cnt)
    return counts

"""What the store derives from each incident's summary row on write, so reads at scale stay flat.

Three things are kept in step with ``incidents`` by :func:`wirewatch.store.incidents.refresh` (the one
place that writes incident rows), in the same transaction:

- **counters** in ``event_counts`` (kinds in :data:`KINDS`): incidents in total, per day (the incident's
  ``date_start``), type, location country and standing, each also summing their reports (``*_r``),
  and incidents per actor (as either, as source, as target). The unfiltered timeline, breakdowns,
  totals and top actors by incidents read a few rows instead of scanning every incident;
- **incident_actors**: the distinct (incident, actor, role) pairs of an incident's reports;
- **incidents.map_feature**: the incident's map feature (GeoJSON, with its report ids and the
  representative report's trigger, confidence, source and target names) as JSON text, so a map page is
  one index read and a join of stored strings.

A refresh subtracts what the old rows contributed and adds what the new rows contribute; ``relink``
and migration 0034 rebuild everything with :func:`rebuild`.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update

from wirewatch.store import counters
from wirewatch.store import schema as s
from wirewatch.store.read import actor_names, id_list

KINDS = ("inc", "inc_day", "inc_day_r", "inc_type", "inc_type_r", "inc_country", "inc_country_r",
         "inc_standing", "inc_standing_r", "inc_actor", "inc_actor_src", "inc_actor_tgt")
# aggregate ``by`` -> (incidents kind, reports kind); month and year sum the day counters
BY_KIND = {"day": ("inc_day", "inc_day_r"), "type": ("inc_type", "inc_type_r"),
           "country": ("inc_country", "inc_country_r"), "modality": ("inc_standing", "inc_standing_r")}
PAGE = 2000


def contributions(rows: Iterable[Mapping[str, Any]], pairs: Iterable[tuple[str, str, str]]) -> Counter[
        tuple[str, str]]:
    """The counter contributions of incident rows (``date_start, event_type, country, standing,
    n_reports, lat``) and of their (incident_id, actor_id, role) pairs."""
    c: Counter[tuple[str, str]] = Counter()
    for r in rows:
        n = int(r["n_reports"] or 0)
        c["inc", "incidents"] += 1
        c["inc", "reports"] += n
        if r["lat"] is not None:
            c["inc", "located"] += 1
        keys = {"day": r["date_start"].isoformat() if r["date_start"] is not None else None,
                "type": r["event_type"], "country": r["country"], "modality": r["standing"]}
        for by, key in keys.items():
            if key is not None:
                kind, reports = BY_KIND[by]
                c[kind, key] += 1
                c[reports, key] += n
    actors: dict[str, set[str]] = defaultdict(set)
    for inc, actor, role in pairs:
        actors[actor].add(inc)
        c["inc_actor_src" if role == "source" else "inc_actor_tgt", actor] += 1
    for actor, incs in actors.items():
        c["inc_actor", actor] += len(incs)
    return c


def _summary_rows(conn: Connection, ids: Sequence[str]) -> list[dict[str, Any]]:
    i = s.incidents.c
    q = select(i.id, i.date_start, i.event_type, i.country, i.standing, i.n_reports, i.lat).where(
        id_list(conn.dialect.name, list(ids))(i.id))
    return [dict(r._mapping) for r in conn.execute(q)]


def stored_pairs(conn: Connection, ids: Sequence[str]) -> list[tuple[str, str, str]]:
    """The stored ``incident_actors`` rows of these incidents."""
    ia = s.incident_actors.c
    q = select(ia.incident_id, ia.actor_id, ia.role).where(
        id_list(conn.dialect.name, list(ids))(ia.incident_id))
    return [tuple(r) for r in conn.execute(q)]


def report_pairs(conn: Connection, ids: Sequence[str]) -> list[tuple[str, str, str]]:
    """The distinct (incident, actor, role) pairs of these incidents' reports, as linked now."""
    e, ea = s.events.c, s.event_actors.c
    q = (select(e.incident_id, ea.actor_id, ea.role).distinct()
         .select_from(s.events.join(s.event_actors, ea.event_id == e.id))
         .where(id_list(conn.dialect.name, list(ids))(e.incident_id)))
    return [tuple(r) for r in conn.execute(q)]


def before(conn: Connection, ids: Sequence[str]) -> Counter[tuple[str, str]]:
    """What the stored rows of these incidents contribute to the counters now (to be subtracted)."""
    out: Counter[tuple[str, str]] = Counter()
    for i in range(0, len(ids), PAGE):
        ch = ids[i:i + PAGE]
        out.update(contributions(_summary_rows(conn, ch), stored_pairs(conn, ch)))
    return out


MODALITY_OF_STANDING = {"disputed": "claimed", "denied": "negated"}
FEATURE_COLUMNS = ("id", "rep_event", "event_type", "standing", "date_value", "n_reports", "n_outlets",
                   "location_name", "location_text", "country", "resolution", "lat", "lon")


def map_features(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> dict[str, str | None]:
    """``incident id -> its map feature`` (GeoJSON Feature as JSON text; None without a place) for
    incident rows (:data:`FEATURE_COLUMNS`). One feature per incident at its best place; its ``id`` is
    the representative report (a client that opens ``/api/events/{id}`` on click keeps working),
    ``properties.incident`` the incident; trigger, confidence, source and target are the
    representative's, ``event_ids`` every report (in insertion order)."""
    located = [r for r in rows if r["lat"] is not None and r["lon"] is not None]
    out: dict[str, str | None] = {r["id"]: None for r in rows}
    if not located:
        return out
    dialect = conn.dialect.name
    e = s.events.c
    members: dict[str, list[str]] = defaultdict(list)
    q = select(e.incident_id, e.id).where(id_list(dialect, [r["id"] for r in located])(e.incident_id))
    for inc, eid in conn.execute(q.order_by(e.pk)):
        members[inc].append(eid)
    rep_ids = sorted({r["rep_event"] for r in located})
    heads = {r.id: r for r in conn.execute(
        select(e.id, e.trigger_text, e.confidence).where(id_list(dialect, rep_ids)(e.id)))}
    names = actor_names(conn, rep_ids)
    for r in located:
        rep, head = r["rep_event"], heads.get(r["rep_event"])
        out[r["id"]] = json.dumps({
            "type": "Feature",
            "id": rep,
            "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
            "properties": {
                "id": rep, "incident": r["id"], "event_type": r["event_type"],
                "modality": MODALITY_OF_STANDING.get(r["standing"], r["standing"]),
                "standing": r["standing"], "date": r["date_value"], "n_reports": r["n_reports"],
                "n_outlets": r["n_outlets"], "place": r["location_name"] or r["location_text"],
                "country": r["country"], "resolution": r["resolution"],
                "event_ids": members.get(r["id"], []),
                "confidence": round(head.confidence, 4) if head else None,
                "trigger": head.trigger_text if head else None,
                "source": names.get((rep, "source"), []), "target": names.get((rep, "target"), []),
            },
        }, ensure_ascii=False)
    return out


def write_pairs(conn: Connection, pairs: Sequence[tuple[str, str, str]]) -> None:
    """Insert ``incident_actors`` rows."""
    rows = [{"incident_id": i, "actor_id": a, "role": r} for i, a, r in pairs]
    for k in range(0, len(rows), 5000):
        conn.execute(s.incident_actors.insert(), rows[k:k + 5000])


def delete_pairs(conn: Connection, ids: Sequence[str]) -> None:
    """Delete the ``incident_actors`` rows of these incidents."""
    ia = s.incident_actors.c
    for i in range(0, len(ids), PAGE):
        conn.execute(delete(s.incident_actors).where(id_list(conn.dialect.name, list(ids[i:i + PAGE]))(
            ia.incident_id)))


def clear(conn: Connection) -> None:
    """Forget everything derived (every incident is about to be recomputed)."""
    conn.execute(delete(s.event_counts).where(s.event_counts.c.kind.in_(KINDS)))
    conn.execute(delete(s.incident_actors))


def rebuild(conn: Connection) -> int:
    """Recompute the counters, ``incident_actors`` and ``map_feature`` of every stored incident, a
    page of incidents at a time (migration 0034); returns how many incidents."""
    clear(conn)
    i = s.incidents.c
    cols = [i[name] for name in FEATURE_COLUMNS] + [i.date_start]  # what features and counters read
    last, total = "", 0
    while True:
        page = [dict(r._mapping) for r in conn.execute(
            select(*cols).where(i.id > last).order_by(i.id).limit(PAGE))]
        if not page:
            return total
        last, total = page[-1]["id"], total + len(page)
        pairs = report_pairs(conn, [r["id"] for r in page])
        write_pairs(conn, pairs)
        counters.bump(conn, contributions(page, pairs))
        features = map_features(conn, page)
        conn.execute(update(s.incidents).where(i.id == bindparam("iid"))
                     .values(map_feature=bindparam("feature")),
                     [{"iid": k, "feature": v} for k, v in features.items()])

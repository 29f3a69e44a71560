"""Rebuild SPEC event records (dicts) from table rows, a page at a time (a fixed number of queries)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Integer,
    Select,
    String,
    and_,
    any_,
    bindparam,
    func,
    select,
)

from wirewatch.store.schema import (
    articles,
    attributions,
    event_actors,
    events,
    mentions,
    places,
    toponyms,
)

EVENT_COLUMNS = (
    events.c.pk, events.c.id, events.c.article_id, events.c.ord, events.c.sentence_idx,
    events.c.event_type, events.c.mode, events.c.contexts, events.c.cameo_root,
    events.c.trigger_text, events.c.trigger_start, events.c.trigger_end, events.c.location_idx,
    events.c.modality, events.c.confidence,
    articles.c.url.label("a_url"), articles.c.title.label("a_title"),
    articles.c.source.label("a_source"), articles.c.published.label("a_published"),
    events.c.sentence_start.label("s_start"), events.c.sentence_end.label("s_end"),
    toponyms.c.text.label("l_text"), toponyms.c.start.label("l_start"), toponyms.c.end.label("l_end"),
    places.c.geonameid.label("l_geonameid"), places.c.name.label("l_name"),
    places.c.country.label("l_country"), places.c.admin1.label("l_admin1"),
    places.c.lat.label("l_lat"), places.c.lon.label("l_lon"),
    places.c.feature_code.label("l_feature_code"), places.c.resolution.label("l_resolution"),
    events.c.date_text.label("d_text"), events.c.date_text_start.label("d_start"),
    events.c.date_text_end.label("d_end"), events.c.date_value.label("d_value"),
    events.c.date_precision.label("d_precision"), events.c.incident_id,
)


def event_select() -> Select[Any]:
    """SELECT of every column a record needs except actors and attributions: the event (with its
    sentence and date copies) joined to its article and location (toponym + place)."""
    joined = (
        events.join(articles, articles.c.id == events.c.article_id)
        .outerjoin(toponyms, and_(
            toponyms.c.article_id == events.c.article_id, toponyms.c.idx == events.c.location_idx,
        ))
        .outerjoin(places, places.c.place_key == toponyms.c.place_key)
    )
    return select(*EVENT_COLUMNS).select_from(joined)


def id_list(dialect: str, values: Sequence[Any]) -> Callable[[Any], ColumnElement[bool]]:
    """``column IN values`` with the whole list bound as ONE parameter (a JSON array read by
    ``json_each`` on SQLite, an array with ``= ANY`` on PostgreSQL): no per-value placeholders to
    render, no parameter-count limits."""
    if dialect == "sqlite":
        each = func.json_each(bindparam("ids_json", json.dumps(list(values)), type_=String)).table_valued(
            "value"
        )
        return lambda col: col.in_(select(each.c.value))
    param = bindparam("ids_array", list(values), type_=ARRAY(String if isinstance(values[0], str)
                                                                  else Integer))
    return lambda col: col == any_(param)


def id_params(dialect: str, values: Sequence[Any]) -> dict[str, Any]:
    """The parameter of an :func:`id_list` clause for ``values``: a statement built once with
    placeholder values runs for any list (``conn.execute(stmt, id_params(...))``)."""
    return {"ids_json": json.dumps(list(values))} if dialect == "sqlite" else {"ids_array": list(values)}


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def build_records(conn: Connection, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """SPEC event records for ``rows`` (from :func:`event_select`), in the same order."""
    if not rows:
        return []
    keys = list(rows[0]._fields)
    # plain dicts: Row attribute access costs ~1 µs per field, a dict lookup a few ns
    recs = [dict(zip(keys, row, strict=True)) for row in rows]
    ev_ids = [r["id"] for r in recs]

    ids = id_list(conn.dialect.name, ev_ids)
    actors_of: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    q = (
        select(
            event_actors.c.event_id, event_actors.c.role, mentions.c.text, mentions.c.start,
            mentions.c.end, mentions.c.actor_id, mentions.c.name, mentions.c.country,
            mentions.c.sector,
        )
        .select_from(event_actors.join(mentions, and_(
            mentions.c.article_id == event_actors.c.article_id,
            mentions.c.idx == event_actors.c.mention_idx,
        )))
        .where(ids(event_actors.c.event_id))
        .order_by(event_actors.c.event_id, event_actors.c.role, event_actors.c.ord)
    )
    for eid, role, text, start, end, actor_id, name, country, sector in conn.execute(q):
        actors_of[(eid, role)].append({
            "text": text, "start": start, "end": end, "actor_id": actor_id,
            "name": name, "country": country, "sector": sector,
        })

    attrib_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    q = (
        select(
            attributions.c.event_id, attributions.c.text, attributions.c.start,
            attributions.c.end, attributions.c.actor_id, attributions.c.role,
        )
        .where(ids(attributions.c.event_id))
        .order_by(attributions.c.event_id, attributions.c.ord)
    )
    for eid, text, start, end, actor_id, role in conn.execute(q):
        attrib_of[eid].append(
            {"text": text, "start": start, "end": end, "actor_id": actor_id, "role": role}
        )

    out = []
    for r in recs:
        out.append({
            "id": r["id"],
            "article": {
                "id": r["article_id"], "url": r["a_url"], "title": r["a_title"], "source": r["a_source"],
                "published": _iso(r["a_published"]),
            },
            "sentence": {"index": r["sentence_idx"], "start": r["s_start"], "end": r["s_end"]},
            "event_type": r["event_type"],
            "mode": r["mode"],
            "contexts": r["contexts"].split(",") if r["contexts"] else [],
            "cameo_root": r["cameo_root"],
            "trigger": {"text": r["trigger_text"], "start": r["trigger_start"], "end": r["trigger_end"]},
            "source": actors_of.get((r["id"], "source"), []),
            "target": actors_of.get((r["id"], "target"), []),
            "location": None if r["location_idx"] is None else {
                "text": r["l_text"], "start": r["l_start"], "end": r["l_end"], "geonameid": r["l_geonameid"],
                "name": r["l_name"], "country": r["l_country"], "admin1": r["l_admin1"], "lat": r["l_lat"],
                "lon": r["l_lon"], "feature_code": r["l_feature_code"], "resolution": r["l_resolution"],
            },
            "date": {
                "text": r["d_text"], "start": r["d_start"], "end": r["d_end"], "value": r["d_value"],
                "precision": r["d_precision"],
            },
            "modality": r["modality"],
            "attribution": attrib_of.get(r["id"], []),
            "confidence": round(r["confidence"], 4),
            "incident": r["incident_id"],
        })
    return out


def evidence(article_text: str, record: dict[str, Any]) -> dict[str, Any]:
    """The evidence block of :meth:`Store.event`: article text, sentence text and every span."""
    sent = record["sentence"]
    spans: list[dict[str, Any]] = [{"role": "trigger", **record["trigger"]}]
    for role in ("source", "target"):
        spans.extend(
            {"role": role, "text": m["text"], "start": m["start"], "end": m["end"]} for m in record[role]
        )
    loc = record["location"]
    if loc is not None:
        spans.append({"role": "location", "text": loc["text"], "start": loc["start"], "end": loc["end"]})
    d = record["date"]
    if d["text"] is not None and d["start"] is not None:
        spans.append({"role": "date", "text": d["text"], "start": d["start"], "end": d["end"]})
    spans.extend(
        {"role": "attribution", "text": a["text"], "start": a["start"], "end": a["end"]}
        for a in record["attribution"]
    )
    spans.sort(key=lambda s: (s["start"], s["end"]))
    return {
        "article_text": article_text,
        "sentence_text": article_text[sent["start"]:sent["end"]],
        "spans": spans,
    }


def actor_names(conn: Connection, event_ids: Sequence[str]) -> dict[tuple[str, str], list[str]]:
    """``(event id, role) -> the names of its source or target actors`` (the actor's name, else the
    mention's text), in the event's order: what map features show of each side."""
    names: dict[tuple[str, str], list[str]] = defaultdict(list)
    if not event_ids:
        return names
    ea, m = event_actors.c, mentions.c
    joined = event_actors.join(mentions, and_(m.article_id == ea.article_id, m.idx == ea.mention_idx))
    q = (
        select(ea.event_id, ea.role, m.name, m.text)
        .select_from(joined)
        .where(id_list(conn.dialect.name, list(event_ids))(ea.event_id))
        .order_by(ea.event_id, ea.role, ea.ord)
    )
    for eid, role, name, text in conn.execute(q):
        names[eid, role].append(name or text)
    return names


def map_feature(event_id: str, props: dict[str, Any], lat: float | None, lon: float | None) -> str | None:
    """One event's map feature as JSON text (None without a point): ``props`` are event_type,
    modality, date, confidence (rounded here), trigger, source and target names, place, country and
    resolution. The writer stores it with the event; :func:`build_map_features` rebuilds it."""
    if lat is None or lon is None:
        return None
    props = {"id": event_id, **props, "confidence": round(float(props["confidence"]), 4)}
    return json.dumps({"type": "Feature", "id": event_id, "geometry": {"type": "Point",
                       "coordinates": [lon, lat]}, "properties": props}, ensure_ascii=False)


def stored_map_features(conn: Connection, pks: Sequence[int]) -> list[str]:
    """The map features (JSON text) of the located events with these keys, in the given order: as
    stored with each event, built from its rows where none is stored."""
    if not pks:
        return []
    stored = dict(conn.execute(select(events.c.pk, events.c.map_feature).where(
        id_list(conn.dialect.name, list(pks))(events.c.pk))).all())
    missing = [pk for pk in pks if stored.get(pk) is None]
    stored.update(build_map_features(conn, missing) if missing else {})
    return [f for f in (stored.get(pk) for pk in pks) if f is not None]


def build_map_features(conn: Connection, pks: Sequence[int]) -> dict[int, str | None]:
    """``pk -> map feature`` (JSON text, None when the event has no point) built from the event's
    rows (event, toponym, place, actor mentions): for rows stored without one (migration 0038)."""
    if not pks:
        return {}
    e, t, p = events.c, toponyms, places
    joined = (
        events.outerjoin(t, and_(t.c.article_id == e.article_id, t.c.idx == e.location_idx))
        .outerjoin(p, p.c.place_key == t.c.place_key)
    )
    q = (select(e.pk, e.id, e.event_type, e.modality, e.date_value, e.confidence, e.trigger_text, e.lat,
                e.lon, t.c.text, p.c.name, p.c.country, p.c.lat.label("p_lat"), p.c.lon.label("p_lon"),
                p.c.resolution)
         .select_from(joined).where(id_list(conn.dialect.name, list(pks))(e.pk)))
    rows = {r.pk: r for r in conn.execute(q)}
    names = actor_names(conn, [r.id for r in rows.values()])
    out: dict[int, str | None] = {}
    for pk in pks:
        r = rows.get(pk)
        if r is None:
            continue
        out[pk] = map_feature(r.id, {
            "event_type": r.event_type, "modality": r.modality, "date": r.date_value,
            "confidence": r.confidence, "trigger": r.trigger_text,
            "source": names.get((r.id, "source"), []), "target": names.get((r.id, "target"), []),
            "place": r.name or r.text, "country": r.country, "resolution": r.resolution,
        }, r.p_lat if r.p_lat is not None else r.lat, r.p_lon if r.p_lon is not None else r.lon)
    return out

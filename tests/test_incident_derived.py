"""What the store keeps of every incident on write (incident counters, incident_actors, map_feature) equals
what a scan computes, through ingest, split, merge, relink and the 0034 rebuild, on SQLite and PG."""

from __future__ import annotations

import json

from conftest import ROOT
from helpers import fresh_pg_schema, pg_server_or_skip, synthetic_news, write_jsonl
from sqlalchemy import select

from wirewatch.incidents import merge_incidents, relink_all, split_incident
from wirewatch.ingest.runner import ingest
from wirewatch.query import EventFilter
from wirewatch.store import Store
from wirewatch.store import incident_derived as derived
from wirewatch.store import schema as sch

EVERYTHING = EventFilter(min_confidence=0.0)  # matches every event but takes the scanning path
BYS = ("day", "month", "year", "type", "country", "modality")


def _kept(store: Store) -> dict:
    with store.engine.connect() as conn:
        c = sch.event_counts.c
        counts = sorted(tuple(r) for r in conn.execute(
            select(c.kind, c.key, c.n).where(c.kind.in_(derived.KINDS), c.n != 0)))
        pairs = sorted(tuple(r) for r in conn.execute(select(sch.incident_actors)))
        extras = dict(conn.execute(select(sch.incidents.c.id, sch.incidents.c.map_feature)).all())
    return {"counts": counts, "pairs": pairs, "extras": extras}


def _assert_in_step(store: Store) -> None:
    assert store.incident_counted
    for by in BYS:
        assert store.aggregate(EventFilter(), by, count="incidents") == store.aggregate(
            EVERYTHING, by, count="incidents"), by
    # a date window alone (the timeline's brush) reads the day counters plus the periods reaching in
    from datetime import date, timedelta

    from wirewatch.store import incidents_read as ir

    days = sorted({d["key"] for d in store.aggregate(EventFilter(), "day", count="incidents")})
    assert days
    edges = [date.fromisoformat(days[k]) for k in (0, len(days) // 2, -1)]
    windows = [(a + timedelta(days=s), b) for a in edges for b in (None, *edges) for s in (-400, 0, 1, 40)
               if b is None or a + timedelta(days=s) <= b] + [(None, b) for b in edges]
    with store.engine.connect() as conn:
        for lo, hi in windows:
            flt = EventFilter(date_from=lo, date_to=hi)
            for by in ("day", "month", "year"):
                assert ir.aggregate_incidents(conn, flt, by, counted=True) == ir.aggregate_incidents(
                    conn, flt, by, counted=False), (lo, hi, by)
    n = store.count_incidents()
    assert n == store.count_incidents(EVERYTHING) == store.stats()["incidents"] > 0
    assert store.actors(None, limit=100, count="incidents") == store.actors(EVERYTHING, limit=100,
                                                                              count="incidents")
    kept = _kept(store)
    with store.engine.connect() as conn:
        ids = list(kept["extras"])
        assert kept["pairs"] == sorted(derived.report_pairs(conn, ids))
        cols = [sch.incidents.c[name] for name in derived.FEATURE_COLUMNS]
        fresh = derived.map_features(conn, [dict(r._mapping) for r in conn.execute(select(*cols))])
    assert {k: v and json.loads(v) for k, v in kept["extras"].items()} == {
        k: v and json.loads(v) for k, v in fresh.items()}
    assert any(v is None for v in fresh.values()) and any(fresh.values())  # unlocated: no feature
    if store.dialect == "sqlite":  # the R*Tree holds every located incident, at its point and period
        with store.engine.connect() as conn:
            boxes = conn.exec_driver_sql(
                "SELECT count(*) FROM incidents_rtree r JOIN incidents i ON i.rowid = r.id"
                " WHERE r.lat0 <= i.lat AND i.lat <= r.lat1 AND r.lon0 <= i.lon AND i.lon <= r.lon1").scalar()
            located = conn.exec_driver_sql("SELECT count(*) FROM incidents WHERE lat IS NOT NULL").scalar()
            assert boxes == located == conn.exec_driver_sql("SELECT count(*) FROM incidents_rtree").scalar()
    # the migration's rebuild from scratch gives what the writes kept
    with store.engine.begin() as conn:
        derived.rebuild(conn)
    assert _kept(store) == kept


def _exercise(store: Store, corpus) -> None:
    ingest([corpus, ROOT / "examples"], store, batch_size=4)
    _assert_in_step(store)
    incs = store.incidents(None, limit=200, order="-reports")
    big = incs[0]
    assert len(big["event_ids"]) >= 2
    other = next(i for i in incs if i["id"] != big["id"])
    new_id = split_incident(store, big["id"], big["event_ids"][:1])
    _assert_in_step(store)
    merge_incidents(store, other["id"], new_id)
    _assert_in_step(store)
    relink_all(store)
    _assert_in_step(store)
    # the map payload is what the map endpoint serves
    feature = store.incident_map(None, limit=1)[0]
    props = feature["properties"]
    assert {"event_ids", "trigger", "confidence", "source", "target", "incident"} <= props.keys()
    assert props["event_ids"] == store.incident(props["incident"])["event_ids"]
    assert feature["geometry"]["coordinates"] == [store.incident(props["incident"])["location"][k]
                                                  for k in ("lon", "lat")]


def test_incident_counters_pairs_and_map_payload_stay_in_step_sqlite(tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl", synthetic_news(10, seed=4))
    with Store.open(f"sqlite:///{tmp_path / 'd.db'}") as store:
        _exercise(store, corpus)


def test_incident_counters_pairs_and_map_payload_stay_in_step_postgres(tmp_path):
    url = pg_server_or_skip()
    corpus = write_jsonl(tmp_path / "c.jsonl", synthetic_news(10, seed=4))
    for fresh in fresh_pg_schema(url):
        with Store.open(fresh) as store:
            _exercise(store, corpus)


def test_map_reads_through_the_rtree_equal_the_btree_reads(tmp_path, monkeypatch):
    from wirewatch.store import incidents_read as ir

    corpus = write_jsonl(tmp_path / "c.jsonl", synthetic_news(16, seed=11))
    with Store.open(f"sqlite:///{tmp_path / 'r.db'}") as store:
        ingest([corpus, ROOT / "examples"], store, batch_size=8)
        located = [i for i in store.incidents(None, limit=500)
                   if (i["location"] or {}).get("lat") is not None]
        assert len(located) >= 5
        filters = [EventFilter.from_params(bbox="-180,-90,180,90")]
        for inc in located[:6]:
            lat, lon = inc["location"]["lat"], inc["location"]["lon"]
            bbox = f"{lon - 3:.4f},{lat - 3:.4f},{lon + 3:.4f},{lat + 3:.4f}"
            filters.append(EventFilter.from_params(bbox=bbox))
            if inc["date"]["start"]:
                filters.append(EventFilter.from_params(bbox=bbox, date_from=inc["date"]["start"],
                                                       date_to=inc["date"]["start"]))
                filters.append(EventFilter.from_params(bbox=bbox, date_to="1990-01-01"))

        def reads():
            return [(store.incident_map(f), store.count_incidents(f),
                     store.aggregate(f, "day", count="incidents")) for f in filters]

        with store.engine.connect() as conn:
            assert ir.has_rtree(conn)
        via_tree = reads()
        assert any(m for m, _, _ in via_tree[1:]) and any(not m for m, _, _ in via_tree)
        monkeypatch.setattr(ir, "has_rtree", lambda conn: False)
        assert reads() == via_tree

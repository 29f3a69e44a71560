"""The per-report map (``/api/events.geojson?count=events``): its light features equal the features
built from whole records, and bbox reads through the events' R*Tree (0037) equal the B-tree reads."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import ROOT
from helpers import fresh_pg_schema, pg_server_or_skip, synthetic_news, write_jsonl
from sqlalchemy import select, text

from wirewatch.ingest.runner import ingest
from wirewatch.query import EventFilter
from wirewatch.store import Store
from wirewatch.store import schema as sch


def _reference_feature(ev: dict[str, Any]) -> dict[str, Any] | None:
    """A map feature as built from a whole SPEC record (the map's former path)."""
    loc = ev.get("location") or {}
    if loc.get("lat") is None or loc.get("lon") is None:
        return None
    names = [m.get("name") or m.get("text") for m in ev.get("source") or []]
    targets = [m.get("name") or m.get("text") for m in ev.get("target") or []]
    return {
        "type": "Feature", "id": ev["id"],
        "geometry": {"type": "Point", "coordinates": [loc["lon"], loc["lat"]]},
        "properties": {
            "id": ev["id"], "event_type": ev["event_type"], "modality": ev["modality"],
            "date": ev["date"]["value"], "confidence": ev["confidence"], "trigger": ev["trigger"]["text"],
            "source": names, "target": targets, "place": loc.get("name") or loc.get("text"),
            "country": loc.get("country"), "resolution": loc.get("resolution"),
        },
    }


def _filters(store: Store) -> list[EventFilter]:
    located = [e for e in store.events(None, limit=1000) if (e["location"] or {}).get("lat") is not None]
    assert len(located) >= 8
    out = [EventFilter(), EventFilter.from_params(bbox="-180,-90,180,90"),
           EventFilter.from_params(type=located[0]["event_type"])]
    for ev in located[:8]:
        lat, lon = ev["location"]["lat"], ev["location"]["lon"]
        bbox = f"{lon - 2:.4f},{lat - 2:.4f},{lon + 2:.4f},{lat + 2:.4f}"
        out.append(EventFilter.from_params(bbox=bbox))
        day = ev["date"]["value"] or ""
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            out.append(EventFilter.from_params(bbox=bbox, date_from=day, date_to=day))
            out.append(EventFilter.from_params(bbox=bbox, date_to="1990-01-01"))
    out.append(EventFilter.from_params(bbox="170,-50,-170,50"))  # across the antimeridian: no tree
    return out


def _ingested(store: Store, tmp_path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", synthetic_news(12, seed=9))
    ingest([corpus, ROOT / "examples"], store, batch_size=8)


def _assert_light_equals_records(store: Store) -> None:
    for flt in _filters(store):
        for order in ("-date", "date"):
            expected = [f for f in map(_reference_feature, store.events(flt, limit=5000, order=order)) if f]
            assert store.event_map(flt, limit=5000, order=order) == expected
        expected = [f for f in map(_reference_feature, store.events(flt, limit=5000, order="-date")) if f]
        assert store.event_map(flt, limit=3, offset=2, order="-date") == expected[2:5]
        for offset in (0, 2, 10**6):  # the total: counted by the page's own query where a bbox is given
            assert store.event_map_page(flt, limit=3, offset=offset)[1] == store.count_events(flt)


def test_map_features_equal_the_records_sqlite(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'm.db'}") as store:
        _ingested(store, tmp_path)
        _assert_light_equals_records(store)


@pytest.mark.postgres
def test_map_features_equal_the_records_postgres(tmp_path):
    url = pg_server_or_skip()
    for fresh in fresh_pg_schema(url):
        with Store.open(fresh) as store:
            assert not store.events_rtree
            _ingested(store, tmp_path)
            _assert_light_equals_records(store)


def test_bbox_reads_through_the_event_rtree_equal_the_btree_reads(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'r.db'}") as store:
        assert store.events_rtree
        _ingested(store, tmp_path)
        with store.engine.connect() as conn:  # the triggers kept the tree: one box per located event
            boxes = conn.execute(text("SELECT count(*) FROM events_rtree")).scalar_one()
            located = conn.execute(select(sch.events.c.pk).where(sch.events.c.lat.is_not(None))).all()
        assert boxes == len(located) > 0
        filters = _filters(store)

        def reads():
            return [(store.event_map(f, limit=5000), store.count_events(f), store.aggregate(f, "day"),
                     [e["id"] for e in store.events(f, limit=5000)]) for f in filters]

        via_tree = reads()
        assert any(m for m, *_ in via_tree[3:]) and any(not m for m, *_ in via_tree)
        store.events_rtree = False
        assert reads() == via_tree


def test_event_rtree_migration_fills_the_tree_of_an_older_database(tmp_path):
    from wirewatch.store import migrations as mig

    path = tmp_path / "old.db"
    with Store.open(f"sqlite:///{path}") as store:
        _ingested(store, tmp_path)
        with store.engine.begin() as conn:  # as a database made before 0037
            for name in ("events_rtree_ai", "events_rtree_ad", "events_rtree_au"):
                conn.exec_driver_sql(f"DROP TRIGGER {name}")
            conn.exec_driver_sql("DROP TABLE events_rtree")
            conn.execute(sch.migrations.delete().where(sch.migrations.c.name == "0037_event_rtree"))
    assert "0037_event_rtree" in [n for n, _ in mig.MIGRATIONS]
    with Store.open(f"sqlite:///{path}") as store:
        assert store.events_rtree
        with store.engine.connect() as conn:
            ids = sorted(conn.execute(text("SELECT id FROM events_rtree")).scalars())
            located = sorted(conn.execute(
                select(sch.events.c.pk).where(sch.events.c.lat.is_not(None))).scalars())
        assert ids == located


def test_stored_features_equal_the_features_built_from_rows_and_0038_fills_older_rows(tmp_path):
    from wirewatch.store.read import build_map_features

    path = tmp_path / "f.db"
    with Store.open(f"sqlite:///{path}") as store:
        _ingested(store, tmp_path)
        e = sch.events.c
        with store.engine.begin() as conn:
            stored = dict(conn.execute(select(e.pk, e.map_feature).where(e.lat.is_not(None))).all())
            assert stored and all(stored.values())
            assert build_map_features(conn, list(stored)) == stored  # written = rebuilt from the rows
            unlocated = conn.execute(select(e.map_feature).where(e.lat.is_(None))).scalars().all()
            assert unlocated and not any(unlocated)
            conn.execute(sch.events.update().values(map_feature=None))  # as stored before 0038
            conn.execute(sch.migrations.delete().where(sch.migrations.c.name == "0038_event_map_feature"))
        flt = EventFilter.from_params(bbox="-180,-90,180,90")
        rebuilt_on_read = store.event_map_page(flt, limit=5000)[0]
    with Store.open(f"sqlite:///{path}") as store:  # 0038 runs again and fills every located row
        with store.engine.connect() as conn:
            assert dict(conn.execute(select(e.pk, e.map_feature).where(e.lat.is_not(None))).all()) == stored
        assert store.event_map_page(flt, limit=5000)[0] == rebuilt_on_read


def test_incident_map_page_totals_equal_the_count(tmp_path):
    """The incident map's total comes from its page query where a bbox is given: the same number
    as counting the matching incidents, at every offset (also past the end)."""
    with Store.open(f"sqlite:///{tmp_path / 'i.db'}") as store:
        _ingested(store, tmp_path)
        for flt in _filters(store):
            for offset in (0, 1, 10**6):
                feats, total = store.incident_map_page(flt, limit=2, offset=offset)
                assert total == store.count_incidents(flt)
                assert feats == [f for f in store.incident_map_page(flt, limit=5000)[0][offset:offset + 2]]

"""The per-report timeline of a date window and/or types reads counters (``day``, ``day_type``, 0039)
plus the events reaching into the window: it equals the scan, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

from conftest import ROOT
from helpers import fresh_pg_schema, pg_server_or_skip, synthetic_news, write_jsonl
from sqlalchemy import select

from wirewatch.ingest.runner import ingest
from wirewatch.query import EventFilter
from wirewatch.store import Store, counters
from wirewatch.store import schema as sch


def _windows(store: Store) -> list[EventFilter]:
    days = sorted({e["date"]["value"][:10] for e in store.events(None, limit=2000)
                   if len(e["date"]["value"] or "") >= 10 and e["date"]["value"][4] == "-"})
    types = sorted({e["event_type"] for e in store.events(None, limit=2000)})
    assert len(days) >= 5 and len(types) >= 3
    out = [EventFilter.from_params(type=",".join(types[:2])), EventFilter.from_params(type=types[-1])]
    for day in days[:: max(1, len(days) // 8)]:
        d = date.fromisoformat(day)
        for lo, hi in ((d, d), (d - timedelta(days=3), d + timedelta(days=40)), (d, None), (None, d),
                       (d - timedelta(days=400), d + timedelta(days=2))):
            params = {"date_from": lo.isoformat() if lo else None, "date_to": hi.isoformat() if hi else None}
            out.append(EventFilter.from_params(**params))
            out.append(EventFilter.from_params(type=",".join(types[:3]), **params))
    return out


def _assert_counted_equals_scan(store: Store) -> None:
    windows = _windows(store)
    counted = [store.aggregate(f, by) for f in windows for by in ("day", "month", "year")]
    assert sum(len(c) for c in counted) > 40
    store.counted = False  # every aggregate scans the events
    try:
        assert [store.aggregate(f, by) for f in windows for by in ("day", "month", "year")] == counted
    finally:
        store.counted = True


def _ingested(store: Store, tmp_path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", synthetic_news(14, seed=21))
    ingest([corpus, ROOT / "examples"], store, batch_size=8)


def test_window_timelines_from_counters_equal_the_scan_sqlite(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 't.db'}") as store:
        _ingested(store, tmp_path)
        with store.engine.connect() as conn:
            kept = dict(counters.scanned_day_types(conn))
            stored = {("day_type", key): n for key, n in counters.buckets(conn, "day_type")}
        assert kept and stored == kept  # written on ingest = a scan
        _assert_counted_equals_scan(store)


def test_window_timelines_from_counters_equal_the_scan_postgres(tmp_path):
    url = pg_server_or_skip()
    for fresh in fresh_pg_schema(url):
        with Store.open(fresh) as store:
            _ingested(store, tmp_path)
            _assert_counted_equals_scan(store)


def test_0039_fills_the_type_and_day_counters_once(tmp_path):
    path = tmp_path / "old.db"
    with Store.open(f"sqlite:///{path}") as store:
        _ingested(store, tmp_path)
        with store.engine.begin() as conn:
            expected = counters.buckets(conn, "day_type")
            conn.execute(sch.event_counts.delete().where(sch.event_counts.c.kind == "day_type"))
            conn.execute(sch.migrations.delete().where(sch.migrations.c.name == "0039_day_type_counts"))
    for _ in range(2):  # applied on the next open; a second open changes nothing
        with Store.open(f"sqlite:///{path}") as store, store.engine.connect() as conn:
            assert counters.buckets(conn, "day_type") == expected
            assert conn.execute(select(sch.migrations.c.name).where(
                sch.migrations.c.name == "0039_day_type_counts")).first()

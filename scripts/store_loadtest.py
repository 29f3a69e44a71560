"""Store load test: seed synthetic events, then time the map, timeline and filter queries.

    .venv/bin/python scripts/store_loadtest.py --db sqlite:////tmp/ww_200k.db --events 200000

Seeds the database up to ``--events`` synthetic events (skipped when already there), then runs each
query ``--repeat`` times with varying parameters and prints p50/p95 latency in milliseconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_events import CITIES, seed_synthetic  # noqa: E402

from wirewatch.query import EventFilter  # noqa: E402
from wirewatch.store.core import Store  # noqa: E402

WORDS = ("shelled", "attacked", "talks", "aid", "protesters", "sanctions", "ceasefire", "troops")
CPU: dict[str, tuple[float, float]] = {}  # filled by run(): CPU-time p50/p95 per query
TYPES = ("ASSAULT", "PROTEST", "COERCE", "ACCUSE", "CONSULT", "THREATEN")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    qs = statistics.quantiles(samples, n=20, method="inclusive")
    return statistics.median(samples), qs[18]


def _window(rng: random.Random, days: int) -> tuple[date, date]:
    start = date(2010, 1, 1) + timedelta(days=rng.randint(0, 5000))
    return start, start + timedelta(days=days)


def run(store: Store, repeat: int = 40, seed: int = 1) -> dict[str, tuple[float, float, float]]:
    """{query name: (p50 ms, p95 ms, mean rows)} for the map, timeline and filter queries.

    Wall-clock times; :data:`CPU` gets this process's CPU-time p50/p95 (for SQLite, which runs
    in-process, that is the query cost without other processes' load on a shared machine).
    """
    rng = random.Random(seed)

    def map_query() -> int:
        _, _, _, lat, lon, _, _ = rng.choice(CITIES)
        d0, d1 = _window(rng, 365)
        flt = EventFilter(bbox=(lon - 5, lat - 4, lon + 5, lat + 4), date_from=d0, date_to=d1)
        return len(store.events(flt, limit=2000))

    def timeline() -> int:
        d0, d1 = _window(rng, 3 * 365)
        types = tuple(rng.sample(TYPES, 2)) if rng.random() < 0.5 else ()
        return len(store.aggregate(EventFilter(date_from=d0, date_to=d1, types=types), "day"))

    def filter_query() -> int:
        _, iso, *_ = rng.choice(CITIES)
        flt = EventFilter(types=(rng.choice(TYPES),), country=iso, text=rng.choice(WORDS))
        return len(store.events(flt, limit=100))

    def count_query() -> int:
        return store.count_events(EventFilter(types=(rng.choice(TYPES),), min_confidence=0.6))

    def map_incidents() -> int:  # what GET /api/events.geojson?count=incidents runs
        from wirewatch.api.incidents import incident_features

        _, _, _, lat, lon, _, _ = rng.choice(CITIES)
        d0, d1 = _window(rng, 365)
        flt = EventFilter(bbox=(lon - 5, lat - 4, lon + 5, lat + 4), date_from=d0, date_to=d1)
        return len(incident_features(store, flt, 2000, 0, "-date")[0])

    def timeline_incidents() -> int:
        d0, d1 = _window(rng, 3 * 365)
        types = tuple(rng.sample(TYPES, 2)) if rng.random() < 0.5 else ()
        flt = EventFilter(date_from=d0, date_to=d1, types=types)
        return len(store.aggregate(flt, "day", count="incidents"))

    def incident_list() -> int:
        _, iso, *_ = rng.choice(CITIES)
        flt = EventFilter(types=(rng.choice(TYPES),), country=iso, text=rng.choice(WORDS))
        store.count_incidents(flt)
        return len(store.incidents(flt, limit=100))

    out = {}
    queries: dict[str, Callable[[], int]] = {
        "map (bbox + 1y date range, limit 2000)": map_query,
        "timeline (aggregate by day, 3y range)": timeline,
        "filter (type + country + text, limit 100)": filter_query,
        "count (type + min_confidence)": count_query,
        "map incidents (bbox + 1y, limit 2000)": map_incidents,
        "timeline incidents (by day, 3y range)": timeline_incidents,
        "incidents (type+country+text, 100 + total)": incident_list,
    }
    for name, fn in queries.items():
        fn()  # warm the cache
        times, cpu, rows = [], [], []
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            rows.append(fn())
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        p50, p95 = _percentiles(times)
        out[name] = (p50, p95, statistics.mean(rows))
        CPU[name] = _percentiles(cpu)
    return out


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="database URL (sqlite:///... or postgresql://...)")
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=40)
    args = ap.parse_args(argv)
    with Store.open(args.db) as store:
        have = store.count_events()
        if have < args.events:
            t0 = time.perf_counter()
            added = seed_synthetic(store, args.events)
            print(f"seeded {added} events in {time.perf_counter() - t0:.1f} s")
        print(f"{store.dialect}: {store.count_events()} events")
        for name, (p50, p95, rows) in run(store, args.repeat).items():
            c50, c95 = CPU[name]
            print(f"{name:45s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  (cpu p50 {c50:6.1f} p95 {c95:6.1f})"
                  f"  rows {rows:7.1f}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""API load test: seed synthetic events into a SQLite file, then time the web UI's calls through the app.

    /work/venv/bin/python scripts/api_loadtest.py                      # 200,000 events, 50 requests each
    /work/venv/bin/python scripts/api_loadtest.py --events 20000 --db /tmp/ww20k.db --keep

Every request goes through the whole FastAPI stack (routing, validation, filter parsing, store, JSON)
with the in-process test client, or with ``--server`` through a real uvicorn server on 127.0.0.1 over
HTTP. Prints p50/p95 latency in milliseconds for the calls the page makes on first load (unfiltered
events + total, timeline, top actors, stats: served from the counters kept on write) and for
map (``/api/events.geojson`` with bbox + date range), timeline (``/api/aggregate?by=day``) and filter
(``/api/events`` with type + country + text, page of 50 plus total).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

WORDS = ("shelled", "attacked", "talks", "aid", "protesters", "sanctions", "ceasefire", "troops")
TYPES = ("ASSAULT", "PROTEST", "COERCE", "ACCUSE", "CONSULT", "THREATEN", "AID", "MOBILIZE")


def _window(rng: random.Random, days: int) -> tuple[str, str]:
    start = date(2010, 1, 1) + timedelta(days=rng.randint(0, 5000))
    return start.isoformat(), (start + timedelta(days=days)).isoformat()


def calls(rng: random.Random) -> dict[str, Callable[[], tuple[str, dict[str, Any]]]]:
    """The page's three calls, each drawing fresh parameters from ``rng``."""
    from synthetic_events import CITIES

    def map_call() -> tuple[str, dict[str, Any]]:
        _, _, _, lat, lon, _, _ = rng.choice(CITIES)
        d0, d1 = _window(rng, 365)
        w, s, e, n = max(lon - 5, -180), max(lat - 4, -90), min(lon + 5, 180), min(lat + 4, 90)
        bbox = f"{w:.4f},{s:.4f},{e:.4f},{n:.4f}"
        return "/api/events.geojson", {"bbox": bbox, "date_from": d0, "date_to": d1, "limit": 2000}

    def timeline_call() -> tuple[str, dict[str, Any]]:
        d0, d1 = _window(rng, 3 * 365)
        params: dict[str, Any] = {"by": "day", "date_from": d0, "date_to": d1}
        if rng.random() < 0.5:
            params["type"] = ",".join(rng.sample(TYPES, 2))
        return "/api/aggregate", params

    def filter_call() -> tuple[str, dict[str, Any]]:
        _, iso, *_ = rng.choice(CITIES)
        params = {"type": rng.choice(TYPES), "country": iso, "text": rng.choice(WORDS), "limit": 50}
        return "/api/events", params

    def as_events(make: Callable[[], tuple[str, dict[str, Any]]]) -> Callable[[], tuple[str, dict[str, Any]]]:
        def call() -> tuple[str, dict[str, Any]]:
            path, params = make()
            return path, {**params, "count": "events"}
        return call

    def incidents_call() -> tuple[str, dict[str, Any]]:
        path, params = filter_call()
        return "/api/incidents", params

    # map and timeline count incidents by default (one feature / count per incident); the
    # count=events variants are the per-report figures from before incidents existed
    def first(path: str, params: dict[str, Any]) -> Callable[[], tuple[str, dict[str, Any]]]:
        return lambda: (path, dict(params))

    return {
        "first    GET /api/events limit 50 + total (unfiltered)": first("/api/events", {"limit": 50}),
        "first    GET /api/aggregate by=day (unfiltered)": first("/api/aggregate", {"by": "day"}),
        "first    GET /api/actors limit 25 (unfiltered)": first("/api/actors", {"limit": 25}),
        "first    GET /api/stats": first("/api/stats", {}),
        "map      GET /api/events.geojson bbox+1y dates, limit 2000": map_call,
        "map      ... &count=events": as_events(map_call),
        "timeline GET /api/aggregate by=day, 3y dates (+types)": timeline_call,
        "timeline ... &count=events": as_events(timeline_call),
        "filter   GET /api/events type+country+text, limit 50 + total": filter_call,
        "incident GET /api/incidents type+country+text, limit 50 + total": incidents_call,
    }


def _rows(body: dict[str, Any]) -> int:
    for key in ("features", "buckets", "events", "incidents", "actors"):
        if key in body:
            return len(body[key])
    return 0


@contextmanager
def client_for(url: str, server: bool) -> Iterator[Any]:
    """An HTTP client bound to the app: in-process TestClient, or httpx against a uvicorn server."""
    from wirewatch.api import create_app

    app = create_app(url)
    if not server:
        with warnings.catch_warnings():  # starlette's notice about httpx vs httpx2
            warnings.simplefilter("ignore")
            from fastapi.testclient import TestClient

        with TestClient(app, base_url="http://127.0.0.1") as c:  # loopback Host: the API refuses others
            yield c
        return
    import socket

    import httpx
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
            yield c
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def measure(client: Any, requests: int, seed: int) -> dict[str, tuple[float, float, float, int]]:
    """{call: (p50 ms, p95 ms, mean rows, failed)}; each call is warmed up once, then timed ``requests``
    times, in rounds of one request per call (so a burst of load on a shared machine hits every call
    alike). A request the server refuses (e.g. 503 past the query time limit) counts as failed, with its
    time; a 4xx other than 408/429 is a bug in this script and stops it."""
    rng = random.Random(seed)
    made = calls(rng)
    for make in made.values():
        path, params = make()
        client.get(path, params=params)  # warm-up, not timed
    times: dict[str, list[float]] = {name: [] for name in made}
    rows: dict[str, list[int]] = {name: [] for name in made}
    failed = dict.fromkeys(made, 0)
    for _ in range(requests):
        for name, make in made.items():
            path, params = make()
            t0 = time.perf_counter()
            resp = client.get(path, params=params)
            elapsed = (time.perf_counter() - t0) * 1000
            if 400 <= resp.status_code < 500 and resp.status_code not in (408, 429):
                resp.raise_for_status()
            times[name].append(elapsed)
            if resp.status_code == 200:
                rows[name].append(_rows(resp.json()))
            else:
                failed[name] += 1
    out = {}
    for name in made:
        p95 = statistics.quantiles(times[name], n=20, method="inclusive")[18]
        out[name] = (statistics.median(times[name]), p95,
                     statistics.mean(rows[name]) if rows[name] else 0.0, failed[name])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=200_000, help="synthetic events to seed (default 200000)")
    ap.add_argument("--requests", type=int, default=50, help="timed requests per call (default 50)")
    ap.add_argument("--db", help="SQLite file to use (default: a temp file, deleted afterwards)")
    ap.add_argument("--keep", action="store_true", help="keep the temp database")
    ap.add_argument("--server", action="store_true", help="via uvicorn on 127.0.0.1, not in-process")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    from synthetic_events import seed_synthetic

    from wirewatch.store import Store

    tmp = None
    if args.db:
        path = Path(args.db)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="ww_loadtest_")
        path = Path(tmp.name) / "events.db"
    url = f"sqlite:///{path}"
    try:
        with Store.open(url) as store:
            have = store.count_events()
            if have < args.events:
                t0 = time.perf_counter()
                seed_synthetic(store, args.events - have, seed=args.seed if have == 0 else args.seed + have)
                print(f"seeded {store.count_events() - have} events in {time.perf_counter() - t0:.1f} s")
            total = store.count_events()
        size_mb = path.stat().st_size / 1e6
        mode = "uvicorn + httpx" if args.server else "in-process TestClient"
        print(f"{total} events in {path} ({size_mb:.0f} MB); {args.requests} requests per call, {mode}")
        with client_for(url, args.server) as client:
            for name, (p50, p95, rows, failed) in measure(client, args.requests, args.seed).items():
                refused = f"  FAILED {failed}/{args.requests}" if failed else ""
                print(f"{name:62s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  rows {rows:7.1f}{refused}",
                      flush=True)
    finally:
        if tmp is not None and not args.keep:
            tmp.cleanup()
        elif tmp is not None:
            print(f"kept {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

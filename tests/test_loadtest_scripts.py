"""The load-test scripts that README/docs quote still run (a small database, a few requests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_api_loadtest_runs_through_the_whole_stack(tmp_path):
    db = tmp_path / "lt.db"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "api_loadtest.py"), "--events", "1500", "--requests", "3",
         "--db", str(db), "--keep"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line for line in result.stdout.splitlines() if "p95" in line]
    assert any("map" in line for line in lines) and any("incident" in line for line in lines), result.stdout
    assert db.exists()


def test_replicate_events_copies_every_story_and_scales_the_counters(tmp_path):
    """The 10 M load-test file is the 1 M one written ten times: every table, index, tree and counter
    must read as that many disjoint copies (a counter left unscaled or a tree left unfilled fails)."""
    import json
    import sqlite3

    from synthetic_events import seed_synthetic  # scripts/ is on the path (conftest)

    from wirewatch.query import EventFilter
    from wirewatch.store import Store

    src, dst = tmp_path / "one.db", tmp_path / "three.db"
    with Store.open(f"sqlite:///{src}") as store:
        seed_synthetic(store, 400, seed=1)
        one_text = store.count_events(EventFilter(text="attacked"))
        one_box = store.count_events(EventFilter(bbox=(30.0, 30.0, 45.0, 40.0)))
    script = str(ROOT / "scripts" / "replicate_events.py")
    result = subprocess.run([sys.executable, script, str(src), str(dst), "--copies", "3"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]

    def scan(path: Path, sql: str) -> list[tuple]:
        with sqlite3.connect(path) as conn:
            return conn.execute(sql).fetchall()

    for table in ("articles", "events", "event_actors", "mentions", "incidents", "incident_actors",
                  "attributions", "events_rtree", "incidents_rtree", "articles_fts"):
        (one,), = scan(src, f"SELECT count(*) FROM {table}")
        (three,), = scan(dst, f"SELECT count(*) FROM {table}")
        assert three == 3 * one > 0, table
    # every counter kept on write equals three times the source's (so: equals a scan of the copy)
    counts = "SELECT kind, key, n FROM event_counts ORDER BY kind, key"
    assert scan(dst, counts) == [(k, key, 3 * n) for k, key, n in scan(src, counts)]
    assert dict(scan(dst, "SELECT key, n FROM event_counts WHERE kind = 'type'")) == dict(
        scan(dst, "SELECT event_type, count(*) FROM events GROUP BY event_type"))
    # the copies are disjoint stories that keep their links: ids renamed everywhere they are held
    assert scan(dst, "SELECT count(*) FROM events e LEFT JOIN incidents i ON i.id = e.incident_id "
                     "WHERE i.id IS NULL") == [(0,)]
    assert scan(dst, "SELECT count(*) FROM events e JOIN articles a ON a.pk = e.article_pk "
                     "WHERE a.id != e.article_id") == [(0,)]
    features = scan(dst, "SELECT id, map_feature FROM events WHERE map_feature IS NOT NULL")
    assert features and all(json.loads(f)["id"] == i for i, f in features)
    with Store.open(f"sqlite:///{dst}") as store:
        assert store.count_events() == 3 * scan(src, "SELECT count(*) FROM events")[0][0]
        assert store.count_events(EventFilter(text="attacked")) == 3 * one_text > 0
        assert store.count_events(EventFilter(bbox=(30.0, 30.0, 45.0, 40.0))) == 3 * one_box > 0


def test_replicate_events_refuses_a_database_it_did_not_seed(tmp_path):
    from wirewatch.pipeline import Pipeline
    from wirewatch.records import Article
    from wirewatch.store import Store

    src = tmp_path / "real.db"
    with Store.open(f"sqlite:///{src}") as store:
        text = "Peshmerga and YPG retook Kobani on January 26."
        store.add_analyzed(Pipeline().analyze(Article("kobani", text)))
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "replicate_events.py"), str(src),
                             str(tmp_path / "out.db")], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "not a synthetic load-test database" in result.stderr
    assert not (tmp_path / "out.db").exists()

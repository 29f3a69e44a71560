#!/usr/bin/env python
"""Scale a synthetic load-test database by whole copies, in SQL: ``k`` copies of every stored story.

    .venv/bin/python scripts/replicate_events.py /tmp/ww1m.db /tmp/ww10m.db --copies 10

Seeding through the store's write path costs ~34 minutes per million events on this machine (5 h
for 10 M), so the 10 M-event figure of ``scripts/api_loadtest.py`` is measured on the 1 M-event file
of ``synthetic_events.seed_synthetic`` written ``--copies`` times: copy ``c`` renames every
article, event and incident id (``syn-S-`` becomes ``syn-SrC-``) and shifts the integer keys, so the
copies are disjoint stories with the generator's distributions (places, dates, types, outlets,
words): each query matches ``copies`` times the rows it matches on the source, as it would on a
10 M-event run of the generator. Derived data stays exact: the full-text index and both R*Trees are
filled by their triggers, the stored map features carry the renamed ids, and every counter kept on
write (totals, per type/day/actor/country, incidents) is a sum over disjoint copies, so it is
multiplied by ``copies``. The planner's statistics are refreshed at the end (``ANALYZE`` with a
sampling limit, as ``Store.optimize``).

Only for databases made by ``synthetic_events`` (ids ``syn-S-NNNNNNN``): it refuses others.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import time
from pathlib import Path

# table -> (text columns holding article / event / incident ids, integer key columns and their base)
COPIED: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "articles": (("id", "url", "duplicate_of"), {"pk": "articles"}),
    "sentences": (("article_id",), {}),
    "mentions": (("article_id",), {}),
    "toponyms": (("article_id",), {}),
    "timexes": (("article_id",), {}),
    "events": (("id", "article_id", "incident_id", "map_feature"),
               {"pk": "events", "article_pk": "articles"}),
    "event_actors": (("event_id", "article_id", "incident_id"), {}),
    "attributions": (("event_id",), {}),
    "incidents": (("id", "rep_event", "map_extra", "map_feature"), {}),
    "incident_actors": (("incident_id",), {}),
}


def _prefix(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT id FROM articles ORDER BY pk LIMIT 1").fetchone()
    if row is None or not row[0].startswith("syn-") or row[0].count("-") != 2:
        sys.exit(f"not a synthetic load-test database (first article id {row and row[0]!r})")
    return row[0].rsplit("-", 1)[0] + "-"  # "syn-1-"


def replicate(conn: sqlite3.Connection, copies: int) -> None:
    """Add copies 1..copies-1 of the source's rows (attached as ``src``), then scale the counters."""
    prefix = _prefix(conn)
    base = {t: conn.execute(f"SELECT max(pk) FROM {t}").fetchone()[0] for t in ("articles", "events")}
    columns = {t: [r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')] for t in COPIED}
    for c in range(1, copies):
        t0 = time.perf_counter()
        tag = f"{prefix[:-1]}r{c}-"
        with conn:
            for table, (renamed, shifted) in COPIED.items():
                cols = columns[table]
                exprs = []
                for col in cols:
                    if col in renamed:
                        exprs.append(f"replace(\"{col}\", '{prefix}', '{tag}')")
                    elif col in shifted:
                        exprs.append(f'"{col}" + {c * base[shifted[col]]}')
                    else:
                        exprs.append(f'"{col}"')
                names = ", ".join(f'"{col}"' for col in cols)
                conn.execute(f'INSERT INTO main."{table}" ({names}) SELECT {", ".join(exprs)} '
                             f'FROM src."{table}"')
        print(f"copy {c + 1}/{copies} written in {time.perf_counter() - t0:.0f} s", flush=True)
    with conn:
        conn.execute("UPDATE event_counts SET n = n * ?", (copies,))
        conn.execute("PRAGMA analysis_limit=2000")
        conn.execute("ANALYZE")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", type=Path, help="synthetic SQLite database (left unchanged)")
    ap.add_argument("target", type=Path, help="the scaled copy to write (must not exist)")
    ap.add_argument("--copies", type=int, default=10, help="copies of each story in the result (default 10)")
    args = ap.parse_args(argv)
    if args.target.exists():
        sys.exit(f"{args.target} exists; remove it first")
    if args.copies < 2:
        sys.exit("--copies must be at least 2")
    if not args.source.is_file():
        sys.exit(f"{args.source}: no such file")
    src = sqlite3.connect(args.source)
    _prefix(src)  # refuses a database the generator did not write, before anything is copied
    src.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    src.close()
    shutil.copyfile(args.source, args.target)
    conn = sqlite3.connect(args.target, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-2000000")
    conn.execute("ATTACH DATABASE ? AS src", (str(args.source),))
    conn.isolation_level = ""  # transactions per copy (``with conn``)
    t0 = time.perf_counter()
    replicate(conn, args.copies)
    conn.isolation_level = None
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    size = args.target.stat().st_size / 1e9
    print(f"{args.target}: {args.copies} copies in {time.perf_counter() - t0:.0f} s, {size:.1f} GB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Scaling benchmark: articles/s of a full ingest (read → analyse → store) of the shipped Wikinews
articles with local ``--workers`` 1 and 2 (SQLite) and Ray with 1 and 2 actors (PostgreSQL), plus
the PostgreSQL write rate of ``Store.add_batch`` alone; prints JSON and a capacity note.

    .venv/bin/python scripts/bench_scale.py --articles 60 --pg postgresql://wirewatch:wirewatch@127.0.0.1:55432/wirewatch

Every figure includes start-up (worker processes / Ray actors load the model once each), as a real
run would. Runs are sequential on the same input; on a shared machine, repeat and compare.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=60)
    ap.add_argument("--pg", required=True, help="PostgreSQL server URL (a fresh schema is made per run)")
    ap.add_argument("--skip-ray", action="store_true")
    ap.add_argument("--skip-local", action="store_true")
    ap.add_argument("--ray-workers", default="1,2", help="actor counts to run, e.g. 2")
    args = ap.parse_args(argv)

    from helpers import fresh_pg_schema

    from wirewatch.bench import news_articles
    from wirewatch.ingest.runner import ingest
    from wirewatch.store import Store

    articles = news_articles(args.articles)
    words = sum(len(a.text.split()) for a in articles)
    out: dict[str, object] = {"articles": len(articles), "words": words}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "news.jsonl"
        with corpus.open("w", encoding="utf-8") as f:
            for a in articles:
                f.write(json.dumps({"text": a.text, "url": a.url, "title": a.title,
                                    "published": a.published.isoformat() if a.published else None}) + "\n")
        for workers in () if args.skip_local else (1, 2):
            with Store.open(f"sqlite:///{Path(tmp) / f'w{workers}.db'}") as store:
                t0 = time.perf_counter()
                s = ingest([corpus], store, workers=workers)
                secs = time.perf_counter() - t0
            out[f"local_workers_{workers}"] = {"seconds": secs, "articles_per_s": s.added / secs,
                                               "added": s.added, "events": s.events}
            print(json.dumps({f"local_workers_{workers}": out[f"local_workers_{workers}"]}), flush=True)
        if not args.skip_ray:
            from wirewatch.ingest.cluster import ingest_ray

            for workers in (int(w) for w in args.ray_workers.split(",")):
                gen = fresh_pg_schema(args.pg)
                url = next(gen)
                try:
                    t0 = time.perf_counter()
                    s = ingest_ray([corpus], url, workers=workers, batch_size=8)
                    secs = time.perf_counter() - t0
                finally:
                    for _ in gen:
                        pass
                out[f"ray_workers_{workers}"] = {"seconds": secs, "articles_per_s": s.added / secs,
                                                 "added": s.added, "events": s.events}
                print(json.dumps({f"ray_workers_{workers}": out[f"ray_workers_{workers}"]}), flush=True)
        # PostgreSQL write rate alone: analysed once, written in batches of 16 to a fresh schema
        from wirewatch.ingest.dedupe import minhash, to_bytes
        from wirewatch.pipeline import Pipeline

        pipeline = Pipeline()
        analyzed = [(an, to_bytes(minhash(an.article.text))) for an in pipeline.analyze_many(articles)]
        gen = fresh_pg_schema(args.pg)
        url = next(gen)
        try:
            with Store.open(url) as store:
                t0 = time.perf_counter()
                for i in range(0, len(analyzed), 16):
                    store.add_batch(analyzed[i:i + 16])
                secs = time.perf_counter() - t0
        finally:
            for _ in gen:
                pass
        n_events = sum(len(an.events) for an, _ in analyzed)
        out["pg_write"] = {"seconds": secs, "articles_per_s": len(analyzed) / secs,
                           "events_per_s": n_events / secs}
    best = max(v["articles_per_s"] for k, v in out.items() if isinstance(v, dict) and k != "pg_write")
    out["capacity"] = {"articles_per_day_per_node": best * 86400,
                       "nodes_for_1M_articles_per_day": 1e6 / (best * 86400),
                       "pg_articles_per_day_one_writer": out["pg_write"]["articles_per_s"] * 86400}
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: `wirewatch follow run --once` against a local RSS feed of N items (each item's page
served as HTML by a local server, fetched over HTTP, text extracted by trafilatura, coded, stored)
beside `wirewatch ingest` of the same article texts from files. Reports items/s and peak RSS of each
command (a subprocess; RSS from getrusage of the child).

The articles: Wikinews 2019-2020 (../shared/data/news, CC BY 2.5) split into ~1,000-character
segments of consecutive paragraphs (1,098 of them), so N <= 1098 distinct articles. Each page holds
the same paragraphs as the file (one <p> each; the headline only in <title>), so both paths code the
same text (trafilatura joins paragraphs with one newline, the file has blank lines between them).

    .venv/bin/python scripts/bench_follow.py --items 1000 [--workers 4] [--json]
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT.parent / "shared" / "data" / "news"


def segments(limit: int) -> list[dict]:
    """Distinct ~1,000-character articles cut from the Wikinews CSVs (date kept as published)."""
    csv.field_size_limit(10**9)
    out: list[dict] = []
    for name in ("wikinews_2019.csv", "wikinews_2020.csv"):
        with open(NEWS / name, encoding="utf-8") as f:
            for row in csv.DictReader(f):
                paras = [p.strip() for p in re.split(r"\n\s*\n", row["text"]) if len(p.strip()) > 40]
                cur: list[str] = []
                for p in paras[1:]:
                    cur.append(p)
                    if sum(map(len, cur)) >= 700:
                        text = "\n\n".join(cur)
                        out.append({"title": row["title"], "published": row["date"], "text": text})
                        cur = []
    return out[:limit]


def serve(items: list[dict]) -> tuple[ThreadingHTTPServer, str]:
    """A threaded local server: /feed.xml (RSS of every item) and /a<i> (the item's HTML page)."""
    pages = {}
    for i, it in enumerate(items):
        paras = "".join(f"<p>{html.escape(p)}</p>" for p in it["text"].split("\n\n"))
        pages[f"/a{i}"] = (f"<html><head><title>{html.escape(it['title'])}</title></head><body>"
                           f"<nav>Wikinews</nav><article>{paras}</article>"
                           "</body></html>").encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            body = feed if self.path == "/feed.xml" else pages.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            ctype = "application/rss+xml" if self.path == "/feed.xml" else "text/html"
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    entries = "".join(
        f"<item><title>{html.escape(it['title'])}</title><link>{base}/a{i}</link><guid>{base}/a{i}</guid>"
        f"<pubDate>{it['published']}T12:00:00Z</pubDate></item>" for i, it in enumerate(items))
    feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wikinews bench</title>'
            f"<link>{base}/</link>{entries}</channel></rss>").encode()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base


def run(cmd: list[str]) -> dict:
    """Run ``cmd``; wall seconds and the child's peak RSS (MB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-1500:]}")
    return {"seconds": round(wall, 2), "peak_rss_mb": round(max(before, after) / 1024, 1),
            "stderr_tail": proc.stderr.strip().splitlines()[-1:]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--items", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    items = segments(args.items)
    ww = [sys.executable, "-m", "wirewatch"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        with open(folder / "articles.jsonl", "w", encoding="utf-8") as f:
            for i, it in enumerate(items):  # same text, title, date; its own URL (as in the feed)
                f.write(json.dumps({**it, "url": f"https://bench.example/a{i}"}) + "\n")
        ingest = run([*ww, "ingest", str(folder), "--quiet", "--db", f"sqlite:///{tmp}/ingest.db"])
        server, base = serve(items)
        try:
            follow = run([*ww, "follow", "run", f"{base}/feed.xml", "--once", "--allow-private",
                          "--delay", "0", "--workers", str(args.workers), "--per-host", "2",
                          "--max-items", str(len(items)),
                          "--db", f"sqlite:///{tmp}/follow.db"])
        finally:
            server.shutdown()
        counts = {}
        for name in ("ingest", "follow"):
            sys.path.insert(0, str(ROOT))
            from wirewatch.store import Store

            with Store.open(f"sqlite:///{tmp}/{name}.db") as st:
                counts[name] = st.stats()
    n = len(items)
    report = {
        "items": n, "cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2),
        "ingest_files": {**ingest, "items_per_s": round(n / ingest["seconds"], 2),
                         "articles": counts["ingest"]["articles"], "events": counts["ingest"]["events"]},
        "follow_http": {**follow, "items_per_s": round(n / follow["seconds"], 2),
                        "articles": counts["follow"]["articles"], "events": counts["follow"]["events"]},
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for name in ("ingest_files", "follow_http"):
        r = report[name]
        print(f"{name:13s} {n} items  {r['seconds']:7.1f} s  {r['items_per_s']:6.2f} items/s  "
              f"peak RSS {r['peak_rss_mb']:.0f} MB  articles {r['articles']}  events {r['events']}")
    print(f"(machine: {report['cpus']} cpus, load {report['load_avg_1m']})")


if __name__ == "__main__":
    main()

"""Propose toponym spans + candidate places for hand annotation of Wikinews articles (development aid).

    python scripts/propose_geo_gold.py OUT.jsonl [--n 45]

Picks articles of ``../shared/data/news/wikinews_20{19,20}.csv`` in file order (800-2,600 characters of text,
at least 5 proposed toponyms), runs the geoparser, and writes one line per article: text, url, and the
proposed toponyms with their resolved GeoNames entry and the other candidates. The proposals are only a
starting point: every span and referent is checked by hand against the text before it enters the gold
(docs/geo-eval.md, "Wikinews toponym gold").
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT.parent / "shared" / "data" / "news"


def main() -> int:
    from wirewatch.geo import Geoparser
    from wirewatch.nlp import load_nlp

    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--n", type=int, default=45)
    args = ap.parse_args()
    csv.field_size_limit(10**8)
    rows = []
    for name in ("wikinews_2019.csv", "wikinews_2020.csv"):
        with (NEWS / name).open(encoding="utf-8") as f:
            rows += list(csv.DictReader(f))
    rows = [r for r in rows if 800 <= len(r["text"]) <= 2600]
    nlp, geo = load_nlp(), Geoparser()
    n = 0
    with args.out.open("w", encoding="utf-8") as out:
        for r, doc in zip(rows, nlp.pipe(r["text"] for r in rows), strict=True):
            tops = geo.toponyms(doc, None)
            if len(tops) < 5:
                continue
            items = []
            for t in tops:
                p = t.place
                cands = [(e.place.geonameid, e.place.name, e.place.country, e.place.resolution)
                         for e in geo.gazetteer.entries(t.text)[:6]]
                items.append({"start": t.start, "end": t.end, "text": t.text,
                              "geonameid": p.geonameid if p else None, "name": p.name if p else None,
                              "country": p.country if p else None, "resolution": p.resolution if p else None,
                              "lat": p.lat if p else None, "lon": p.lon if p else None, "candidates": cands})
            out.write(json.dumps({"url": r["url"], "published": r["date"], "text": r["text"],
                                  "toponyms": items}, ensure_ascii=False) + "\n")
            n += 1
            if n >= args.n:
                break
    print(f"{n} articles -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Compile the shipped benchmark corpus: every Wikinews article of ../shared/data/news (CC BY 2.5)
as gzipped JSONL (url, title, published, text) in wirewatch/data/news/.

    python scripts/build_news_corpus.py [../shared/data/news]
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(src: Path) -> None:
    csv.field_size_limit(10**9)
    out_dir = ROOT / "wirewatch" / "data" / "news"
    out_dir.mkdir(parents=True, exist_ok=True)
    n = 0
    with gzip.open(out_dir / "wikinews.jsonl.gz", "wt", encoding="utf-8", compresslevel=9) as out:
        for path in sorted(src.glob("wikinews_*.csv")):
            with path.open(encoding="utf-8", newline="") as f:
                for row in csv.DictReader(f):
                    if row["text"].strip():
                        out.write(json.dumps({"url": row["url"], "title": row["title"],
                                              "published": row["date"], "text": row["text"]},
                                             ensure_ascii=False) + "\n")
                        n += 1
    (out_dir / "LICENSE.md").write_text((src / "LICENSE.md").read_text(encoding="utf-8"), encoding="utf-8")
    print(f"{n} articles -> {out_dir / 'wikinews.jsonl.gz'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "news")

#!/usr/bin/env python
"""Build the rewritten-wire-copies gold for ``wirewatch eval --task incidents`` from shipped Wikinews.

    .venv/bin/python scripts/build_wire_copies.py ../shared/data/news/wikinews_2019.csv \
        tests/data/gold/incidents_wire.jsonl --stories 24

Each story is one Wikinews article (CC BY 2.5, https://en.wikinews.org; the first paragraphs of its
text) published by a first outlet, plus three other outlets' rewrites: (1) a different headline and
the last sentence dropped, a day later; (2) sentences after the lead reordered and one sentence
replaced by a different one, two days later; (3) a short 4-sentence copy with one sentence changed
and a new headline, the same day. One JSON object per article: ``story``, ``outlet``, ``title``,
``published``, ``text`` (headline line, then one sentence per line) and ``sentences``: for each line
``{"start", "end", "origin"}`` — the index of the original's line it was copied from (a rewritten
headline counts as the headline), or null for a new line; ``original``: true for the first outlet's
article. Deterministic (no randomness).
"""

from __future__ import annotations

import csv
import json
import re
import sys
from datetime import date, timedelta

csv.field_size_limit(10**9)
OUTLETS = ("Wikinews", "Wire One", "Daily Courier", "Evening Post")
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
FILLER = ("Further details were not immediately available.", "This story is developing.",
          "Local media carried the story on their front pages.")


def sentences(text: str, most: int = 8) -> list[str]:
    body = [p.strip() for p in text.split("\n") if p.strip()]
    body = [p for p in body if not re.fullmatch(r"\w+day, \w+ \d+, \d{4}", p)]  # dateline
    out: list[str] = []
    for para in body:
        out.extend(s.strip() for s in _SENT.split(para) if len(s.split()) >= 5)
        if len(out) >= most:
            break
    return out[:most]


def article(story: str, outlet: str, title: str, published: date,
            lines: list[tuple[str, int | None]]) -> dict:
    parts, spans, pos = [], [], 0
    for text, origin in [(title, 0)] + lines[1:]:  # a rewritten headline reports the same thing
        spans.append({"start": pos, "end": pos + len(text), "origin": origin})
        parts.append(text)
        pos += len(text) + 1
    return {"story": story, "outlet": outlet, "title": title, "published": published.isoformat(),
            "original": outlet == OUTLETS[0], "text": "\n".join(parts), "sentences": spans}


def copies(story: str, title: str, published: date, sents: list[str]) -> list[dict]:
    orig = [(title, 0)] + [(s, i + 1) for i, s in enumerate(sents)]
    out = [article(story, OUTLETS[0], title, published, orig)]
    head1 = "UPDATE: " + title
    out.append(article(story, OUTLETS[1], head1, published + timedelta(days=1),
                       [(head1, None)] + orig[1:-1]))
    body = orig[1:]
    reordered = [body[0]] + body[1:][::-1]
    k = min(2, len(reordered) - 1)
    reordered[k] = (FILLER[len(story) % 3], None)
    head2 = title.split(",")[0] + " – report"
    out.append(article(story, OUTLETS[2], head2, published + timedelta(days=2), [(head2, None)] + reordered))
    short = body[:4]
    if len(short) >= 2:
        short[-1] = (FILLER[(len(story) + 1) % 3], None)
    head3 = "In brief: " + title
    out.append(article(story, OUTLETS[3], head3, published, [(head3, None)] + short))
    return out


def main(src: str, dest: str, stories: int = 24) -> None:
    with open(src, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    n = 0
    with open(dest, "w", encoding="utf-8") as out:
        for i, row in enumerate(rows):
            sents = sentences(row["text"])
            if len(sents) < 5:
                continue
            for a in copies(f"s{i:03d}", row["title"].strip(), date.fromisoformat(row["date"]), sents):
                a["url"] = row["url"] if a["outlet"] == OUTLETS[0] else None
                out.write(json.dumps(a, ensure_ascii=False) + "\n")
            n += 1
            if n >= stories:
                break
    print(f"wrote {n} stories x 4 articles to {dest}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[4]) if len(sys.argv) > 4 else 24)

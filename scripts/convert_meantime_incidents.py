#!/usr/bin/env python
"""Convert MEANTIME's cross-document event coreference into the incidents gold file we ship.

    .venv/bin/python scripts/convert_meantime_incidents.py \
        ../shared/data/meantime/intra_cross-doc_annotation wirewatch/data/gold/incidents_meantime.jsonl

MEANTIME (Minard et al., LREC 2016; NewsReader project), 120 English Wikinews articles in four
topics, CC BY 4.0. One JSON object per article: ``id``, ``topic``, ``url``, ``published`` (the
CREATION_TIME timex), ``text`` (tokens joined by spaces, one sentence per line) and ``mentions``:
every event mention ``{"start", "end", "text", "instance"}`` (character offsets into ``text`` of its
anchor tokens; ``instance``: the cross-document event instance id, shared by coreferent mentions
in every article). Changes made: the token layout becomes plain text as described.
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def _iso(value: str | None) -> str | None:
    """The creation time as YYYY-MM-DD (one article writes it DD-MM-YYYY)."""
    m = re.fullmatch(r"(\d\d)-(\d\d)-(\d{4})", value or "")
    return f"{m[3]}-{m[2]}-{m[1]}" if m else value


def convert(path: Path) -> dict:
    root = ET.parse(path).getroot()
    tokens = root.findall("token")
    parts: list[str] = []
    offsets: dict[str, tuple[int, int]] = {}
    pos, sent = 0, None
    for t in tokens:
        if sent is not None and t.get("sentence") != sent:
            parts.append("\n")
            pos += 1
        elif sent is not None:
            parts.append(" ")
            pos += 1
        sent = t.get("sentence")
        word = t.text or ""
        offsets[t.get("t_id")] = (pos, pos + len(word))
        parts.append(word)
        pos += len(word)
    text = "".join(parts)
    markables = root.find("Markables")
    mentions: dict[str, list[str]] = {}
    published = None
    for el in markables:
        if el.tag == "EVENT_MENTION":
            mentions[el.get("m_id")] = [a.get("t_id") for a in el.findall("token_anchor")]
        if el.tag == "TIMEX3" and el.get("functionInDocument") == "CREATION_TIME":
            published = _iso(el.get("value"))
    instance_of: dict[str, str] = {el.get("m_id"): el.get("instance_id") for el in markables
                                   if el.tag == "EVENT" and el.get("instance_id")}
    out = []
    for rel in root.find("Relations"):
        if rel.tag != "REFERS_TO":
            continue
        target = rel.find("target").get("m_id")
        if target not in instance_of:
            continue
        for src in rel.findall("source"):
            anchors = mentions.get(src.get("m_id"))
            if not anchors:
                continue
            start = min(offsets[a][0] for a in anchors)
            end = max(offsets[a][1] for a in anchors)
            out.append({"start": start, "end": end, "text": text[start:end], "instance": instance_of[target]})
    out.sort(key=lambda m: (m["start"], m["end"]))
    topic = path.parent.name.removeprefix("corpus_")
    return {"id": root.get("doc_id"), "topic": topic, "url": root.get("url"),
            "published": published, "text": text, "mentions": out}


def main(src: str, dest: str) -> None:
    docs = [convert(p) for p in sorted(Path(src).glob("corpus_*/*.xml"))]
    docs.sort(key=lambda d: (d["published"] or "", d["id"]))
    with open(dest, "w", encoding="utf-8") as out:
        for d in docs:
            out.write(json.dumps(d, ensure_ascii=False) + "\n")
    n = sum(len(d["mentions"]) for d in docs)
    print(f"wrote {len(docs)} articles, {n} event mentions to {dest}")


if __name__ == "__main__":
    main(*sys.argv[1:3])

"""Convert MEANTIME English (NewsReader, CC BY 4.0) TIMEX3 annotations to wirewatch's time gold JSONL.

    python scripts/convert_meantime_time.py ../shared/data/meantime/intra-doc_annotation \
        -o tests/data/gold/time_meantime.jsonl

MEANTIME annotates only the head of each article (sentences 0-5: title, date line, first four
sentences; a few documents go one further), so the gold text stops after the last annotated sentence.
MEANTIME ships token-level XML (no raw text): each article's text is rebuilt from its tokens (sentences
joined by newlines, tokens by spaces except before closing punctuation and after opening brackets), and
every TIMEX3 becomes a ``{"start", "end", "value", "type"}`` span over that text. The document creation
time (``functionInDocument="CREATION_TIME"``) is the article's ``published`` date. Then score with
``wirewatch eval tests/data/gold/time_meantime.jsonl --task time``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

NO_SPACE_BEFORE = re.compile(r"^(?:[,.;:!?%)\]}]|'s|'|n't|'re|'ve|'ll|'d|'m)$", re.IGNORECASE)
NO_SPACE_AFTER = {"(", "[", "{", "$", "``"}
ANNOTATED_SENTENCES = 6  # MEANTIME annotates the title, the date line and the first sentences (0-5)
DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?")


def rebuild_text(tokens: list[tuple[str, int, str]]) -> tuple[str, dict[str, tuple[int, int]]]:
    """(t_id, sentence, word) tokens -> article text and each token's (start, end) in it."""
    parts: list[str] = []
    offsets: dict[str, tuple[int, int]] = {}
    pos = 0
    previous_sentence: int | None = None
    previous_word = ""
    for t_id, sentence, word in tokens:
        if previous_sentence is None:
            sep = ""
        elif sentence != previous_sentence:
            sep = "\n"
        elif NO_SPACE_BEFORE.match(word) or previous_word in NO_SPACE_AFTER:
            sep = ""
        else:
            sep = " "
        parts.append(sep)
        pos += len(sep)
        offsets[t_id] = (pos, pos + len(word))
        parts.append(word)
        pos += len(word)
        previous_sentence, previous_word = sentence, word
    return "".join(parts), offsets


def convert_document(path: Path) -> dict:
    """One MEANTIME XML file -> one gold line (text, published, timexes, corpus, doc)."""
    root = ET.parse(path).getroot()
    tokens = [(t.get("t_id", ""), int(t.get("sentence", "0")), t.text or "") for t in root.iter("token")]
    sentence_of = {t_id: sentence for t_id, sentence, _w in tokens}
    markables = root.find("Markables")
    anchors = markables.iter("token_anchor") if markables is not None else ()
    annotated = [sentence_of.get(a.get("t_id"), 0) for a in anchors]
    last = max([ANNOTATED_SENTENCES - 1, *annotated])
    tokens = [t for t in tokens if t[1] <= last]  # only the annotated head of the article is gold
    text, offsets = rebuild_text(tokens)
    published = None
    timexes = []
    for timex in markables.iter("TIMEX3") if markables is not None else ():
        anchors = [a.get("t_id") for a in timex.findall("token_anchor")]
        value = timex.get("value") or None
        if timex.get("functionInDocument") == "CREATION_TIME" and value and DATE.match(value):
            published = DATE.match(value).group(0)
        spans = [offsets[a] for a in anchors if a in offsets]
        if not spans:  # an empty TIMEX3 (a time anchor with no text) is not a span
            continue
        start, end = min(s for s, _ in spans), max(e for _, e in spans)
        timexes.append({"start": start, "end": end, "text": text[start:end], "value": value,
                        "type": timex.get("type")})
    timexes.sort(key=lambda t: (t["start"], t["end"]))
    return {"doc": root.get("doc_name"), "url": root.get("url"), "corpus": "meantime",
            "text": text, "published": published, "timexes": timexes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", type=Path, help="MEANTIME XML files or folders")
    parser.add_argument("-o", "--out", type=Path, required=True)
    args = parser.parse_args(argv)
    files = sorted(f for p in args.inputs for f in (p.rglob("*.xml") if p.is_dir() else [p]))
    if not files:
        print("no MEANTIME XML files found", file=sys.stderr)
        return 1
    with args.out.open("w", encoding="utf-8") as out:
        for path in files:
            out.write(json.dumps(convert_document(path), ensure_ascii=False) + "\n")
    print(f"wrote {len(files)} documents to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Cost of the time stage against the bare spaCy parse, on the Kobani article x N (default 50).

    python scripts/bench_time.py [N]

Prints seconds for ``nlp.pipe`` and for ``TimeTagger.find`` + ``date_event`` (every verb of the
article taken as an event trigger), with dateparser's cache cleared before every document ("cold")
and kept ("warm"), and the ratio time stage / parse.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

from wirewatch.nlp import load_nlp
from wirewatch.records import EventDraft, Sentence, Span
from wirewatch.temporal import TimeTagger, fallback

ARTICLE = Path(__file__).resolve().parent.parent / "examples" / "kobani-warning.txt"
PUBLISHED = date(2015, 2, 13)


def drafts(doc) -> list[EventDraft]:
    sents = list(doc.sents)
    index = {s.start: i for i, s in enumerate(sents)}
    out = []
    for tok in doc:
        if tok.pos_ == "VERB":
            s = tok.sent
            out.append(EventDraft(Sentence(index[s.start], s.start_char, s.end_char), "ASSAULT",
                                  Span(tok.text, tok.idx, tok.idx + len(tok)), tok.i, (), (), "asserted"))
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    nlp = load_nlp()
    text = ARTICLE.read_text(encoding="utf-8")
    nlp(text)  # warm the model
    start = time.perf_counter()
    docs = list(nlp.pipe([text] * n))
    parse = time.perf_counter() - start
    tagger = TimeTagger()
    events = drafts(docs[0])
    results = {}
    for mode in ("cold", "warm"):
        start = time.perf_counter()
        for doc in docs:
            if mode == "cold":
                fallback.parse_date.cache_clear()
            found = tagger.find(doc, PUBLISHED)
            for d in events:
                tagger.date_event(doc, d, found, PUBLISHED)
        results[mode] = time.perf_counter() - start
    print(f"{n} docs, {len(events)} event triggers each")
    print(f"nlp.pipe: {parse:.3f} s")
    for mode, secs in results.items():
        print(f"time stage ({mode}): {secs:.3f} s = {100 * secs / parse:.1f} % of the parse")


if __name__ == "__main__":
    main()

"""``wirewatch bench``: bare spaCy parse vs the full pipeline into a fresh SQLite file, same texts."""

from __future__ import annotations

import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from wirewatch.errors import InputError
from wirewatch.ingest import article_id, read_articles
from wirewatch.records import Article


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def synthetic_articles(n: int, seed: int = 13) -> list[Article]:
    """``n`` distinct articles of 6-14 sentences drawn from the shipped example texts."""
    import re

    root = resources.files("wirewatch") / "data" / "examples"
    pool: list[str] = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".txt"):
            pool += [s.strip() for s in re.split(r"(?<=[.!?])\s+", entry.read_text("utf-8")) if s.strip()]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        text = " ".join(rng.choice(pool) for _ in range(rng.randint(6, 14)))
        text = f"Story {i}. " + text
        published = date(2015, 1, 1) + timedelta(days=rng.randint(0, 3000))
        out.append(Article(id=article_id(text), text=text, published=published, origin=f"bench-{i}"))
    return out


def load_corpus(corpus: Path, n: int) -> list[Article]:
    articles = [a for a in read_articles([corpus]) if not isinstance(a, InputError)]
    if not articles:
        raise InputError(str(corpus), "no readable articles in the corpus")
    return [articles[i % len(articles)] for i in range(n)] if len(articles) < n else articles[:n]


def run_bench(n: int, corpus: Path | None = None, model: str | None = None) -> dict[str, Any]:
    """Time (a) ``nlp.pipe`` alone and (b) the whole pipeline + SQLite store on the same articles."""
    from wirewatch.ingest.dedupe import minhash, to_bytes
    from wirewatch.nlp import load_nlp
    from wirewatch.pipeline import Pipeline
    from wirewatch.store import Store

    articles = load_corpus(corpus, n) if corpus else synthetic_articles(n)
    words = sum(len(a.text.split()) for a in articles)
    nlp = load_nlp(model)
    nlp(articles[0].text)  # warm up the model alone, so (a) measures the bare parse's memory

    t0 = time.perf_counter()
    docs = list(nlp.pipe((a.text for a in articles), batch_size=16))
    parse_s = time.perf_counter() - t0
    parse_rss = _peak_rss_mb()

    t0 = time.perf_counter()
    pipeline = Pipeline(model)
    pipeline.analyze(articles[0])  # lazy loads of every stage's data (gazetteer, KBs, models)
    startup_s = time.perf_counter() - t0

    stages = _stage_times(pipeline, articles, docs)
    del docs

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        with Store.open(f"sqlite:///{Path(tmp) / 'bench.db'}") as store:
            stored_events = 0
            for analyzed in pipeline.analyze_many(articles):
                store.add_analyzed(analyzed, to_bytes(minhash(analyzed.article.text)))
                stored_events += len(analyzed.events)
        full_s = time.perf_counter() - t0
    full_rss = _peak_rss_mb()

    def rates(seconds: float, rss: float) -> dict[str, float]:
        return {"seconds": seconds, "articles_per_s": n / seconds, "words_per_s": words / seconds,
                "peak_rss_mb": rss}

    return {
        "articles": n,
        "words": words,
        "model": pipeline.model,
        "events": stored_events,
        "spacy": rates(parse_s, parse_rss),
        "pipeline": rates(full_s, full_rss),
        "ratio": full_s / parse_s,
        "startup_seconds": startup_s,
        "stages": stages,
        "stage_pct_of_parse": {k: 100 * v / parse_s for k, v in stages.items()},
    }


def _stage_times(pipeline: Any, articles: list[Article], docs: list[Any]) -> dict[str, float]:
    """Seconds each stage takes over already-parsed docs (what it adds to the parse)."""
    times = {"actors": 0.0, "events": 0.0, "geo": 0.0, "time": 0.0}
    for article, doc in zip(articles, docs, strict=True):
        t = time.perf_counter()
        mentions = pipeline.actors.mentions(doc, published=article.published)
        times["actors"] += time.perf_counter() - t
        t = time.perf_counter()
        drafts = pipeline.events.extract(doc, list(mentions))
        times["events"] += time.perf_counter() - t
        t = time.perf_counter()
        toponyms = pipeline.geo.toponyms(doc, article)
        for d in drafts:
            pipeline.geo.locate(doc, d, toponyms)
        times["geo"] += time.perf_counter() - t
        t = time.perf_counter()
        timexes = pipeline.time.find(doc, article.published)
        for d in drafts:
            pipeline.time.date_event(doc, d, timexes, article.published)
        times["time"] += time.perf_counter() - t
    return times

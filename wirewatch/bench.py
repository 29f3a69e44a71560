"""``wirewatch bench``: bare spaCy parse vs the full pipeline into a fresh SQLite file, same texts,
on real news (the shipped Wikinews articles), interleaved rounds; optional workers run and size sweep."""

from __future__ import annotations

import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from wirewatch.errors import InputError
from wirewatch.ingest import article_id, read_articles
from wirewatch.records import Article, Sentence


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


def news_articles(n: int | None = None) -> list[Article]:
    """The shipped Wikinews articles (CC BY 2.5, ``wirewatch/data/news``), real news in file order;
    ``n`` above their number repeats them (with distinct ids)."""
    import gzip
    import json

    from wirewatch.ingest.readers import parse_published

    raw = (resources.files("wirewatch") / "data" / "news" / "wikinews.jsonl.gz").read_bytes()
    rows = [json.loads(line) for line in gzip.decompress(raw).decode("utf-8").splitlines() if line.strip()]
    out = []
    for i in range(len(rows) if n is None else n):
        r = rows[i % len(rows)]
        text = r["text"] if i < len(rows) else f"{r['text']}\n\n(copy {i // len(rows)})"
        out.append(Article(id=article_id(text, r["url"] if i < len(rows) else None), text=text, url=r["url"],
                           title=r["title"], published=parse_published(r["published"], "bench"),
                           origin=f"wikinews-{i}"))
    return out


def load_corpus(corpus: Path, n: int) -> list[Article]:
    articles = [a for a in read_articles([corpus]) if not isinstance(a, InputError)]
    if not articles:
        raise InputError(str(corpus), "no readable articles in the corpus")
    return [articles[i % len(articles)] for i in range(n)] if len(articles) < n else articles[:n]


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _full_run(pipeline: Any, articles: list[Article], workers: int = 1) -> tuple[float, int]:
    """Seconds for the whole ingest of ``articles`` into a fresh file, as ``wirewatch ingest`` runs it
    (near-duplicate check, analysis, store writes in batches on the writer thread); events stored."""
    from wirewatch.ingest.runner import ingest_items
    from wirewatch.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        with Store.open(f"sqlite:///{Path(tmp) / 'bench.db'}") as store:
            summary = ingest_items(articles, store, pipeline, batch_size=pipeline.batch_size,
                                   workers=workers, model=pipeline.model)
        return time.perf_counter() - t0, summary.events


def run_bench(n: int, corpus: Path | None = None, model: str | None = None, rounds: int = 3,
              workers: int = 1, sweep: tuple[int, ...] = ()) -> dict[str, Any]:
    """Time (a) ``nlp.pipe`` alone and (b) the whole pipeline + SQLite store on the same articles.

    The two alternate ``rounds`` times (a, b, a, b, ...) so machine load hits both alike; the report
    gives medians (``spacy``, ``pipeline``, ``ratio``) and the spread over rounds. Default corpus:
    the shipped Wikinews articles. ``workers`` > 1 adds a run on that many processes (and bare spaCy
    with ``n_process``); ``sweep`` adds the size sweep (:func:`size_sweep`).
    """
    from wirewatch.nlp import load_nlp
    from wirewatch.pipeline import Pipeline

    articles = load_corpus(corpus, n) if corpus else news_articles(n)
    words = sum(len(a.text.split()) for a in articles)
    nlp = load_nlp(model)
    nlp(articles[0].text)  # warm up the model alone, so (a) measures the bare parse's memory

    t0 = time.perf_counter()
    pipeline = Pipeline(model)
    pipeline.analyze(articles[0])  # lazy loads of every stage's data (gazetteer, KBs, models)
    startup_s = time.perf_counter() - t0

    parse_times: list[float] = []
    full_times: list[float] = []
    stored_events = 0
    parse_rss = full_rss = 0.0
    for _ in range(max(1, rounds)):
        t0 = time.perf_counter()
        for _doc in nlp.pipe((a.text for a in articles), batch_size=16):
            pass
        parse_times.append(time.perf_counter() - t0)
        parse_rss = max(parse_rss, _peak_rss_mb())
        seconds, stored_events = _full_run(pipeline, articles)
        full_times.append(seconds)
        full_rss = max(full_rss, _peak_rss_mb())
    ratios = [f / p for f, p in zip(full_times, parse_times, strict=True)]
    parse_s, full_s = _median(parse_times), _median(full_times)
    docs = list(nlp.pipe((a.text for a in articles[:min(n, 100)]), batch_size=16))
    stages = _stage_times(pipeline, articles[:len(docs)], docs)
    sample_parse = sum(parse_times) / len(parse_times) * len(docs) / n
    del docs

    def rates(seconds: float, rss: float) -> dict[str, float]:
        return {"seconds": seconds, "articles_per_s": n / seconds, "words_per_s": words / seconds,
                "peak_rss_mb": rss}

    result: dict[str, Any] = {
        "articles": n,
        "words": words,
        "corpus": str(corpus) if corpus else "wikinews (shipped, CC BY 2.5)",
        "model": pipeline.model,
        "events": stored_events,
        "rounds": len(parse_times),
        "spacy": rates(parse_s, parse_rss),
        "pipeline": rates(full_s, full_rss),
        "ratio": full_s / parse_s,  # of the medians; per-round ratios in "spread"
        "spread": {"spacy_seconds": [min(parse_times), max(parse_times)],
                   "pipeline_seconds": [min(full_times), max(full_times)],
                   "ratio": [min(ratios), max(ratios)], "ratios": ratios,
                   "ratio_median": _median(ratios)},
        "startup_seconds": startup_s,
        "stages": stages,
        "stage_pct_of_parse": {k: 100 * v / sample_parse for k, v in stages.items()},
    }
    if workers > 1:
        result["workers"] = _workers_run(nlp, pipeline, articles, workers, full_s, parse_s)
    if sweep:
        result["sweep"] = size_sweep(pipeline, sweep)
    return result


def _workers_run(nlp: Any, pipeline: Any, articles: list[Article], workers: int, one_s: float,
                 parse_one_s: float) -> dict[str, Any]:
    """The full pipeline on ``workers`` processes (start-up included) vs one, and bare spaCy with
    ``n_process=workers`` vs one process, for reference."""
    t0 = time.perf_counter()
    for _doc in nlp.pipe((a.text for a in articles), batch_size=16, n_process=workers):
        pass
    parse_n = time.perf_counter() - t0
    seconds, _ = _full_run(pipeline, articles, workers=workers)
    return {"workers": workers, "pipeline_seconds": seconds, "speedup": one_s / seconds,
            "articles_per_s": len(articles) / seconds,
            "spacy_n_process_seconds": parse_n, "spacy_speedup": parse_one_s / parse_n}


def long_text(words: int) -> str:
    """A document of about ``words`` words: shipped Wikinews articles one after another."""
    out: list[str] = []
    count = 0
    i = 0
    pool = news_articles()
    while count < words:
        text = pool[i % len(pool)].text
        chunk = text.split(" ")
        take = chunk[: words - count] if count + len(chunk) > words else chunk
        out.append(" ".join(take))
        count += len(take)
        i += 1
    return "\n\n".join(out)


def size_sweep(pipeline: Any, sizes: tuple[int, ...]) -> list[dict[str, Any]]:
    """Per 1,000 words, the milliseconds of the parse and of each stage on one document per size
    (e.g. 100 → 100,000 words): flat rows mean cost linear in article length."""
    rows = []
    for size in sizes:
        text = long_text(size)
        article = Article(id=f"sweep-{size}", text=text, published=date(2020, 1, 1), origin=f"sweep-{size}")
        pipeline.nlp.max_length = max(pipeline.nlp.max_length, len(text) + 1)
        t0 = time.perf_counter()
        doc = pipeline.nlp(text)
        parse = time.perf_counter() - t0
        stages = _stage_times(pipeline, [article], [doc])
        t0 = time.perf_counter()
        analyzed = pipeline.from_doc(article, doc)
        after_parse = time.perf_counter() - t0
        per_k = 1000 / max(1, len(text.split()))
        rows.append({"words": len(text.split()), "events": len(analyzed.events),
                     "parse_ms_per_1k": 1000 * parse * per_k,
                     "stages_ms_per_1k": 1000 * after_parse * per_k,
                     **{f"{k}_ms_per_1k": 1000 * v * per_k for k, v in stages.items()}})
    return rows


def print_scale(result: dict[str, Any]) -> None:
    """The parts of the bench report beyond the basic table: spread, workers, size sweep."""
    from rich.console import Console
    from rich.table import Table

    out = Console()
    sp = result["spread"]
    out.print(f"{result['rounds']} interleaved rounds; per-round ratio median {sp['ratio_median']:.2f}, "
              f"range {sp['ratio'][0]:.2f}-{sp['ratio'][1]:.2f}; corpus: {result['corpus']}")
    w = result.get("workers")
    if w:
        out.print(f"{w['workers']} workers: pipeline {w['pipeline_seconds']:.1f} s, {w['speedup']:.2f}x one "
                  f"worker ({w['articles_per_s']:.1f} articles/s); bare spaCy n_process={w['workers']}: "
                  f"{w['spacy_speedup']:.2f}x one process")
    if result.get("sweep"):
        table = Table(title="size sweep: ms per 1,000 words")
        cols = ["words", "events", "parse", "stages", "actors", "events_stage", "geo", "time"]
        for c in cols:
            table.add_column(c)
        for r in result["sweep"]:
            keys = ("parse", "stages", "actors", "events", "geo", "time")
            table.add_row(str(r["words"]), str(r["events"]), *(f"{r[f'{k}_ms_per_1k']:.0f}" for k in keys))
        out.print(table)
        stages = [r["stages_ms_per_1k"] for r in result["sweep"]]
        out.print(f"stages per 1k words, largest / smallest: {max(stages) / min(stages):.2f}")


def _stage_times(pipeline: Any, articles: list[Article], docs: list[Any]) -> dict[str, float]:
    """Seconds each stage takes over already-parsed docs (what it adds to the parse)."""
    from wirewatch.pipeline import SentenceIndex

    times = {"actors": 0.0, "events": 0.0, "geo": 0.0, "time": 0.0}
    for article, doc in zip(articles, docs, strict=True):
        sentences = tuple(Sentence(i, s.start_char, s.end_char) for i, s in enumerate(doc.sents))
        t = time.perf_counter()
        mentions = pipeline.actors.mentions(doc, published=article.published)
        times["actors"] += time.perf_counter() - t
        t = time.perf_counter()
        drafts = pipeline.events.extract(doc, list(mentions))
        times["events"] += time.perf_counter() - t
        t = time.perf_counter()
        toponyms = tuple(pipeline.geo.toponyms(doc, article))
        near = SentenceIndex(sentences, toponyms, ())
        for d in drafts:
            pipeline.geo.locate(doc, d, near.toponyms(d))
        times["geo"] += time.perf_counter() - t
        t = time.perf_counter()
        timexes = tuple(pipeline.time.find(doc, article.published))
        near = SentenceIndex(sentences, (), timexes)
        for d in drafts:
            pipeline.time.date_event(doc, d, near.timexes(d), article.published)
        times["time"] += time.perf_counter() - t
    return times

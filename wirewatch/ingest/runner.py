"""Ingest a batch into the store: read → skip known → link near-duplicates → analyse → store.

Every article is written in its own transaction, so a run that is killed and started again neither
duplicates nor loses an article: stored ones are skipped by id, the rest are processed.

One bad input never stops the run: an input that cannot be read, an article whose analysis raises and
an article the database refuses are each reported (one line), recorded in the ``failures`` table
(:mod:`wirewatch.ingest.failures`: ``wirewatch failures`` lists them, ``failures retry`` retries them)
and skipped. Only a failure to record a failure (the database itself is gone) ends the run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from wirewatch.errors import InputError, describe
from wirewatch.ingest.dedupe import NearDuplicateIndex, minhash, to_bytes
from wirewatch.ingest.failures import FailureLog
from wirewatch.ingest.readers import Item, read_articles
from wirewatch.pipeline import AnalysisFailure, analyze_isolated
from wirewatch.records import Article

log = logging.getLogger(__name__)


@dataclass
class IngestSummary:
    """What one ingest run did (printed by the CLI at the end)."""

    read: int = 0
    added: int = 0
    skipped: int = 0  # already in the store, or twice in this batch
    near_duplicates: int = 0
    events: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "added": self.added,
            "skipped_duplicates": self.skipped,
            "near_duplicates": self.near_duplicates,
            "events": self.events,
            "failed": [{"where": w, "reason": r} for w, r in self.failed],
            "seconds": round(self.seconds, 2),
        }


Progress = Callable[[str, str], None]  # (outcome, where) for each input item


def ingest(
    paths: Iterable[str | Path],
    store: Any,
    pipeline: Any,
    published: date | None = None,
    progress: Progress | None = None,
    batch_size: int = 16,
    follow_links: bool = False,
    failures: FailureLog | None = None,
) -> IngestSummary:
    """Ingest every article under ``paths`` into ``store`` using ``pipeline``."""
    items = read_articles(paths, published=published, follow_links=follow_links)
    return ingest_items(items, store, pipeline, progress=progress, batch_size=batch_size, failures=failures)


def ingest_items(
    items: Iterable[Item],
    store: Any,
    pipeline: Any,
    progress: Progress | None = None,
    batch_size: int = 16,
    failures: FailureLog | None = None,
) -> IngestSummary:
    """Ingest already-read items (articles, or the InputErrors of inputs that could not be read)."""
    started = time.perf_counter()
    summary = IngestSummary()
    index = NearDuplicateIndex()
    index.load(store.minhashes())
    failures = failures or FailureLog(store)
    seen: set[str] = set()
    batch: list[tuple[Article, bytes]] = []
    pending_dups: list[tuple[Article, str, bytes]] = []
    note = progress or (lambda outcome, where: None)

    def fail(article: Article, stage: str, reason: str) -> None:
        where = article.origin or article.id
        failures.article_failed(stage, article, reason)
        summary.failed.append((where, reason))
        note("failed", where)

    def save(analyzed: Any, signature: bytes) -> None:
        article = analyzed.article
        where = article.origin or article.id
        try:
            added = store.add_analyzed(analyzed, signature)
        except Exception as exc:  # the database refused this article (e.g. a value it cannot hold)
            log.info("storing %s failed", where, exc_info=True)
            fail(article, "store", f"could not be stored ({describe(exc)})")
            return
        failures.stored(article)
        if added:
            summary.added += 1
            summary.events += len(analyzed.events)
            note("added", where)
        else:
            summary.skipped += 1
            note("skipped", where)

    def analyze(articles: list[Article]) -> list[Any]:
        out = []
        for result in analyze_isolated(pipeline, articles, batch_size):
            if isinstance(result, AnalysisFailure):
                fail(result.article, "analyse", result.reason)
            else:
                out.append(result)
        return out

    def flush() -> None:
        signatures = {a.id: sig for a, sig in batch}
        for analyzed in analyze([a for a, _ in batch]):
            save(analyzed, signatures[analyzed.article.id])
        for article, original, signature in pending_dups:  # after their originals are stored
            if store.has_article(original):
                try:
                    store.add_duplicate(article, original)
                except Exception as exc:
                    fail(article, "store", f"could not be stored ({describe(exc)})")
                    continue
                failures.stored(article)
                note("near-duplicate", article.origin or article.id)
                continue
            summary.near_duplicates -= 1  # its original failed: this copy is all we have, analyse it
            for analyzed in analyze([article]):
                save(analyzed, signature)
        batch.clear()
        pending_dups.clear()

    for item in items:
        if isinstance(item, InputError):
            failures.read_failed(item)
            summary.failed.append((item.where, item.reason))
            note("failed", item.where)
            continue
        summary.read += 1
        if item.id in seen or store.has_article(item.id):
            if item.id not in seen:
                failures.stored(item)
            summary.skipped += 1
            note("skipped", item.origin or item.id)
            continue
        seen.add(item.id)
        mh = minhash(item.text)
        original = index.find(mh)
        if original is not None:
            summary.near_duplicates += 1
            pending_dups.append((item, original, to_bytes(mh)))
            continue
        index.add(item.id, mh)
        batch.append((item, to_bytes(mh)))
        if len(batch) >= batch_size:
            flush()
    if batch or pending_dups:
        flush()
    summary.seconds = time.perf_counter() - started
    return summary

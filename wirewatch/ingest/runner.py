"""Ingest a batch into the store: read → skip known → link near-duplicates → analyse → store.

Every article is written in its own transaction, so a run that is killed and started again neither
duplicates nor loses an article: stored ones are skipped by id, the rest are processed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from wirewatch.errors import InputError
from wirewatch.ingest.dedupe import NearDuplicateIndex, minhash, to_bytes
from wirewatch.ingest.readers import read_articles
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
) -> IngestSummary:
    """Ingest every article under ``paths`` into ``store`` using ``pipeline``."""
    started = time.perf_counter()
    summary = IngestSummary()
    index = NearDuplicateIndex()
    index.load(store.minhashes())
    seen: set[str] = set()
    batch: list[tuple[Article, bytes]] = []
    pending_dups: list[tuple[Article, str, bytes]] = []
    note = progress or (lambda outcome, where: None)

    def analyze_one(article: Article) -> Any:
        try:
            return pipeline.analyze(article)
        except Exception as exc:  # a pipeline bug on one article: report it, go on with the rest
            log.exception("analysis failed for %s", article.origin)
            summary.failed.append((article.origin or article.id, f"analysis failed: {exc}"))
            note("failed", article.origin or article.id)
            return None

    def save(analyzed: Any, signature: bytes) -> None:
        where = analyzed.article.origin or analyzed.article.id
        if store.add_analyzed(analyzed, signature):
            summary.added += 1
            summary.events += len(analyzed.events)
            note("added", where)
        else:
            summary.skipped += 1
            note("skipped", where)

    def flush() -> None:
        articles = [a for a, _ in batch]
        signatures = {a.id: sig for a, sig in batch}
        try:
            analyzed_all = list(pipeline.analyze_many(articles))
        except Exception:  # one bad article must not sink the batch: retry one by one
            log.exception("batch analysis failed; retrying article by article")
            analyzed_all = [a for a in map(analyze_one, articles) if a is not None]
        for analyzed in analyzed_all:
            save(analyzed, signatures[analyzed.article.id])
        for article, original, signature in pending_dups:  # after their originals are stored
            if store.has_article(original):
                store.add_duplicate(article, original)
                note("near-duplicate", article.origin or article.id)
                continue
            summary.near_duplicates -= 1  # its original failed: this copy is all we have, analyse it
            analyzed = analyze_one(article)
            if analyzed is not None:
                save(analyzed, signature)
        batch.clear()
        pending_dups.clear()

    for item in read_articles(paths, published=published):
        if isinstance(item, InputError):
            summary.failed.append((item.where, item.reason))
            note("failed", item.where)
            continue
        summary.read += 1
        if item.id in seen or store.has_article(item.id):
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

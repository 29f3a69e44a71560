"""Ingest a batch into the store: read → skip known → link near-duplicates → analyse → store.

Analysis may run on several worker processes (``workers``); this process is the one writer (its
writer thread commits a batch while the next one is analysed). Each
batch of articles is written in one transaction (an article and all its rows are in the same one),
so a run that is killed and started again neither duplicates nor loses an article: stored ones are
skipped by id, the rest (at most the unwritten batch) are processed again.

One bad input never stops the run: an input that cannot be read, an article whose analysis raises and
an article the database refuses are each reported (one line), recorded in the ``failures`` table
(:mod:`wirewatch.ingest.failures`: ``wirewatch failures`` lists them, ``failures retry`` retries them)
and skipped; a batch the database refuses is written again article by article, so only the refused
article fails. Only a failure to record a failure (the database itself is gone) ends the run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from wirewatch.errors import InputError, describe
from wirewatch.ingest.dedupe import NearDuplicateIndex, minhash, to_bytes
from wirewatch.ingest.failures import FailureLog
from wirewatch.ingest.readers import Item, read_articles
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
    pipeline: Any = None,
    published: date | None = None,
    progress: Progress | None = None,
    batch_size: int = 16,
    follow_links: bool = False,
    failures: FailureLog | None = None,
    workers: int = 1,
    model: str | None = None,
) -> IngestSummary:
    """Ingest every article under ``paths`` into ``store`` (see :func:`ingest_items`)."""
    items = read_articles(paths, published=published, follow_links=follow_links)
    return ingest_items(items, store, pipeline, progress=progress, batch_size=batch_size, failures=failures,
                        workers=workers, model=model)


def ingest_items(
    items: Iterable[Item],
    store: Any,
    pipeline: Any = None,
    progress: Progress | None = None,
    batch_size: int = 16,
    failures: FailureLog | None = None,
    workers: int = 1,
    model: str | None = None,
) -> IngestSummary:
    """Ingest already-read items (articles, or the InputErrors of inputs that could not be read).

    Reading, the skip of stored ids and the near-duplicate check run here, in input order; analysis
    runs in :func:`wirewatch.parallel.analyze_parallel` (``pipeline`` in this process when
    ``workers`` is 1, else ``workers`` processes each loading ``model``); results come back in input
    order and are written ``batch_size`` articles per transaction by this process, the one writer.
    """
    from wirewatch.parallel import Analysis, analyze_parallel

    started = time.perf_counter()
    summary = IngestSummary()
    failures = failures or FailureLog(store)
    index = NearDuplicateIndex(lookup=getattr(store, "similar", None))
    if index.lookup is None:
        index.load(store.minhashes())
    seen: set[str] = set()
    signatures: dict[str, bytes] = {}  # sent to analysis, not yet written
    waiting: dict[str, list[tuple[Article, bytes]]] = {}  # near-duplicates of an article in flight
    orphans: list[Article] = []  # near-duplicates whose original failed: analysed themselves
    writer = _BatchWriter(store, summary, batch_size, progress, failures)
    note = writer.note

    def candidates() -> Iterator[Article]:
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
                if original in signatures:
                    waiting.setdefault(original, []).append((item, to_bytes(mh)))
                else:
                    writer.duplicate(item, original)
                continue
            index.add(item.id, mh)
            signatures[item.id] = to_bytes(mh)
            yield item

    def settle(result: Analysis) -> None:
        article = result.article
        signature = signatures.pop(article.id, None)
        copies = waiting.pop(article.id, [])
        if result.analyzed is None:
            writer.fail(article, "analyse", result.error or "analysis failed")
            summary.near_duplicates -= len(copies)  # its copies are all we have: analyse them
            for copy, copy_sig in copies:
                signatures[copy.id] = copy_sig
                orphans.append(copy)
            return
        writer.analyzed(result.analyzed, signature)
        for copy, _ in copies:  # written after their original, in the same or a later transaction
            writer.duplicate(copy, article.id)

    kwargs = {"workers": workers, "model": model, "pipeline": pipeline, "batch_size": batch_size}
    try:
        for result in analyze_parallel(candidates(), **kwargs):
            settle(result)
        while orphans:
            todo = list(orphans)
            orphans.clear()
            for result in analyze_parallel(todo, **kwargs):
                settle(result)
        writer.flush()
    finally:
        writer.close()  # the batch in flight is committed (and counted) before the run returns or stops
    summary.seconds = time.perf_counter() - started
    return summary


class _BatchWriter:
    """Collects analysed articles and near-duplicates; writes each batch in one transaction, and a
    batch the database refuses article by article, so only the refused article fails.

    A batch's transaction runs on a writer thread while this thread analyses the next batch (the
    parse releases the GIL for much of its time, and so does the database driver): one batch at most
    is in flight, batches commit in order, and everything else (counts, progress, failure rows, the
    article-by-article retry) happens on this thread once the batch is committed."""

    def __init__(self, store: Any, summary: IngestSummary, batch_size: int, progress: Progress | None,
                 failures: FailureLog) -> None:
        self.store, self.summary, self.batch_size, self.failures = store, summary, batch_size, failures
        self.note: Progress = progress or (lambda outcome, where: None)
        self._analyzed: list[tuple[Any, bytes | None]] = []
        self._dups: list[tuple[Article, str]] = []
        self._thread: ThreadPoolExecutor | None = None
        self._in_flight: tuple[Future[tuple[list[str], list[str]]], list[tuple[Any, bytes | None]],
                               list[tuple[Article, str]]] | None = None

    def analyzed(self, analyzed: Any, signature: bytes | None) -> None:
        self._analyzed.append((analyzed, signature))
        self._maybe_flush()

    def duplicate(self, article: Article, original: str) -> None:
        self._dups.append((article, original))
        self._maybe_flush()

    def fail(self, article: Article, stage: str, reason: str) -> None:
        where = article.origin or article.id
        self.failures.article_failed(stage, article, reason)
        self.summary.failed.append((where, reason))
        self.note("failed", where)

    def _maybe_flush(self) -> None:
        if len(self._analyzed) + len(self._dups) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Send the collected batch to the writer thread (after the one before it is committed)."""
        if not self._analyzed and not self._dups:
            return
        analyzed, dups = self._analyzed, self._dups
        self._analyzed, self._dups = [], []
        self._settle()
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wirewatch-writer")
        self._in_flight = (self._thread.submit(self.store.add_batch, analyzed, dups), analyzed, dups)

    def close(self) -> None:
        """Wait for the batch in flight, account for it, and stop the writer thread."""
        try:
            self._settle()
        finally:
            if self._thread is not None:
                self._thread.shutdown()
                self._thread = None

    def _settle(self) -> None:
        """Account for the batch in flight once it is committed (or retry it article by article)."""
        if self._in_flight is None:
            return
        done, analyzed, dups = self._in_flight
        self._in_flight = None
        try:
            added, linked = done.result()
        except Exception:  # one article the database refuses must not sink its batch: one by one
            log.info("writing a batch of %d failed; writing its articles one by one", len(analyzed),
                     exc_info=True)
            added, linked = self._one_by_one(analyzed, dups)
        added_ids, linked_ids = set(added), set(linked)
        for an, _ in analyzed:
            where = an.article.origin or an.article.id
            if an.article.id in added_ids:
                self.summary.added += 1
                self.summary.events += len(an.events)
                self.note("added", where)
            elif self.store.has_article(an.article.id):
                self.summary.skipped += 1
                self.note("skipped", where)
            else:
                continue  # refused: reported by _one_by_one
            self.failures.stored(an.article)
        for article, _ in dups:
            if article.id in linked_ids:
                self.failures.stored(article)
            outcome = "near-duplicate" if article.id in linked_ids else "skipped"
            self.note(outcome, article.origin or article.id)

    def _one_by_one(self, analyzed: list[tuple[Any, bytes | None]], dups: list[tuple[Article, str]]
                    ) -> tuple[list[str], list[str]]:
        added: list[str] = []
        linked: list[str] = []
        for an, signature in analyzed:
            try:
                if self.store.add_analyzed(an, signature):
                    added.append(an.article.id)
            except Exception as exc:  # the database refused this article (e.g. a value it cannot hold)
                self.fail(an.article, "store", f"could not be stored ({describe(exc)})")
        for article, original in dups:
            try:
                if self.store.has_article(original) and self.store.add_duplicate(article, original):
                    linked.append(article.id)
            except Exception as exc:
                self.fail(article, "store", f"could not be stored ({describe(exc)})")
        return added, linked

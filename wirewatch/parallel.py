"""Analyse articles on every core: a pool of worker processes, each with its own :class:`Pipeline`.

:func:`analyze_parallel` is the one entry point (``extract``, ``ingest`` and ``follow`` use it): it
takes articles in order and yields, in the same order, one :class:`Analysis` per article — the
:class:`AnalyzedArticle` or the reason it failed. Workers parse and run every stage; the caller's
process only reads, writes and reports, so output and event ids are identical to one worker.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing as mp
import os
import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

from wirewatch.records import AnalyzedArticle, Article

log = logging.getLogger(__name__)
MIN_PARALLEL = 2  # batches: an input with fewer is analysed in this process


@dataclass(frozen=True)
class Analysis:
    """The outcome for one article: ``analyzed`` or, when the pipeline failed on it, ``error``."""

    article: Article
    analyzed: AnalyzedArticle | None = None
    error: str | None = None


def default_workers() -> int:
    """The cores this process may use (``os.sched_getaffinity`` where available)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def analyze_batch(pipeline: Any, articles: list[Article]) -> list[Analysis]:
    """Analyse a batch (:func:`wirewatch.pipeline.analyze_isolated`: each article checked, the batch
    through ``nlp.pipe``, article by article when the batch fails), so one bad article is reported
    alone and the rest are kept."""
    from wirewatch.pipeline import AnalysisFailure, analyze_isolated

    out = []
    for result in analyze_isolated(pipeline, articles, batch_size=max(1, len(articles))):
        if isinstance(result, AnalysisFailure):
            out.append(Analysis(result.article, error=result.reason))
        else:
            out.append(Analysis(result.article, result))
    return out


_WORKER_PIPELINE: Any = None
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when its parent dies (Linux ``PR_SET_PDEATHSIG``).

    A worker holds both ends of the pool's pipes, so a parent killed by SIGKILL (or the OOM killer)
    would otherwise leave it waiting for work forever, holding its share of the model's memory. A
    parent already gone before the signal was armed is caught by its pid no longer being ours.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux: the pipes' EOF is all there is
        return
    if os.getppid() != parent:
        os._exit(1)


def _init_worker(model: str | None, batch_size: int, parent: int) -> None:
    global _WORKER_PIPELINE
    from wirewatch.pipeline import Pipeline

    _die_with_parent(parent)

    _WORKER_PIPELINE = Pipeline(model, batch_size=batch_size)


def _work(articles: list[Article]) -> list[Analysis]:
    return analyze_batch(_WORKER_PIPELINE, articles)


WARM_UP = Article(id="wirewatch-warm-up", text="Police arrested two men in Paris on Monday, officials said.")


def can_fork() -> bool:
    """Whether worker processes may be forked from this one: the platform forks and this process runs
    no other thread (a forked child gets a copy of the memory, not of the threads, and a lock some
    thread held would stay held in the child)."""
    return "fork" in mp.get_all_start_methods() and threading.active_count() == 1


def _forget_pipeline() -> None:
    global _WORKER_PIPELINE
    _WORKER_PIPELINE = None


def _forked_pool(pipeline: Any, name: str | None, batch_size: int, workers: int) -> ProcessPoolExecutor:
    """Workers forked from this process share its loaded pipeline (copy-on-write): no model load per
    worker. The pipeline is loaded, and warmed (the gazetteer and other lazy loads), here first."""
    global _WORKER_PIPELINE
    if pipeline is None:
        from wirewatch.pipeline import Pipeline

        pipeline = Pipeline(name, batch_size=batch_size)
    pipeline.analyze(WARM_UP)
    _WORKER_PIPELINE = pipeline  # inherited by the children, which fork when the pool starts
    return ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"), initializer=_die_with_parent,
                               initargs=(os.getpid(),))


def _check_model(name: str | None) -> None:
    from pathlib import Path

    from spacy.util import is_package

    from wirewatch.errors import UserError
    from wirewatch.nlp import DEFAULT_MODEL, model_name

    resolved = model_name(name)
    if not is_package(resolved) and not Path(resolved).exists():
        raise UserError(
            f"spaCy model {resolved!r} is not installed; pip install it or pick another with "
            f"--model / WIREWATCH_MODEL (default {DEFAULT_MODEL})"
        )


def analyze_parallel(
    articles: Iterable[Article],
    *,
    workers: int | None = None,
    model: str | None = None,
    pipeline: Any = None,
    batch_size: int = 16,
) -> Iterator[Analysis]:
    """Analyse ``articles`` with ``workers`` processes (default: every core); yields in input order.

    With one worker the given ``pipeline`` (or a new one) runs in this process. With more, worker
    processes are forked from this one and share its loaded pipeline (:func:`can_fork`; where this
    process runs other threads, fresh processes each load their own once); each takes batches of
    ``batch_size`` articles, and at most ``2 * workers`` batches are in flight, so memory stays
    bounded however long the input is. An input of fewer than ``MIN_PARALLEL`` batches runs in
    this process (a worker's start-up, about one model load, would cost more than it saves).
    """
    workers = workers or default_workers()
    source = iter(articles)
    head = list(islice(source, MIN_PARALLEL * batch_size)) if workers > 1 else []
    if len(head) < MIN_PARALLEL * batch_size:
        workers = 1  # a small input: starting processes (a model load each) would cost more than it saves
    source = chain(head, source)
    if workers <= 1:
        if pipeline is None:
            from wirewatch.pipeline import Pipeline

            pipeline = Pipeline(model, batch_size=batch_size)
        while batch := list(islice(source, batch_size)):
            yield from analyze_batch(pipeline, batch)
        return
    name = model if model is not None else getattr(pipeline, "model", None)
    _check_model(name)  # a missing model is one clear error here, not a broken pool later
    if can_fork():
        pool = _forked_pool(pipeline, name, batch_size, workers)
    else:  # another thread runs here (a server, a health check): fresh processes, each loads its own
        pool = ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"), initializer=_init_worker,
                                   initargs=(name, batch_size, os.getpid()))
    pending: deque[Future[list[Analysis]]] = deque()
    with pool:
        try:
            while True:
                while len(pending) < 2 * workers and (batch := list(islice(source, batch_size))):
                    pending.append(pool.submit(_work, batch))
                if not pending:
                    break
                yield from pending.popleft().result()
        finally:
            for fut in pending:
                fut.cancel()
            _forget_pipeline()

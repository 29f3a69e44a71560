"""``wirewatch ingest PATH... --ray [ADDRESS] --db postgresql://...``: the same ingest on a Ray cluster.

Ray Data reads the inputs as shards (one file each: JSONL, WARC, HTML, text; folders are listed
into their files) with :func:`wirewatch.ingest.read_articles`, then an actor pool analyses and
stores them: each actor loads the pipeline (model, gazetteer, KBs) and opens the store once, and for
every batch runs :func:`process_batch` — skip stored ids, link near-duplicates of stored articles
(the stored LSH index), :func:`wirewatch.parallel.analyze_batch`, then one ``Store.add_batch``
transaction (ON CONFLICT-safe, skips what is present, so a retried batch writes nothing twice).
The driver only lists files and reports progress. A rerun skips what is stored (resume); an actor
that dies is restarted by Ray and its batch retried.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from wirewatch.errors import InputError, UserError
from wirewatch.ingest.runner import IngestSummary, Progress
from wirewatch.records import Article

log = logging.getLogger(__name__)
BLOCK_BYTES = 64 * 1024  # Ray Data block size for the read stage's output
ARTICLE_FIELDS = ("id", "text", "url", "title", "source", "published", "language", "origin")


def shard_paths(paths: Iterable[str | Path]) -> list[str]:
    """The files under ``paths`` (a folder becomes its files, as ``read_articles`` reads them)."""
    from wirewatch.ingest.readers import KNOWN_SUFFIXES, TEXT_SUFFIXES
    from wirewatch.ingest.warc import is_warc

    out: list[str] = []
    for raw in paths:
        path = Path(raw)
        if str(raw) == "-":
            raise UserError("--ray reads files and folders, not stdin")
        if not path.is_dir():
            out.append(str(path))
            continue
        files = sorted(p for p in path.rglob("*") if p.is_file() and (p.suffix.lower() in KNOWN_SUFFIXES
                                                                      or is_warc(p)))
        texts = {p.with_suffix("") for p in files if p.suffix.lower() in TEXT_SUFFIXES}
        out += [str(p) for p in files if not (p.suffix.lower() == ".json" and p.with_suffix("") in texts)]
    return out


def _to_row(article: Article) -> dict[str, Any]:
    row = {k: v for k, v in asdict(article).items() if k in ARTICLE_FIELDS}
    row["published"] = article.published.isoformat() if article.published else None
    return row


def _from_row(row: dict[str, Any]) -> Article:
    values = {k: row.get(k) for k in ARTICLE_FIELDS}
    values["published"] = date.fromisoformat(values["published"]) if values["published"] else None
    return Article(**values)


def read_shard(row: dict[str, Any]) -> list[dict[str, Any]]:
    """One input file → article rows (``kind`` "article") and error rows (``kind`` "error")."""
    from wirewatch.ingest.readers import read_articles

    published = date.fromisoformat(row["published"]) if row.get("published") else None
    out = []
    for item in read_articles([row["path"]], published=published):
        if isinstance(item, InputError):
            out.append({"kind": "error", "where": item.where, "reason": item.reason, "article": None})
        else:
            out.append({"kind": "article", "where": item.origin or item.id, "reason": None,
                        "article": _to_row(item)})
    return out


def process_batch(pipeline: Any, store: Any, articles: list[Article]) -> list[dict[str, Any]]:
    """Skip stored, link near-duplicates of stored articles, analyse, write in one transaction.

    Returns one outcome row per article: ``where``, ``outcome`` (added, skipped, near-duplicate,
    failed), ``events``, ``reason``."""
    from wirewatch.ingest.dedupe import NearDuplicateIndex, minhash, to_bytes
    from wirewatch.parallel import analyze_batch

    index = NearDuplicateIndex(lookup=store.similar)
    todo: list[Article] = []
    signatures: dict[str, bytes] = {}
    dups: list[tuple[Article, str]] = []
    outcomes: dict[str, dict[str, Any]] = {}
    repeats: list[int] = []
    for i, a in enumerate(articles):
        where = a.origin or a.id
        if a.id in outcomes:
            repeats.append(i)
            continue
        if store.has_article(a.id):
            outcomes[a.id] = {"where": where, "outcome": "skipped", "events": 0, "reason": None}
            continue
        mh = minhash(a.text)
        original = index.find(mh)
        if original is not None:
            dups.append((a, original))
            outcomes[a.id] = {"where": where, "outcome": "near-duplicate", "events": 0, "reason": None}
            continue
        index.add(a.id, mh)
        signatures[a.id] = to_bytes(mh)
        todo.append(a)
        outcomes[a.id] = {"where": where, "outcome": "added", "events": 0, "reason": None}
    results = analyze_batch(pipeline, todo) if todo else []
    good = []
    for r in results:
        if r.analyzed is None:
            outcomes[r.article.id].update(outcome="failed", reason=r.error)
            dups = [(d, o) for d, o in dups if o != r.article.id]  # (its copies: analysed next run)
        else:
            good.append((r.analyzed, signatures[r.article.id]))
    added, linked = store.add_batch(good, dups)
    added_ids, linked_ids = set(added), set(linked)
    for an, _ in good:
        o = outcomes[an.article.id]
        if an.article.id in added_ids:
            o["events"] = len(an.events)
        else:
            o["outcome"] = "skipped"  # written meanwhile (a retried batch, another actor)
    for d, _ in dups:
        if d.id not in linked_ids:
            outcomes[d.id]["outcome"] = "skipped"
    out = [dict(outcomes[a.id]) for a in articles]
    for i in repeats:  # the same article twice in one batch: the second is a skip
        out[i].update(where=articles[i].origin or articles[i].id, outcome="skipped", events=0)
    return out


class Analyzer:
    """A Ray Data actor: one pipeline and one store connection for its whole life."""

    def __init__(self, db_url: str, model: str | None, batch_size: int) -> None:
        from wirewatch.pipeline import Pipeline
        from wirewatch.store import Store

        self.pipeline = Pipeline(model, batch_size=batch_size)
        self.store = Store.open(db_url)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        rows = [dict(zip(batch, values, strict=True)) for values in zip(*batch.values(), strict=True)]
        articles = [_from_row(r["article"]) for r in rows if r["kind"] == "article"]
        done = iter(process_batch(self.pipeline, self.store, articles) if articles else [])
        out = [next(done) if r["kind"] == "article" else
               {"where": r["where"], "outcome": "unreadable", "events": 0, "reason": r["reason"]}
               for r in rows]
        return {k: [o[k] for o in out] for k in ("where", "outcome", "events", "reason")}


def ingest_ray(
    paths: Iterable[str | Path],
    db_url: str,
    address: str | None = None,
    workers: int = 2,
    model: str | None = None,
    published: date | None = None,
    progress: Progress | None = None,
    batch_size: int = 16,
) -> IngestSummary:
    """Ingest ``paths`` into ``db_url`` (PostgreSQL) on the Ray cluster at ``address`` ("local" or
    None: start one on this machine) with ``workers`` analysing actors."""
    import time

    try:
        import ray
        import ray.data
    except ImportError:
        raise UserError("--ray needs Ray: pip install 'wirewatch[ray]'") from None
    from wirewatch.store import Store, normalize_url

    if not normalize_url(db_url).startswith("postgresql"):
        raise UserError("--ray writes to PostgreSQL: give --db postgresql://user:pw@host/db")
    with Store.open(db_url):  # create and migrate once, here, before the actors open it
        pass
    started = time.perf_counter()
    note = progress or (lambda outcome, where: None)
    summary = IngestSummary()
    files = shard_paths(paths)
    if address in (None, "", "local"):
        # address="local": always a new cluster of our own, never one that happens to run here
        ray.init(address="local", include_dashboard=False, log_to_driver=False, configure_logging=False)
    else:
        ray.init(address=address, log_to_driver=False, configure_logging=False)
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        pub = published.isoformat() if published else None
        shards = ray.data.from_items([{"path": f, "published": pub} for f in files],
                                     override_num_blocks=max(1, len(files)))
        # small blocks (~a batch of news articles), so every actor gets work even from a single big
        # JSONL or WARC shard; no re-partition operator, which would want a CPU of its own and
        # deadlock beside ``workers`` actors on a machine with that many cores
        ctx.target_max_block_size = BLOCK_BYTES
        items = shards.flat_map(read_shard, num_cpus=0.1)
        outcomes = items.map_batches(
            Analyzer, fn_constructor_kwargs={"db_url": db_url, "model": model, "batch_size": batch_size},
            # 0.8 CPU each: the read tasks (0.1) must still be scheduled beside ``workers`` actors
            batch_size=batch_size, concurrency=workers, num_cpus=0.8, batch_format="default",
            max_restarts=-1, max_task_retries=-1,
        )
        for o in outcomes.iter_rows():
            kind = o["outcome"]
            if kind == "unreadable":
                summary.failed.append((o["where"], o["reason"]))
                note("failed", o["where"])
                continue
            summary.read += 1
            if kind == "added":
                summary.added += 1
                summary.events += int(o["events"])
            elif kind == "skipped":
                summary.skipped += 1
            elif kind == "near-duplicate":
                summary.near_duplicates += 1
            else:
                summary.failed.append((o["where"], o["reason"] or "analysis failed"))
            note(kind, o["where"])
    finally:
        ray.shutdown()
    summary.seconds = time.perf_counter() - started
    return summary

"""Failure records: every input an ingest run could not read, analyse or store is written to the
``failures`` table, listed by ``wirewatch failures`` and retried by ``wirewatch failures retry``.

A read failure keeps the file's path (a retry reads the file again: what is stored already is skipped);
an analysis or store failure keeps the article itself (a retry needs no file). A row disappears once its
input is stored, by a retry or by any later ingest of the same input.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict
from datetime import date
from typing import Any

from wirewatch.errors import InputError
from wirewatch.ingest.validate import clean_str
from wirewatch.records import Article
from wirewatch.store import failures as sql


def label_key(label: str) -> str | None:
    """The key of a read failure at ``label`` (file:line): its absolute form; None for stdin."""
    if not label or label.startswith("<"):
        return None
    return sql.failure_key(label=os.path.abspath(label))


def article_json(article: Article) -> str:
    """The article as JSON (what a retry analyses again)."""
    d = asdict(article)
    d["published"] = article.published.isoformat() if article.published else None
    return json.dumps(d, ensure_ascii=False)


def article_from_json(text: str) -> Article:
    """The inverse of :func:`article_json`."""
    d = json.loads(text)
    d["published"] = date.fromisoformat(d["published"]) if d.get("published") else None
    return Article(**d)


class FailureLog:
    """What an ingest run tells the store about failures: record them, clear them once stored."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.known = sql.keys(store)
        self.recorded: set[str] = set()  # keys recorded (or re-recorded) during this run

    def read_failed(self, err: InputError) -> None:
        """An input that could not be read (bad JSON, binary file, wrong field type...)."""
        key = label_key(err.where) or sql.failure_key(label=f"<stdin>\n{uuid.uuid4()}")
        path = os.path.abspath(err.path) if err.path else None
        self._record({"key": key, "stage": "read", "label": err.where, "path": path, "article_id": None,
                      "article": None, "reason": err.reason})

    def article_failed(self, stage: str, article: Article, reason: str) -> None:
        """An article that was read but could not be analysed or stored."""
        self._record({"key": sql.failure_key(article_id=article.id), "stage": stage,
                      "label": article.origin or article.id, "path": None, "article_id": article.id,
                      "article": article_json(article), "reason": reason})

    def stored(self, article: Article) -> None:
        """The article is in the store (added, linked or already there): drop its failure rows."""
        if not self.known:
            return
        keys = {sql.failure_key(article_id=article.id)}
        if article.origin and (lk := label_key(article.origin)):
            keys.add(lk)
        hit = keys & self.known
        if hit:
            sql.remove(self.store, hit)
            self.known -= hit

    def _record(self, row: dict[str, Any]) -> None:
        # labels and paths come from file names, which may hold undecodable bytes (lone surrogates)
        row = {k: clean_str(v) if isinstance(v, str) and k != "article" else v for k, v in row.items()}
        sql.record(self.store, row)
        self.known.add(row["key"])
        self.recorded.add(row["key"])


def list_failures(store: Any) -> list[dict[str, Any]]:
    """Every recorded failure: id, stage, label, path, article_id, reason, attempts, first/last_failed."""
    return [{"id": r.pop("pk"), **{k: v for k, v in r.items() if k != "key"}} for r in sql.rows(store)]


def clear_failures(store: Any, ids: list[int] | None = None) -> int:
    """Forget the failures with ``ids`` (all when None); returns how many were removed."""
    return sql.remove_ids(store, ids)


def retry_inputs(store: Any, ids: list[int] | None = None) -> tuple[list[Article], list[str], list[dict]]:
    """What a retry of the failures ``ids`` (all when None) runs: the stored articles, the files to read
    again, and the rows that cannot be retried (stdin read failures: nothing was kept to read again)."""
    articles, paths, stuck = [], [], []
    for r in sql.rows(store, ids, with_article=True):
        if r["article"]:
            articles.append(article_from_json(r["article"]))
        elif r["path"]:
            if r["path"] not in paths:
                paths.append(r["path"])
        else:
            stuck.append({"id": r["pk"], "label": r["label"], "reason": r["reason"]})
    return articles, paths, stuck


def forget_fixed(store: Any, ids: list[int] | None, log: FailureLog) -> int:
    """After a retry: delete the retried rows that the retry did not record again (their input is gone
    or changed, and was reported under its new label). Returns how many were deleted."""
    rows = sql.rows(store, ids)
    stale = {r["key"] for r in rows if r["key"] not in log.recorded and (r["path"] or r["article_id"])}
    return sql.remove(store, stale)

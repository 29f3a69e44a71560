"""SQL for the ``failures`` table (migration 0005): inputs that could not be read, analysed or stored.

One row per failing input, keyed by :func:`failure_key`; recording the same input again updates its
row (reason, attempts, last_failed). The ingest runner deletes a row once its input is stored.
The library API over this is :mod:`wirewatch.ingest.failures`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect

from wirewatch.store import schema as s

if TYPE_CHECKING:
    from wirewatch.store.core import Store

f = s.failures


def failure_key(article_id: str | None = None, label: str | None = None) -> str:
    """The row key of a failing input: its article id when it was read, else its label."""
    what = f"article\n{article_id}" if article_id else f"label\n{label}"
    return hashlib.sha1(what.encode("utf-8", "surrogatepass")).hexdigest()  # file names: any bytes


def record(store: Store, row: dict[str, Any]) -> None:
    """Insert or update one failure; ``row`` has key, stage, label, path, article_id, article, reason."""
    now = datetime.now(UTC)
    values = {**row, "attempts": 1, "first_failed": now, "last_failed": now}
    insert = (sqlite_dialect.insert if store.dialect == "sqlite" else pg_dialect.insert)(f).values(values)
    stmt = insert.on_conflict_do_update(
        index_elements=[f.c.key],
        set_={"stage": insert.excluded.stage, "label": insert.excluded.label, "path": insert.excluded.path,
              "article_id": insert.excluded.article_id, "article": insert.excluded.article,
              "reason": insert.excluded.reason, "attempts": f.c.attempts + 1, "last_failed": now},
    )
    with store._write() as conn:
        conn.execute(stmt)


def keys(store: Store) -> set[str]:
    """Every failure key stored (the runner checks these to clear rows of inputs now stored)."""
    with store.engine.connect() as conn:
        return set(conn.scalars(select(f.c.key)))


def remove(store: Store, keys: Iterable[str]) -> int:
    """Delete the failures with these keys; returns how many were deleted."""
    wanted = list(keys)
    if not wanted:
        return 0
    with store._write() as conn:
        return conn.execute(delete(f).where(f.c.key.in_(wanted))).rowcount or 0


def remove_ids(store: Store, ids: Iterable[int] | None) -> int:
    """Delete the failures with these ids (all when None); returns how many were deleted."""
    stmt = delete(f)
    if ids is not None:
        stmt = stmt.where(f.c.pk.in_(list(ids)))
    with store._write() as conn:
        return conn.execute(stmt).rowcount or 0


def rows(store: Store, ids: Iterable[int] | None = None, with_article: bool = False) -> list[dict[str, Any]]:
    """Failures in the order first recorded (those with ``ids`` only); ``article`` JSON on request."""
    cols = [c for c in f.c if with_article or c.name != "article"]
    q = select(*cols).order_by(f.c.pk)
    if ids is not None:
        q = q.where(f.c.pk.in_(list(ids)))
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]

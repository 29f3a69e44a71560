"""SQL for saved alerts (``alerts`` table, migration 0003): rows in and out, and one delivery run.

The cursor of an alert is the highest ``events.pk`` it has delivered. Events are append-only and
every store write holds the single-writer lock (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL advisory
lock) while it takes its pks and commits, so pk order is commit order. A delivery run reads the
high-water mark ``max(events.pk)`` *under that same lock*: no insert is in flight, so nothing with a
smaller pk can commit later and be skipped. The library API over this is :mod:`wirewatch.watch`.

Delivery is checkpointed per alert and per batch (:func:`next_batch`): each batch of at most N hits
is read, delivered and its cursor advanced in one write transaction, so a crash redelivers at most
the batch in flight (consumers drop those repeats by the hit's idempotency key).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select, update
from sqlalchemy.exc import OperationalError

from wirewatch.errors import UserError
from wirewatch.query import EventFilter
from wirewatch.store import schema as s
from wirewatch.store.filters import where_all
from wirewatch.store.read import build_records, event_select, id_list

if TYPE_CHECKING:
    from wirewatch.store.core import Store

log = logging.getLogger(__name__)
Row = dict[str, Any]
_COLUMNS = (s.alerts.c.name, s.alerts.c.filter, s.alerts.c.created, s.alerts.c.cursor, s.alerts.c.last_run)


def _row(r: Any) -> Row:
    return {"name": r.name, "filter": r.filter, "created": r.created, "cursor": int(r.cursor),
            "last_run": r.last_run}


def high_water(conn: Connection) -> int:
    """The largest event pk stored (0 when there are no events)."""
    return int(conn.execute(select(func.coalesce(func.max(s.events.c.pk), 0))).scalar_one())


def insert_alert(store: Store, name: str, filter_json: str, backfill: bool = False) -> Row:
    """Add an alert row; its cursor is the current end of the events (0 with ``backfill``).

    Raises UserError when the name is taken.
    """
    with store._write() as conn:
        taken = conn.execute(select(s.alerts.c.name).where(s.alerts.c.name == name)).first()
        if taken:
            raise UserError(
                f"alert {name!r} already exists; pick another name or remove it first "
                f"(wirewatch watch remove {name})"
            )
        row = {"name": name, "filter": filter_json, "created": datetime.now(UTC),
               "cursor": 0 if backfill else high_water(conn), "last_run": None}
        conn.execute(s.alerts.insert(), [row])
        return row


def alert_rows(store: Store, names: Sequence[str] | None = None) -> list[Row]:
    """Alert rows by name (all when ``names`` is None); UserError naming any unknown alert."""
    with store._read() as conn:
        return _select(conn, names)


def _select(conn: Connection, names: Sequence[str] | None) -> list[Row]:
    q = select(*_COLUMNS).order_by(s.alerts.c.name)
    if names is not None:
        q = q.where(s.alerts.c.name.in_(list(names)))
    rows = [_row(r) for r in conn.execute(q)]
    if names is not None:
        missing = sorted(set(names) - {r["name"] for r in rows})
        if missing:
            known = [n for n in conn.scalars(select(s.alerts.c.name).order_by(s.alerts.c.name))]
            raise UserError(
                f"no alert named {', '.join(map(repr, missing))}; "
                + (f"saved alerts: {', '.join(known)}" if known else "add one with `wirewatch watch add`")
            )
    return rows


def delete_alert(store: Store, name: str) -> bool:
    """Remove an alert (and its delivery settings and dead letters); False when there is none."""
    with store._write() as conn:
        conn.execute(s.alert_settings.delete().where(s.alert_settings.c.name == name))
        conn.execute(s.alert_failures.delete().where(s.alert_failures.c.alert == name))
        return conn.execute(s.alerts.delete().where(s.alerts.c.name == name)).rowcount > 0


def pending_count(store: Store, flt: EventFilter, cursor: int) -> int:
    """How many matching events were stored after ``cursor`` (not yet delivered)."""
    q = select(func.count()).select_from(s.events).where(
        s.events.c.pk > cursor, where_all(flt, store.dialect)
    )
    with store._read() as conn:
        return int(conn.execute(q).scalar_one())


@dataclass
class Batch:
    """The next batch of one alert's new events, read under the write lock (see :func:`next_batch`).

    ``records`` are SPEC event records in insertion order; ``cursor`` is where the alert's cursor moves
    when the batch commits; ``last`` is True when no newer matching event is left (up to ``high``).
    ``failures`` collects dead letters ``(event_id, key, error, attempts)`` to store in the same commit.
    """

    row: Row
    records: list[Row]
    cursor: int
    high: int
    last: bool
    failures: list[tuple[str, str, str, int]] = field(default_factory=list)


@contextmanager
def next_batch(
    store: Store, name: str, size: int, advance: bool, after: int | None = None, high: int | None = None
) -> Iterator[Batch | None]:
    """One checkpointed batch of alert ``name``: up to ``size`` matching events after its cursor (or
    after ``after``, for dry runs), at most up to ``high`` (default: the current high-water mark).

    With ``advance`` the batch is read and, when the ``with`` body finishes without an exception,
    committed under the store's write lock: the cursor moves past the batch and ``batch.failures``
    are stored as dead letters, in one transaction. So a crash while delivering redelivers at most
    this batch, and two concurrent runs never deliver the same batch. An exception rolls it back.
    Yields None when the alert was removed meanwhile.
    """
    e = s.events
    with ExitStack() as stack:
        try:
            conn = stack.enter_context(store._write() if advance else store._read())
        except OperationalError as exc:
            if "locked" in str(exc.orig):
                raise UserError(
                    "the database stayed locked by another writer for 30 s; run `wirewatch watch run` again"
                ) from None
            raise
        rows = [_row(r) for r in conn.execute(select(*_COLUMNS).where(s.alerts.c.name == name))]
        if not rows:
            yield None
            return
        row = rows[0]
        top = high_water(conn) if high is None else high
        cursor = row["cursor"] if after is None else after
        if cursor > top and high is None:  # trailing events were removed (e.g. a restored backup)
            log.warning("alert %s: cursor %d is past the last event %d; resetting it", name, cursor, top)
            cursor = top
        pks: list[int] = []
        if cursor < top:
            pks = list(conn.scalars(
                select(e.c.pk)
                .where(e.c.pk > cursor, e.c.pk <= top, where_all(_filter_of(row), store.dialect))
                .order_by(e.c.pk)
                .limit(size)
            ))
        records: list[Row] = []
        if pks:
            found = conn.execute(
                event_select().where(id_list(store.dialect, pks)(e.c.pk)).order_by(e.c.pk)
            ).all()
            records = build_records(conn, found)
        last = len(pks) < size
        batch = Batch(row, records, top if last else pks[-1], top, last)
        yield batch
        if advance:
            conn.execute(
                update(s.alerts).where(s.alerts.c.name == name)
                .values(cursor=batch.cursor, last_run=datetime.now(UTC))
            )
            _store_failures(conn, store, name, batch.failures)


def _filter_of(row: Row) -> EventFilter:
    import json

    return EventFilter.from_params(**json.loads(row["filter"]))


def _store_failures(conn: Connection, store: Store, alert: str,
                    failures: list[tuple[str, str, str, int]]) -> None:
    f = s.alert_failures
    for event_id, key, error, attempts in failures:
        conn.execute(f.delete().where(f.c.alert == alert, f.c.event_id == event_id))
        conn.execute(f.insert().values(alert=alert, event_id=event_id, key=key, error=error[:2000],
                                       attempts=attempts, failed_at=datetime.now(UTC)))


# -- delivery settings and dead letters (migration 0010) ---------------------------------------------

def set_settings(store: Store, name: str, values: Row) -> None:
    """Save (replace) alert ``name``'s destination/conditions row (``alert_settings`` columns)."""
    t = s.alert_settings
    with store._write() as conn:
        conn.execute(t.delete().where(t.c.name == name))
        conn.execute(t.insert().values(name=name, **values))


def settings_rows(store: Store, names: Sequence[str] | None = None) -> dict[str, Row]:
    """name -> settings row (alerts without a destination have none)."""
    t = s.alert_settings
    q = select(t)
    if names is not None:
        q = q.where(t.c.name.in_(list(names)))
    with store._read() as conn:
        return {r.name: dict(r._mapping) for r in conn.execute(q)}


def failure_rows(store: Store, names: Sequence[str] | None = None) -> list[Row]:
    """Dead letters (oldest first), of ``names`` only when given."""
    f = s.alert_failures
    q = select(f).order_by(f.c.failed_at, f.c.alert, f.c.event_id)
    if names is not None:
        q = q.where(f.c.alert.in_(list(names)))
    with store._read() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def delete_failure(store: Store, alert: str, event_id: str) -> None:
    f = s.alert_failures
    with store._write() as conn:
        conn.execute(f.delete().where(f.c.alert == alert, f.c.event_id == event_id))


def bump_failure(store: Store, alert: str, event_id: str, error: str) -> None:
    f = s.alert_failures
    with store._write() as conn:
        conn.execute(update(f).where(f.c.alert == alert, f.c.event_id == event_id)
                     .values(error=error[:2000], attempts=f.c.attempts + 1, failed_at=datetime.now(UTC)))

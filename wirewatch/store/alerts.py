"""SQL for saved alerts (``alerts`` table, migration 0003): rows in and out, and one delivery run.

The cursor of an alert is the highest ``events.pk`` it has delivered. Events are append-only and
every store write holds the single-writer lock (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL advisory
lock) while it takes its pks and commits, so pk order is commit order. A delivery run reads the
high-water mark ``max(events.pk)`` *under that same lock*: no insert is in flight, so nothing with a
smaller pk can commit later and be skipped. The library API over this is :mod:`wirewatch.watch`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
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
    """Remove an alert; False when there is none of that name."""
    with store._write() as conn:
        return conn.execute(s.alerts.delete().where(s.alerts.c.name == name)).rowcount > 0


def pending_count(store: Store, flt: EventFilter, cursor: int) -> int:
    """How many matching events were stored after ``cursor`` (not yet delivered)."""
    q = select(func.count()).select_from(s.events).where(
        s.events.c.pk > cursor, where_all(flt, store.dialect)
    )
    with store._read() as conn:
        return int(conn.execute(q).scalar_one())


class Delivery:
    """One run over some alerts inside one transaction: the rows, the high-water mark, the new events."""

    def __init__(self, conn: Connection, dialect: str, rows: list[Row], high: int) -> None:
        self.conn = conn
        self.dialect = dialect
        self.rows = rows
        self.high = high

    def new_events(self, flt: EventFilter, cursor: int, batch: int = 500) -> Iterator[Row]:
        """SPEC records of the events matching ``flt`` with ``cursor < pk <= high``, in insertion
        order, ``batch`` records built at a time."""
        e = s.events
        if cursor >= self.high:
            return
        q = (
            select(e.c.pk)
            .where(e.c.pk > cursor, e.c.pk <= self.high, where_all(flt, self.dialect))
            .order_by(e.c.pk)
        )
        pks = list(self.conn.scalars(q))
        for i in range(0, len(pks), batch):
            chunk = pks[i:i + batch]
            rows = self.conn.execute(
                event_select().where(id_list(self.dialect, chunk)(e.c.pk)).order_by(e.c.pk)
            ).all()
            yield from build_records(self.conn, rows)


@contextmanager
def delivery(store: Store, names: Sequence[str] | None, advance: bool) -> Iterator[Delivery]:
    """A delivery run. With ``advance`` it holds the write lock and, when the ``with`` body finishes
    without an exception, sets every selected alert's cursor to the high-water mark (one commit);
    an exception rolls back, so the cursors stay where they were. Without ``advance`` (dry run) it
    is a read-only snapshot and changes nothing."""
    with ExitStack() as stack:
        try:
            conn = stack.enter_context(store._write() if advance else store._read())
        except OperationalError as exc:
            if "locked" in str(exc.orig):
                raise UserError(
                    "the database stayed locked by another writer for 30 s; run `wirewatch watch run` again"
                ) from None
            raise
        rows = _select(conn, names)
        high = high_water(conn)
        for r in rows:
            if r["cursor"] > high:  # trailing events were removed (e.g. a restored backup)
                log.warning("alert %s: cursor %d is past the last event %d; resetting it",
                            r["name"], r["cursor"], high)
                r["cursor"] = high
        yield Delivery(conn, store.dialect, rows, high)
        if advance and rows:
            conn.execute(
                update(s.alerts)
                .where(s.alerts.c.name.in_([r["name"] for r in rows]))
                .values(cursor=high, last_run=datetime.now(UTC))
            )

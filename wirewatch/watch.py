"""Saved alerts over the event database: "tell me about new events that match this filter".

An :class:`Alert` is a named :class:`~wirewatch.query.EventFilter` plus a cursor: the insertion
sequence (``events.pk``) of the last event already delivered. :func:`check_alerts` returns the
events stored after each alert's cursor that match its filter and then advances the cursors in one
transaction; :func:`run_alerts` does the same but hands every hit to a callback first (the CLI
writes and flushes its output there), checkpointing per alert and per batch of :data:`BATCH` hits,
so a failure while delivering leaves the cursor before the batch in flight and the next run delivers
that batch again (at-least-once, never silently lost; a crash repeats at most one batch, and every
hit carries an idempotency key, :func:`idempotency_key`, for consumers to drop repeats).

A new alert starts at the current end of the database (no flood of old events) unless
``backfill=True``, which delivers every stored matching event on its first run.

    add_alert(store, "syr-irq-assaults",
              EventFilter.from_params(type="ASSAULT", country="SYR,IRQ", min_confidence="0.6"))
    for hit in check_alerts(store):
        print(hit.alert, hit.event["id"])
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wirewatch.errors import UserError
from wirewatch.query import EventFilter
from wirewatch.store import Store
from wirewatch.store import alerts as sql

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
BATCH = 100  # hits per checkpoint: what a crash may redeliver at most, per alert


@dataclass(frozen=True)
class Alert:
    """A saved alert: a named filter and the last event sequence number already delivered."""

    name: str
    filter: EventFilter
    created: datetime
    cursor: int
    last_run: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form: name, filter params (as ``EventFilter.to_params``), created, cursor, last_run."""
        return {
            "name": self.name,
            "filter": self.filter.to_params(),
            "created": self.created.isoformat(),
            "cursor": self.cursor,
            "last_run": self.last_run.isoformat() if self.last_run else None,
        }


Condition = Callable[[Alert, dict[str, Any]], bool]


@dataclass(frozen=True)
class AlertHit:
    """One new event for one alert; ``event`` is the SPEC event record."""

    alert: str
    event: dict[str, Any]

    @property
    def key(self) -> str:
        """The idempotency key of this delivery (same alert + same event -> same key)."""
        return idempotency_key(self.alert, self.event["id"])

    def to_dict(self) -> dict[str, Any]:
        """The JSONL line: ``{"alert": NAME, "key": IDEMPOTENCY_KEY, "event": {...}}``."""
        return {"alert": self.alert, "key": self.key, "event": self.event}


def idempotency_key(alert: str, event_id: str) -> str:
    """A stable key per alert + event (32 hex digits): consumers drop a delivery whose key they have
    seen (a crash redelivers at most one batch)."""
    return hashlib.sha256(f"{alert}\n{event_id}".encode()).hexdigest()[:32]


def check_name(name: str) -> str:
    """The alert name if valid, else UserError: 1-64 letters, digits, ``_ . : -``, starting alnum."""
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise UserError(
            f"bad alert name {name!r}; use 1-64 letters, digits, '_', '.', ':' or '-', "
            "starting with a letter or digit (e.g. syria-assaults)"
        )
    return name


def _filter(raw: str, name: str) -> EventFilter:
    try:
        params = json.loads(raw)
    except json.JSONDecodeError:
        raise UserError(f"alert {name!r} has a corrupt filter; remove and re-add it") from None
    return EventFilter.from_params(**params)


def _utc(when: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were written in UTC."""
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


def _alert(row: dict[str, Any]) -> Alert:
    return Alert(row["name"], _filter(row["filter"], row["name"]), _utc(row["created"]) or row["created"],
                 row["cursor"], _utc(row["last_run"]))


def add_alert(store: Store, name: str, flt: EventFilter, backfill: bool = False) -> Alert:
    """Save an alert. It starts at the current end of the events (only events stored from now on
    are delivered) unless ``backfill``, which delivers every stored matching event on the next run.
    UserError on a bad or taken name."""
    check_name(name)
    if not isinstance(flt, EventFilter):
        raise TypeError(f"flt must be an EventFilter, not {type(flt).__name__}")
    # store what from_params reads back, and check now that it does
    params = flt.to_params()
    EventFilter.from_params(**params)
    row = sql.insert_alert(store, name, json.dumps(params, sort_keys=True), backfill=backfill)
    return _alert(row)


def list_alerts(store: Store) -> list[Alert]:
    """Every saved alert, by name."""
    return [_alert(r) for r in sql.alert_rows(store)]


def get_alert(store: Store, name: str) -> Alert:
    """One alert by name; UserError when there is none."""
    return _alert(sql.alert_rows(store, [check_name(name)])[0])


def remove_alert(store: Store, name: str) -> Alert:
    """Delete an alert and return it; UserError when there is none of that name."""
    alert = get_alert(store, name)
    if not sql.delete_alert(store, name):  # removed meanwhile by someone else
        raise UserError(f"no alert named {name!r}; see `wirewatch watch list`")
    return alert


def pending(store: Store, alert: Alert) -> int:
    """How many stored events match ``alert`` and come after its cursor (what a run would deliver)."""
    return sql.pending_count(store, alert.filter, alert.cursor)


def _names(names: Sequence[str] | None) -> list[str] | None:
    if names is None:
        return None
    if isinstance(names, str):
        names = [names]
    return list(dict.fromkeys(check_name(n) for n in names))


Deliver = Callable[[AlertHit], "str | None"]


def run_alerts(
    store: Store,
    deliver: Deliver,
    names: Sequence[str] | None = None,
    advance: bool = True,
    finish: Callable[[], None] | None = None,
    batch: int = BATCH,
    condition: Condition | None = None,
) -> dict[str, int]:
    """Hand every new hit (alert by alert, by name; events in insertion order) to ``deliver``, in
    checkpointed batches of at most ``batch`` hits: after each batch ``finish`` is called (flush /
    fsync there) and, if ``advance``, that alert's cursor moves past the batch in the same write
    transaction. So a crash or kill redelivers at most one batch, never a whole backfill; if
    ``deliver`` or ``finish`` raises, the batch in flight is rolled back (earlier batches stay
    delivered) and the exception propagates.

    ``deliver`` may return an error message instead of raising: the hit then goes to the dead-letter
    table (``watch failed`` / ``watch retry``) in the batch's commit and the run goes on.
    ``condition(alert, event)`` (optional) drops hits it returns False for (e.g. a radius around a
    point, or an incident standing). Returns the hits delivered per alert name.

    Each batch holds the store's write lock (writers wait; concurrent runs deliver each event once).
    ``names`` None means every alert; unknown names are a UserError.
    """
    counts: dict[str, int] = {}
    for row in sql.alert_rows(store, _names(names)):
        name = row["name"]
        n = 0
        after: int | None = None if advance else row["cursor"]
        high: int | None = None
        while True:
            with sql.next_batch(store, name, batch, advance, after=after, high=high) as b:
                if b is None:  # removed meanwhile
                    break
                alert = _alert(b.row)
                for record in b.records:
                    if condition is not None and not condition(alert, record):
                        continue
                    hit = AlertHit(alert.name, record)
                    error = deliver(hit)
                    if error:
                        b.failures.append((record["id"], hit.key, str(error), 1))
                    else:
                        n += 1
                if finish is not None:
                    finish()
                done, after, high = b.last, (None if advance else b.cursor), b.high
            if done:
                break
        counts[name] = n
    return counts


def check_alerts(
    store: Store, names: Sequence[str] | None = None, advance: bool = True
) -> list[AlertHit]:
    """The new events of the alerts (all when ``names`` is None): those stored after each alert's
    cursor that match its filter, alert by alert (by name), events in insertion order. With
    ``advance`` the cursors then move past them in the same transaction, so the next call returns
    only newer events; ``advance=False`` is a dry run."""
    hits: list[AlertHit] = []
    run_alerts(store, hits.append, names, advance)
    return hits


__all__ = [
    "Alert", "AlertHit", "add_alert", "check_alerts", "check_name", "get_alert", "list_alerts",
    "idempotency_key", "pending", "remove_alert", "run_alerts",
]

"""Saved alerts over the event database: "tell me about new events that match this filter".

An :class:`Alert` is a named :class:`~wirewatch.query.EventFilter` plus a cursor: the insertion
sequence (``events.pk``) of the last event already delivered. :func:`check_alerts` returns the
events stored after each alert's cursor that match its filter and then advances the cursors in one
transaction; :func:`run_alerts` does the same but hands every hit to a callback first (the CLI
writes and flushes its output there), so a failure while delivering leaves the cursors where they
were and the next run delivers the same events again (at-least-once, never silently lost).

A new alert starts at the current end of the database (no flood of old events) unless
``backfill=True``, which delivers every stored matching event on its first run.

    add_alert(store, "syr-irq-assaults",
              EventFilter.from_params(type="ASSAULT", country="SYR,IRQ", min_confidence="0.6"))
    for hit in check_alerts(store):
        print(hit.alert, hit.event["id"])
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class AlertHit:
    """One new event for one alert; ``event`` is the SPEC event record."""

    alert: str
    event: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The JSONL line: ``{"alert": NAME, "event": {...}}``."""
        return {"alert": self.alert, "event": self.event}


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


def run_alerts(
    store: Store,
    deliver: Callable[[AlertHit], None],
    names: Sequence[str] | None = None,
    advance: bool = True,
    finish: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Hand every new hit (alert by alert, events in insertion order) to ``deliver``, call
    ``finish`` (flush/fsync the output there); then, if ``advance``, move the cursors of the checked
    alerts past them, atomically. If ``deliver`` or ``finish`` raises, nothing advances and the
    exception propagates. Returns hits per alert name (in name order).

    While advancing, the run holds the store's write lock (writers wait; two concurrent runs
    deliver each event once). ``names`` None means every alert; unknown names are a UserError.
    """
    counts: dict[str, int] = {}
    with sql.delivery(store, _names(names), advance) as run:
        for row in run.rows:
            alert = _alert(row)
            n = 0
            for record in run.new_events(alert.filter, alert.cursor):
                deliver(AlertHit(alert.name, record))
                n += 1
            counts[alert.name] = n
        if finish is not None:
            finish()
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
    "pending", "remove_alert", "run_alerts",
]

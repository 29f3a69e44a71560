"""Incidents: reports of one real-world event linked together (across articles and within one).

    from wirewatch.incidents import merge_incidents, split_incident, relink_all

Linking runs inside the store on every insert (``wirewatch.store.incidents.link_events``): each new
event is compared with stored reports of a compatible type, overlapping date and nearby place
(``wirewatch.incidents.link``) and joins the best incident or founds its own. Summaries (best
type/place/date, counts, standing) are in ``wirewatch.incidents.model``. Manual merges/splits are
recorded and replayed by :func:`relink_all`; ingest never undoes them (it only adds new reports).
"""

from __future__ import annotations

from typing import Any

from wirewatch.errors import UserError
from wirewatch.incidents.model import split_id

__all__ = ["merge_incidents", "split_incident", "relink_all"]


def _exists(conn: Any, incident_id: str) -> None:
    from wirewatch.store.incidents import rep_event

    if rep_event(conn, incident_id) is None:
        raise UserError(f"no incident {incident_id!r}; list them with `wirewatch incidents`")


def merge_incidents(store: Any, keep: str, absorb: str) -> int:
    """Move every report of incident ``absorb`` into ``keep``; returns how many moved."""
    from wirewatch.store.incidents import merge

    if keep == absorb:
        raise UserError(f"cannot merge {keep} with itself; give two different incident ids")
    with store._write() as conn:
        _exists(conn, keep)
        _exists(conn, absorb)
        return merge(conn, keep, absorb)


def split_incident(store: Any, incident_id: str, event_ids: list[str]) -> str:
    """Move the reports ``event_ids`` of ``incident_id`` into a new incident; returns its id."""
    from wirewatch.store.incidents import incident_of, split

    ids = list(dict.fromkeys(event_ids))
    with store._write() as conn:
        _exists(conn, incident_id)
        for eid in ids:
            inc = incident_of(conn, eid)
            if inc != incident_id:
                where = f"it belongs to {inc}" if inc else "there is no such event"
                raise UserError(f"cannot split {eid} off {incident_id}: {where}")
        n_all = len(store_reports(conn, incident_id))
        if len(ids) >= n_all:
            raise UserError(f"cannot split every report off {incident_id}; leave at least one")
        new_id = split_id(ids)
        split(conn, new_id, incident_id, ids)
        return new_id


def store_reports(conn: Any, incident_id: str) -> list[str]:
    """The event ids of an incident's reports."""
    from sqlalchemy import select

    from wirewatch.store import schema as s

    return list(conn.scalars(select(s.events.c.id).where(s.events.c.incident_id == incident_id)))


def relink_all(store: Any) -> dict[str, int]:
    """Recompute all incidents (one transaction), replaying manual edits; counts of what it did."""
    from wirewatch.store.incidents import relink

    with store._write() as conn:
        return relink(conn)

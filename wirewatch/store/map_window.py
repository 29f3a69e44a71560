"""A dense map page without reading every match: the newest (or oldest) days of a bbox + date window.

The map asks for a bbox and a date window, newest first, 2,000 features and the total. Over a war
(a bbox around Syria and one year: ~9,000 of 1 M incidents) the plain query reads and sorts every
match, each a random row read. Here (SQLite, with the R*Tree of migrations 0035/0037):

* the total is the R*Tree's own count of the box, made exact by reading only the rows the tree may
  hold wrongly: within float32 rounding of the bbox's edges, or with a period that crosses an end of
  the date window (an undated end, a reversed period);
* the page is read from the newest days that hold enough matches (``cut``): every match after the
  cut ranks before every match up to it, so when the days after it hold ``offset + limit`` exact
  matches, the page is theirs. Otherwise, or when the box holds few matches, the caller runs its
  plain query.

Only a filter of a bbox and both ends of a date window is paged here: any other clause would make
the tree's count a superset.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, case, func, select, union_all

from wirewatch.query import EventFilter
from wirewatch.store.filters import EVENTS_RTREE, julian_day, tree_box, where
from wirewatch.store.schema import events

EDGE = 1e-4  # degrees: a margin (a point past an edge has lat0 <= lat < s already: lat0 rounds down)
DENSE = 2  # page here only when the box holds more than this many times the rows asked for
WIDEN = 4  # at most this many doublings of the newest part of the window before giving up


@dataclass(frozen=True)
class MapTable:
    """What :func:`window_page` needs of a located table: the table, its R*Tree (columns ``id``,
    ``lat0..1``, ``lon0..1``, ``day0..1``), the table's column the tree's ids are, and the exact
    clauses of a filter (the tree aside)."""

    table: Table
    tree: Table
    key: ColumnElement[Any]
    exact: Callable[[EventFilter], Sequence[ColumnElement[bool]]]


def pages_here(flt: EventFilter | None, order: str) -> bool:
    """Is ``flt`` a bbox (not across the antimeridian) and a whole date window alone, in date order?"""
    if flt is None or flt.bbox is None or flt.date_from is None or flt.date_to is None:
        return False
    if order not in ("date", "-date") or flt.bbox[0] > flt.bbox[2]:
        return False
    return replace(flt, bbox=None, date_from=None, date_to=None).is_empty()


def exact_total(conn: Connection, mt: MapTable, flt: EventFilter, in_tree: int) -> int:
    """The exact number of matches, from ``in_tree`` (the tree's count of the box): less the rows in
    the box that fail the exact clauses. Only rows near an edge of the box or crossing an end of the
    window can: they are read, the rest are not."""
    assert flt.bbox is not None and flt.date_from is not None and flt.date_to is not None
    w, s, e, n = flt.bbox
    r = mt.tree.c
    box = tree_box(mt.tree, flt)
    edges = [r.lat0 <= s + EDGE, r.lat1 >= n - EDGE, r.lon0 <= w + EDGE, r.lon1 >= e - EDGE,
             r.day0 < julian_day(flt.date_from), r.day1 > julian_day(flt.date_to)]
    doubtful = union_all(*(select(r.id).where(*box, edge) for edge in edges)).subquery()
    good = func.coalesce(func.sum(case((and_(*mt.exact(flt)), 1), else_=0)), 0)  # NULL: no match
    doubt, kept = conn.execute(select(func.count(), good).select_from(mt.table)
                               .where(mt.key.in_(select(doubtful.c.id)))).one()
    return in_tree - (int(doubt) - int(kept))


def window_page(conn: Connection, mt: MapTable, flt: EventFilter | None, order: str, columns: Sequence[Any],
                ordering: Sequence[Any], limit: int, offset: int) -> tuple[list[Any], int] | None:
    """(The page's rows of ``columns`` in ``ordering``, ``order`` being date or -date, and the number
    of matches), or None where the caller's plain query is the way: a filter :func:`pages_here`
    refuses, few matches, or too few in the near part of the window."""
    if flt is None or not pages_here(flt, order):
        return None
    assert flt.date_from is not None and flt.date_to is not None
    newest = order.startswith("-")
    r = mt.tree.c
    box = tree_box(mt.tree, flt)
    need = offset + limit
    in_tree = int(conn.execute(select(func.count()).select_from(mt.tree).where(*box)).scalar_one())
    if not limit or in_tree <= DENSE * need:
        return None
    total = exact_total(conn, mt, flt, in_tree)
    if total < need:
        return None
    start = mt.table.c.date_start
    lo, hi = flt.date_from.toordinal(), flt.date_to.toordinal()
    share = 1.25 * need / in_tree  # of the window's days, from its near end
    for _ in range(WIDEN + 1):
        if share >= 1.0:
            return None
        days = int((hi - lo) * share)
        cut = date.fromordinal(hi - days if newest else lo + days)
        # a superset of the matches on the near side of the cut: day1 is the period's last day, day0 its
        # first (or 0 where an end is undated), so a start after (before) the cut is within them
        near = r.day1 >= julian_day(cut) if newest else r.day0 <= julian_day(cut)
        if conn.execute(select(func.count()).select_from(mt.tree).where(*box, near)).scalar_one() >= need:
            break
        share *= 2
    else:
        return None
    side = start >= cut if newest else start <= cut
    q = (select(*columns).where(mt.key.in_(select(r.id).where(*box, near)), *mt.exact(flt), side)
         .order_by(*ordering).limit(limit).offset(offset))
    rows = conn.execute(q).all()
    if len(rows) < limit:  # fewer exact matches past the cut than the page needs: not theirs alone
        return None
    return rows, total


def located(table: Table) -> list[ColumnElement[bool]]:
    """The table's rows with a point (what its tree holds)."""
    return [table.c.lat.is_not(None), table.c.lon.is_not(None)]


# the per-report map (``Store.event_map_page``): events by their integer key, the tree of 0037
EVENTS = MapTable(events, EVENTS_RTREE, events.c.pk, lambda flt: [*where(flt, "sqlite"), *located(events)])

"""EventFilter -> SQL WHERE clauses (SQLAlchemy Core), for SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    column,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)

from wirewatch.errors import UserError
from wirewatch.query import EventFilter, countries, fold
from wirewatch.store.schema import DATE_CLASSES, actor_keys, articles, event_actors, events

_FTS = table("articles_fts", column("rowid"))
_TERM = re.compile(r"\S+")
JULIAN_EPOCH = 1721424.5  # julianday('0001-01-01') - 1: julian day = date.toordinal() + this
RTREE_COLUMNS = ("id", "lat0", "lat1", "lon0", "lon1", "day0", "day1")
EVENTS_RTREE = table("events_rtree", *(column(c) for c in RTREE_COLUMNS))


def julian_day(d: date) -> float:
    """The julian day of ``d`` at midnight, as the R*Trees store dates (SQLite ``julianday``)."""
    return d.toordinal() + JULIAN_EPOCH


def tree_box(tree: Any, flt: EventFilter) -> list[ColumnElement[bool]]:
    """The conditions on an R*Tree (SQLite; one box per located row: its point and its date period
    in julian days) whose boxes overlap the filter's bbox and date window. A superset: the tree
    stores 32-bit floats rounded outwards, so the exact clauses still apply beside it. The bbox must
    not cross the antimeridian."""
    assert flt.bbox is not None
    w, so, e, n = flt.bbox
    r = tree.c
    conds = [r.lat1 >= so, r.lat0 <= n, r.lon1 >= w, r.lon0 <= e]
    if flt.date_from is not None:
        conds.append(r.day1 >= julian_day(flt.date_from))
    if flt.date_to is not None:
        conds.append(r.day0 <= julian_day(flt.date_to))
    return conds


def box_clause(tree: Any, key: ColumnElement[Any], flt: EventFilter) -> ColumnElement[bool]:
    """``key IN`` the ids of the R*Tree's boxes that overlap the filter's (see :func:`tree_box`)."""
    return key.in_(select(tree.c.id).where(*tree_box(tree, flt)))


def fts5_query(user_text: str) -> str:
    """A safe FTS5 query from free user text: every word is a quoted string, words are ANDed.

    Quotes inside words are doubled (FTS5 string escaping), so operators, column filters and
    parentheses in user text are matched literally instead of being parsed.
    """
    # FTS5 reads the query as a C string: a NUL would end it inside a quoted term
    terms = [t for t in _TERM.findall(user_text.replace("\x00", " ")) if any(ch.isalnum() for ch in t)]
    if not terms:
        raise UserError(f"search text {user_text!r} has no words to search for")
    return " ".join('"' + t.replace('"', '""') + '"' for t in terms)


def _like_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def text_clause(dialect: str, user_text: str, ranged: bool = False) -> ColumnElement[bool]:
    """Events whose article matches the full-text query.

    SQLite: the event's article key (``events.article_pk``, migration 0036) among the FTS rowids
    that match. ``ranged``: another clause narrows the events first (a type or country range of
    ``ix_events_type_country``, a date or place range, one article, one incident's reports), so the
    key is tested per event: ``+ 0`` keeps SQLite from driving the query by the key's index instead,
    which for a common word visits most events (or, inside an incident probe, every matching
    article per incident)."""
    if dialect == "sqlite":
        q = fts5_query(user_text)
        matching = select(_FTS.c.rowid).where(text("articles_fts MATCH :fts_q").bindparams(fts_q=q))
        key = events.c.article_pk + 0 if ranged else events.c.article_pk
        return key.in_(matching)
    if not any(ch.isalnum() for ch in user_text):  # as fts5_query: the same answer on both databases
        raise UserError(f"search text {user_text!r} has no words to search for")
    # plainto_tsquery reads plain text (no operators); PostgreSQL text cannot hold NUL
    tsq = func.plainto_tsquery(literal_column("'english'::regconfig"), user_text.replace("\x00", " "))
    return events.c.article_id.in_(
        select(articles.c.id).where(literal_column("articles.tsv").op("@@")(tsq))
    )


def date_clause(date_from: date | None, date_to: date | None) -> ColumnElement[bool]:
    """Events whose date period overlaps [date_from, date_to] (either end open).

    ``date_end >= from AND date_start <= to``, plus, per period class, the implied lower bound
    ``date_start > from - longest period`` so that indexes on (date_class, date_start) give a
    bounded range scan.
    """
    e = events.c
    clauses: list[ColumnElement[bool]] = []
    if date_to is not None:
        clauses.append(e.date_start <= date_to)
    if date_from is None:
        return and_(*clauses)
    clauses.append(e.date_end >= date_from)
    branches = []
    for cls, longest in DATE_CLASSES:
        if longest is None or (date_from - date.min).days < longest:  # no bound before 0001-01-01
            branches.append(e.date_class == cls)
        else:
            branches.append(and_(e.date_class == cls, e.date_start > date_from - timedelta(days=longest)))
    clauses.append(or_(*branches))
    return and_(*clauses)


def where(flt: EventFilter, dialect: str, probe: bool = False, rtree: bool = False
          ) -> list[ColumnElement[bool]]:
    """The WHERE clauses (to be ANDed) selecting ``events`` rows that match ``flt``; ``probe``: they
    test the reports of one incident (found by ``events.incident_id``), not every event; ``rtree``:
    a bbox is looked up in the events' R*Tree first (SQLite, migration 0037)."""
    out: list[ColumnElement[bool]] = []
    if rtree and flt.bbox is not None and flt.bbox[0] <= flt.bbox[2]:
        out.append(box_clause(EVENTS_RTREE, events.c.pk, flt))
    if flt.types:
        out.append(events.c.event_type.in_(list(flt.types)))
    if flt.modality:
        out.append(events.c.modality.in_(list(flt.modality)))
    if flt.country:
        out.append(events.c.country.in_(countries(flt.country)))
    if flt.article_id:
        out.append(events.c.article_id == flt.article_id)
    if flt.min_confidence is not None:
        out.append(events.c.confidence >= flt.min_confidence)
    if flt.date_from is not None or flt.date_to is not None:
        out.append(date_clause(flt.date_from, flt.date_to))
    if flt.bbox is not None:
        w, s, e, n = flt.bbox
        out.append(events.c.lat.between(s, n))
        if w <= e:
            out.append(events.c.lon.between(w, e))
        else:  # crosses the antimeridian
            out.append(or_(events.c.lon >= w, events.c.lon <= e))
    if flt.actor_country:
        out.append(
            exists().where(
                event_actors.c.event_id == events.c.id,
                event_actors.c.actor_country.in_(countries(flt.actor_country)),
            )
        )
    if flt.actor:
        needle = fold(flt.actor.strip())
        if not needle:
            raise UserError("empty actor filter; give an actor name, id or mention text")
        keys = select(actor_keys.c.key).where(
            actor_keys.c.match_key.like(f"%{_like_escape(needle)}%", escape="\\")
        )
        matching = select(event_actors.c.event_id).where(event_actors.c.actor_key.in_(keys))
        out.append(events.c.id.in_(matching))
    if flt.text:
        narrowed = probe or bool(flt.types or flt.country or flt.bbox or flt.article_id
                                 or flt.date_from or flt.date_to)
        out.append(text_clause(dialect, flt.text, ranged=narrowed))
    return out


def where_all(flt: EventFilter, dialect: str, probe: bool = False, rtree: bool = False
              ) -> ColumnElement[bool]:
    """All clauses ANDed (``true`` when the filter is empty)."""
    clauses = where(flt, dialect, probe, rtree)
    return and_(*clauses) if clauses else and_(True)

"""Turn an :class:`AnalyzedArticle` into table rows (dicts: the SQL edge)."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Dialect, Table

from wirewatch.query import date_range, fold
from wirewatch.records import AnalyzedArticle, Article, Mention, Place, TimeExpr, Toponym
from wirewatch.store.read import map_feature
from wirewatch.store.schema import DATE_CLASSES

Row = dict[str, Any]
log = logging.getLogger(__name__)


@dataclass
class Rows:
    """Rows for a batch of articles, per table, in insertion order."""

    actors: dict[str, Row] = field(default_factory=dict)
    actor_keys: dict[str, Row] = field(default_factory=dict)
    places: dict[str, Row] = field(default_factory=dict)
    articles: list[Row] = field(default_factory=list)
    sentences: list[Row] = field(default_factory=list)
    mentions: list[Row] = field(default_factory=list)
    toponyms: list[Row] = field(default_factory=list)
    timexes: list[Row] = field(default_factory=list)
    events: list[Row] = field(default_factory=list)
    event_actors: list[Row] = field(default_factory=list)
    attributions: list[Row] = field(default_factory=list)


def place_key(p: Place) -> str:
    """Content hash of a gazetteer entry (all fields)."""
    raw = json.dumps(
        [p.geonameid, p.name, p.country, p.admin1, p.admin2, p.lat, p.lon, p.feature_code,
         p.resolution, p.population],
        ensure_ascii=False,
    )
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def date_class(rng: tuple[date, date] | None) -> int | None:
    """The DATE_CLASSES class of a date period (None when undated)."""
    if rng is None:
        return None
    days = (rng[1] - rng[0]).days + 1
    for cls, longest in DATE_CLASSES:
        if longest is None or days <= longest:
            return cls
    return DATE_CLASSES[-1][0]


def article_row(a: Article, *, minhash: bytes | None, duplicate_of: str | None, analyzed: bool) -> Row:
    """The ``articles`` row of an article."""
    return {
        "id": a.id,
        "url": a.url,
        "title": a.title,
        "source": a.source,
        "published": a.published,
        "language": a.language,
        "origin": a.origin,
        "text": a.text,
        "minhash": minhash,
        "duplicate_of": duplicate_of,
        "analyzed": analyzed,
        "added_at": datetime.now(UTC),
    }


def _index(listed: tuple[Any, ...], extra: list[Any]) -> dict[Any, tuple[int, bool]]:
    """Number the listed items, then any extra ones (e.g. an event's location not in the list)."""
    out: dict[Any, tuple[int, bool]] = {}
    for item in listed:
        out.setdefault(item, (len(out), True))
    for item in extra:
        out.setdefault(item, (len(out), False))
    return out


def add_article(rows: Rows, an: AnalyzedArticle, minhash: bytes | None) -> None:
    """Append every row of one analysed article to ``rows``."""
    aid = an.article.id
    rows.articles.append(article_row(an.article, minhash=minhash, duplicate_of=None, analyzed=True))

    sentences = {s.index: s for s in an.sentences}
    for ev in an.events:
        sentences.setdefault(ev.sentence.index, ev.sentence)
    rows.sentences.extend(
        {"article_id": aid, "idx": s.index, "start": s.start, "end": s.end}
        for s in sorted(sentences.values(), key=lambda s: s.index)
    )

    ments = _index(an.mentions, [m for ev in an.events for m in (*ev.source, *ev.target)])
    for m, (idx, listed) in ments.items():
        rows.mentions.append(_mention_row(aid, idx, m, listed))
        act = m.actor
        rows.actors.setdefault(act.actor_id, {
            "actor_id": act.actor_id, "name": act.name, "country": act.country,
            "sector": act.sector, "known": act.known,
        })

    topos = _index(an.toponyms, [ev.location for ev in an.events if ev.location is not None])
    for t, (idx, listed) in topos.items():
        rows.toponyms.append(_toponym_row(aid, idx, t, listed, rows))

    times = _index(an.timexes, [ev.date for ev in an.events])
    for tx, (idx, listed) in times.items():
        rows.timexes.append(_timex_row(aid, idx, tx, listed))

    seen: set[str] = set()
    for ord_, ev in enumerate(an.events):
        if ev.id in seen:  # two drafts with one trigger span + type: keep the first, do not fail
            log.warning("article %s: duplicate event id %s skipped", aid, ev.id)
            continue
        seen.add(ev.id)
        rng = date_range(ev.date.value)
        place = ev.location.place if ev.location else None
        rows.events.append({
            "id": ev.id,
            "article_id": aid,
            "article_pk": None,  # set by the store once the article row has its key
            "ord": ord_,
            "sentence_idx": ev.sentence.index,
            "event_type": ev.event_type,
            "mode": ev.mode,
            "contexts": _contexts(ev.contexts),
            "cameo_root": ev.cameo_root,
            "trigger_text": ev.trigger.text,
            "trigger_start": ev.trigger.start,
            "trigger_end": ev.trigger.end,
            "location_idx": topos[ev.location][0] if ev.location is not None else None,
            "date_idx": times[ev.date][0],
            "modality": ev.modality,
            "confidence": float(ev.confidence),
            "date_start": rng[0] if rng else None,
            "date_end": rng[1] if rng else None,
            "sentence_start": ev.sentence.start,
            "sentence_end": ev.sentence.end,
            "date_text": ev.date.text,
            "date_text_start": ev.date.start,
            "date_text_end": ev.date.end,
            "date_value": ev.date.value,
            "date_precision": ev.date.precision,
            "date_class": date_class(rng),
            "lat": place.lat if place else None,
            "lon": place.lon if place else None,
            "country": place.country if place else None,
            "incident_id": ev.incident,  # None: the store links it (store/incidents.py)
            "map_feature": None if place is None or ev.location is None else map_feature(
                ev.id, {"event_type": ev.event_type, "modality": ev.modality, "date": ev.date.value,
                        "confidence": ev.confidence, "trigger": ev.trigger.text,
                        "source": [m.actor.name or m.text for m in ev.source],
                        "target": [m.actor.name or m.text for m in ev.target],
                        "place": place.name or ev.location.text, "country": place.country,
                        "resolution": place.resolution}, place.lat, place.lon),
        })
        for role, group in (("source", ev.source), ("target", ev.target)):
            for i, m in enumerate(group):
                rows.event_actors.append({
                    "event_id": ev.id, "role": role, "ord": i, "article_id": aid,
                    "mention_idx": ments[m][0], "actor_id": m.actor.actor_id,
                    "actor_country": m.actor.country, "actor_key": _actor_key(rows, m),
                    "incident_id": ev.incident,
                })
        for i, at in enumerate(ev.attribution):
            rows.attributions.append({
                "event_id": ev.id, "ord": i, "text": at.text, "start": at.start, "end": at.end,
                "actor_id": at.actor_id, "role": at.role,
            })


def _mention_row(aid: str, idx: int, m: Mention, listed: bool) -> Row:
    act = m.actor
    return {
        "article_id": aid, "idx": idx, "text": m.text, "start": m.start, "end": m.end,
        "actor_id": act.actor_id, "name": act.name, "country": act.country, "sector": act.sector,
        "known": act.known, "token_start": m.token_start, "token_end": m.token_end, "head": m.head,
        "listed": listed,
    }


def _contexts(contexts: tuple[str, ...]) -> str:
    """PLOVER contexts as one comma-joined string (codebook words never contain commas)."""
    for c in contexts:
        if "," in c or not c:
            raise ValueError(f"bad PLOVER context {c!r}: contexts are non-empty codebook words")
    return ",".join(contexts)


def _actor_key(rows: Rows, m: Mention) -> str:
    """Register the search key of a mention's (actor, text); return its hash."""
    match_key = "\n".join((fold(m.actor.actor_id), fold(m.actor.name), fold(m.text)))
    key = hashlib.sha1(match_key.encode("utf-8")).hexdigest()[:16]
    rows.actor_keys.setdefault(key, {"key": key, "match_key": match_key})
    return key


def _toponym_row(aid: str, idx: int, t: Toponym, listed: bool, rows: Rows) -> Row:
    key = None
    if t.place is not None:
        p = t.place
        key = place_key(p)
        rows.places.setdefault(key, {
            "place_key": key, "geonameid": p.geonameid, "name": p.name, "country": p.country,
            "admin1": p.admin1, "admin2": p.admin2, "lat": p.lat, "lon": p.lon,
            "feature_code": p.feature_code, "resolution": p.resolution, "population": p.population,
        })
    return {
        "article_id": aid, "idx": idx, "text": t.text, "start": t.start, "end": t.end,
        "place_key": key, "token_start": t.token_start, "token_end": t.token_end,
        "score": float(t.score), "listed": listed,
    }


def _timex_row(aid: str, idx: int, tx: TimeExpr, listed: bool) -> Row:
    return {
        "article_id": aid, "idx": idx, "text": tx.text, "start": tx.start, "end": tx.end,
        "value": tx.value, "precision": tx.precision, "kind": tx.kind,
        "token_start": tx.token_start, "token_end": tx.token_end, "listed": listed,
    }


@lru_cache(maxsize=64)
def _sqlite_insert(table: Table, dialect: Dialect, columns: frozenset[str]) -> tuple[str, tuple[Any, ...]]:
    """The INSERT statement of ``columns`` and, in its placeholders' order, each column's name and
    bind processor (how SQLAlchemy turns a date, datetime or bool into what SQLite stores) or None."""
    compiled = table.insert().compile(dialect=dialect, column_keys=sorted(columns))
    order = compiled.positiontup
    assert order is not None and set(order) == columns
    return str(compiled), tuple((c, table.c[c].type.dialect_impl(dialect).bind_processor(dialect))
                                for c in order)


def insert_rows(conn: Connection, table: Table, rows: list[Row]) -> None:
    """Insert ``rows`` (dicts with the same keys) in one executemany. On SQLite the statement is
    compiled once per table and the values are converted by the columns' own bind processors, without
    SQLAlchemy's per-row parameter building (about a fifth of the store's time under the profiler);
    PostgreSQL goes through SQLAlchemy's batched insert."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(table.insert(), rows)
        return
    sql, pairs = _sqlite_insert(table, conn.dialect, frozenset(rows[0]))
    conn.exec_driver_sql(sql, [tuple(p(r[c]) if p else r[c] for c, p in pairs) for r in rows])

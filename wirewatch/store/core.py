"""The event store: one SQLAlchemy 2 Core implementation for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    event,
    func,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

from wirewatch.errors import UserError
from wirewatch.ingest.dedupe import NUM_PERM, band_hashes
from wirewatch.query import EventFilter
from wirewatch.records import AnalyzedArticle, Article
from wirewatch.store import counters, map_window
from wirewatch.store import incidents_read as ir
from wirewatch.store import migrations as mig
from wirewatch.store import schema as s
from wirewatch.store.filters import where_all
from wirewatch.store.incidents import link_events, refresh_articles
from wirewatch.store.read import build_records, event_select, evidence, id_list, stored_map_features
from wirewatch.store.write import Rows, add_article, article_row, insert_rows

DEFAULT_URL = "sqlite:///wirewatch.db"
log = logging.getLogger(__name__)
AGGREGATES = ("day", "month", "year", "type", "country", "modality")
ORDERS = ("date", "-date", "confidence", "-confidence", "article")
MAX_REPORTS = 500  # reports returned in full by Store.incident (event_ids lists them all)
_PG_WRITE_LOCK = 7254372  # pg_advisory_xact_lock key: one writer at a time, like BEGIN IMMEDIATE


def normalize_url(url: str | None = None) -> str:
    """Database URL for SQLAlchemy: ``$WIREWATCH_DB`` or the default when None; a bare path means
    SQLite; ``postgresql://`` and ``postgres://`` use the psycopg 3 driver."""
    url = url or os.environ.get("WIREWATCH_DB") or DEFAULT_URL
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser()}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _pg_read_only(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    cur.close()
    dbapi_conn.commit()


def _sqlite_engine(url: str, read_only: bool = False) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    memory = make_url(url).database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the "begin" hook below issues BEGIN itself
        cur = dbapi_conn.cursor()
        if not memory and not read_only:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        # reads through a 256 MB memory map and a 16 MB page cache per connection (SQLite's defaults:
        # none and 2 MB): a map page of a million-event file reads ~30 % faster (docs/scale.md)
        cur.execute("PRAGMA mmap_size=268435456")
        cur.execute("PRAGMA cache_size=-16384")
        if read_only:
            cur.execute("PRAGMA query_only=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("wirewatch_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _by_period(day_counts: Iterable[tuple[str, int]], by: str) -> list[tuple[str, int]]:
    """Day counts (ISO day keys) summed by ``by`` (day, month or year), in key order, zeros left out."""
    width = {"month": 7, "year": 4}.get(by, 10)
    merged: Counter[str] = Counter()
    for key, n in day_counts:
        merged[key[:width]] += n
    return sorted((k, n) for k, n in merged.items() if n)


class Store:
    """Articles, events and everything needed to rebuild an event record, behind one interface.

    Open with :meth:`open`; use as a context manager or call :meth:`close`.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.url = engine.url.render_as_string(hide_password=True)
        self.read_only = False
        self._incident_tables: bool | None = None
        self.counted = True  # counters (0031) and LSH bands (0030) present: set by open()
        self.banded = True
        self.incident_counted = True  # incident counters, incident_actors, map_feature (0034): by open()
        self.events_rtree = False  # SQLite with the events' R*Tree (0037): bbox filters use it; by open()

    # -- lifecycle -------------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str | None = None, read_only: bool = False) -> Store:
        """Open (creating and migrating as needed) the database at ``url``.

        ``sqlite:///path.db`` (default ``$WIREWATCH_DB`` or ``sqlite:///wirewatch.db``), a bare file
        path, or ``postgresql://user:password@host:port/dbname``. With ``read_only`` every connection
        refuses writes (SQLite ``query_only``, PostgreSQL read-only transactions) and the schema must
        already be current. Raises UserError when the database cannot be opened.
        """
        full = normalize_url(url)
        try:
            sa_url = make_url(full)
        except ArgumentError:
            raise UserError(
                f"bad database URL {url!r}; use sqlite:///path.db or postgresql://user:pw@host/db"
            ) from None
        backend = sa_url.get_backend_name()
        if backend == "sqlite":
            if sa_url.database and sa_url.database != ":memory:":
                parent = Path(sa_url.database).expanduser().resolve().parent
                if not parent.is_dir():
                    raise UserError(f"cannot open database {url!r}: folder {parent} does not exist")
                if read_only and not Path(sa_url.database).expanduser().exists():
                    raise UserError(f"cannot open database {url!r} read-only: the file does not exist")
            engine = _sqlite_engine(full, read_only)
        elif backend == "postgresql":
            engine = create_engine(full, pool_pre_ping=True)
            if read_only:
                event.listen(engine, "connect", _pg_read_only)
        else:
            raise UserError(f"unsupported database {backend!r}; use sqlite:/// or postgresql://")
        store = cls(engine)
        store.read_only = read_only
        try:
            if read_only:
                pending = [n for n, _ in mig.MIGRATIONS if n not in mig.applied(engine)]
                if pending:
                    engine.dispose()
                    raise UserError(
                        f"database {store.url} needs schema migrations {', '.join(pending)}; "
                        "open it once without read-only (e.g. run `wirewatch ingest`) first"
                    )
            else:
                mig.migrate(engine)
            done = set(mig.applied(engine))
            store.counted = "0031_event_counts" in done
            store.banded = "0030_lsh_bands" in done
            store.incident_counted = "0034_incident_derived" in done
            with engine.connect() as conn:
                store.events_rtree = ir.has_rtree(conn, "events_rtree")
        except (OperationalError, ProgrammingError) as exc:
            engine.dispose()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise UserError(f"cannot open database {store.url}: {reason}") from None
        return store

    def close(self) -> None:
        """Release all connections (SQLite: ``PRAGMA optimize`` first, as its docs advise)."""
        if self.dialect == "sqlite" and not self.read_only:
            try:
                with self.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA optimize")
            except OperationalError as exc:  # e.g. database locked by another writer: not fatal
                log.debug("PRAGMA optimize skipped: %s", exc)
        self.engine.dispose()

    def optimize(self) -> None:
        """Refresh the query planner's statistics (ANALYZE); run after bulk loads."""
        with self._write() as conn:
            if self.dialect == "sqlite":
                conn.exec_driver_sql("PRAGMA analysis_limit=2000")
            conn.exec_driver_sql("ANALYZE")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL)."""
        with self.engine.connect().execution_options(wirewatch_write=True) as conn, conn.begin():
            if self.dialect == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_WRITE_LOCK})")
            yield conn

    def _insert(self, table: Any) -> Any:
        """INSERT ... ON CONFLICT DO NOTHING for the current dialect."""
        ins = (sqlite_dialect.insert if self.dialect == "sqlite" else pg_dialect.insert)(table)
        return ins.on_conflict_do_nothing()

    def _links_incidents(self) -> bool:
        """True once migration 0020 made the incident tables (a store opened with fewer
        migrations, as tests of old databases do, stores events without incidents)."""
        if self._incident_tables is None:
            self._incident_tables = "0020_incidents" in self.migrations()
        return self._incident_tables

    def migrations(self) -> list[str]:
        """Names of the applied schema migrations."""
        return mig.applied(self.engine)

    # -- writing ---------------------------------------------------------------------------------
    def has_article(self, article_id: str) -> bool:
        """True when the article is stored (analysed or as a duplicate)."""
        with self.engine.connect() as conn:
            q = select(s.articles.c.pk).where(s.articles.c.id == article_id)
            return conn.execute(q).first() is not None

    def add_analyzed(self, analyzed: AnalyzedArticle, minhash: bytes | None = None) -> bool:
        """Store an analysed article and all its rows in one transaction; False if already present."""
        return self.add_many([(analyzed, minhash)]) == 1

    def add_many(self, items: Iterable[AnalyzedArticle | tuple[AnalyzedArticle, bytes | None]]) -> int:
        """Store many analysed articles in one transaction with batched inserts (executemany).

        Articles already stored (or repeated in ``items``) are skipped; returns how many were added.
        """
        return len(self.add_batch(items)[0])

    def add_batch(
        self,
        items: Iterable[AnalyzedArticle | tuple[AnalyzedArticle, bytes | None]],
        duplicates: Iterable[tuple[Article, str]] = (),
    ) -> tuple[list[str], list[str]]:
        """Store analysed articles, then near-duplicates ``(article, id of its original)``, all in ONE
        write transaction (the ingest runner's unit of work: a batch, not an article).

        Already stored or repeated articles are skipped. Returns the ids added: (analysed, duplicates).
        A duplicate may name an original of the same batch. UserError if an original is not stored.
        """
        pairs = [(it, None) if isinstance(it, AnalyzedArticle) else it for it in items]
        dups = list(duplicates)
        if not pairs and not dups:
            return [], []
        with self._write() as conn:
            added = self._add_analyzed(conn, pairs) if pairs else []
            linked = [a.id for a, original in dups if self._add_duplicate(conn, a, original)]
            return added, linked

    def _add_analyzed(self, conn: Connection, pairs: list[tuple[AnalyzedArticle, bytes | None]]) -> list[str]:
        ids = list(dict.fromkeys(a.article.id for a, _ in pairs))
        present: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            present.update(conn.scalars(select(s.articles.c.id).where(s.articles.c.id.in_(chunk))))
        rows = Rows()
        bands: list[dict[str, Any]] = []
        for an, minhash in pairs:
            if an.article.id in present:
                continue
            present.add(an.article.id)
            add_article(rows, an, minhash)
            if minhash is not None and len(minhash) == NUM_PERM * 8:
                aid = an.article.id
                bands += [{"band": b, "hash": h, "article_id": aid} for b, h in band_hashes(minhash)]
        if not rows.articles:
            return []
        if rows.actors:
            conn.execute(self._insert(s.actors), list(rows.actors.values()))
        if rows.places:
            conn.execute(self._insert(s.places), list(rows.places.values()))
        if rows.actor_keys:
            conn.execute(self._insert(s.actor_keys), list(rows.actor_keys.values()))
        insert_rows(conn, s.articles, rows.articles)
        a = s.articles.c
        keys = dict(conn.execute(select(a.id, a.pk).where(
            id_list(self.dialect, [r["id"] for r in rows.articles])(a.id))).all())
        for ev in rows.events:
            ev["article_pk"] = keys[ev["article_id"]]
        for table, batch in (
            (s.sentences, rows.sentences),
            (s.mentions, rows.mentions), (s.toponyms, rows.toponyms), (s.timexes, rows.timexes),
            (s.events, rows.events), (s.event_actors, rows.event_actors),
            (s.attributions, rows.attributions), (s.lsh_bands, bands if self.banded else []),
        ):
            insert_rows(conn, table, batch)
        if self.counted:
            counters.bump(conn, counters.count_rows(rows))
        if self._links_incidents():
            link_events(conn, [r["id"] for r in rows.events],
                        {r["id"]: r["incident_id"] for r in rows.events if r["incident_id"]})
        return [r["id"] for r in rows.articles]

    def add_duplicate(self, article: Article, duplicate_of: str) -> bool:
        """Store a near-duplicate article (not analysed) linked to the article it duplicates.

        Links to the root when ``duplicate_of`` is itself a duplicate. False if already stored;
        UserError if ``duplicate_of`` is not stored.
        """
        with self._write() as conn:
            return self._add_duplicate(conn, article, duplicate_of)

    def _add_duplicate(self, conn: Connection, article: Article, duplicate_of: str) -> bool:
        if conn.execute(select(s.articles.c.pk).where(s.articles.c.id == article.id)).first():
            return False
        target = duplicate_of
        for _ in range(100):
            row = conn.execute(
                select(s.articles.c.duplicate_of).where(s.articles.c.id == target)
            ).first()
            if row is None:
                raise UserError(
                    f"cannot store {article.id} as a duplicate of {duplicate_of}: "
                    "that article is not in the database; add it first"
                )
            if row.duplicate_of is None:
                break
            target = row.duplicate_of
        conn.execute(
            s.articles.insert(),
            [article_row(article, minhash=None, duplicate_of=target, analyzed=False)],
        )
        if self.counted:
            counters.bump(conn, Counter({("total", "duplicates"): 1}))
        if self._links_incidents():
            refresh_articles(conn, [target])  # the copy adds an article (and maybe an outlet)
        return True

    def similar(self, keys: list[tuple[int, int]]) -> list[tuple[str, bytes]]:
        """(article id, minhash bytes) of stored articles sharing any LSH ``(band, hash)`` key
        (``dedupe.band_hashes``): the near-duplicate candidates of a new article, by index lookup."""
        if not keys:
            return []
        b, a = s.lsh_bands.c, s.articles.c
        hit = select(b.article_id).where(tuple_(b.band, b.hash).in_(keys)).distinct()
        q = select(a.id, a.minhash).where(a.id.in_(hit), a.minhash.is_not(None)).order_by(a.pk)
        with self.engine.connect() as conn:
            return [(r.id, bytes(r.minhash)) for r in conn.execute(q)]

    def minhashes(self) -> Iterator[tuple[str, bytes]]:
        """(article id, minhash bytes) of every stored article that has one."""
        with self.engine.connect() as conn:
            q = select(s.articles.c.id, s.articles.c.minhash).where(s.articles.c.minhash.is_not(None))
            for row in conn.execute(q.order_by(s.articles.c.pk)):
                yield row.id, bytes(row.minhash)

    # -- events ----------------------------------------------------------------------------------
    def _order(self, order: str) -> list[Any]:
        e = s.events.c
        if order == "date":
            return [e.date_start.asc().nulls_last(), e.pk]
        if order == "-date":
            return [e.date_start.desc().nulls_last(), e.pk.desc()]
        if order == "confidence":
            return [e.confidence.asc(), e.pk]
        if order == "-confidence":
            return [e.confidence.desc(), e.pk]
        if order == "article":
            return [e.pk]
        raise UserError(f"unknown order {order!r}; use one of: {', '.join(ORDERS)}")

    def events(
        self, flt: EventFilter | None = None, limit: int = 100, offset: int = 0, order: str = "date"
    ) -> list[dict[str, Any]]:
        """SPEC event records matching ``flt``. ``order``: date (oldest first), -date, confidence,
        -confidence, article (insertion order: articles as added, events in article order)."""
        flt = flt or EventFilter()
        if limit < 0 or offset < 0:
            raise UserError("limit and offset must be >= 0")
        ordering = self._order(order)
        # filter, sort and page on the events table alone; join the rest for the page rows only
        page = (select(s.events.c.pk).where(where_all(flt, self.dialect, rtree=self.events_rtree))
                .order_by(*ordering))
        page = page.limit(limit).offset(offset)
        q = event_select().where(s.events.c.pk.in_(page)).order_by(*ordering)
        with self._read() as conn:
            return build_records(conn, conn.execute(q).all())

    def event_map(
        self, flt: EventFilter | None = None, limit: int = 2000, offset: int = 0, order: str = "-date"
    ) -> list[dict[str, Any]]:
        """A page of the located matching events as GeoJSON features, one per report (what a map
        shows of each, see :func:`wirewatch.store.read.map_feature`), not whole records."""
        return [json.loads(f) for f in self.event_map_page(flt, limit, offset, order)[0]]

    def event_map_page(
        self, flt: EventFilter | None = None, limit: int = 2000, offset: int = 0, order: str = "-date"
    ) -> tuple[list[str], int]:
        """(:meth:`event_map` as the stored JSON text of each feature, the number of matching
        events). With a bbox the page's query counts its matches too (one pass, not two)."""
        flt = flt or EventFilter()
        if limit < 0 or offset < 0:
            raise UserError("limit and offset must be >= 0")
        e = s.events.c
        cond = (where_all(flt, self.dialect, rtree=self.events_rtree), e.lat.is_not(None), e.lon.is_not(None))
        boxed = flt.bbox is not None  # every match is located: the page's matches are the total
        cols = (e.pk, func.count().over().label("total")) if boxed else (e.pk,)
        page = select(*cols).where(*cond).order_by(*self._order(order)).limit(limit).offset(offset)
        with self._read() as conn:
            windowed = (map_window.window_page(conn, map_window.EVENTS, flt, order, (e.pk,),
                                               self._order(order), limit, offset)
                        if self.events_rtree else None)
            if windowed is not None:  # a dense bbox + date window: its newest (oldest) days only
                rows, total = windowed
                return stored_map_features(conn, [r.pk for r in rows]), total
            rows = conn.execute(page).all()
            feats = stored_map_features(conn, [r.pk for r in rows])
        if boxed and (rows or offset == 0):
            return feats, int(rows[0].total) if rows else 0
        return feats, self.count_events(flt)

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A read-only transaction (a consistent snapshot); full-text syntax errors become UserError."""
        with self.engine.connect() as conn:
            try:
                with conn.begin():
                    yield conn
            except (OperationalError, ProgrammingError) as exc:
                msg = str(exc.orig)
                if "fts5" in msg or "MATCH" in msg or "tsquery" in msg:
                    raise UserError(f"bad search text: {msg}") from None
                raise

    def count_events(self, flt: EventFilter | None = None) -> int:
        """Number of events matching ``flt``."""
        flt = flt or EventFilter()
        q = select(func.count()).select_from(s.events).where(
            where_all(flt, self.dialect, rtree=self.events_rtree))
        with self._read() as conn:
            if flt.is_empty() and self.counted:  # the counter kept on write, not a scan of every event
                return counters.total(conn, "events")
            return int(conn.execute(q).scalar_one())

    def iter_events(self, flt: EventFilter | None = None, batch: int = 1000) -> Iterator[dict[str, Any]]:
        """Every matching event record in insertion order, built ``batch`` at a time; for export.

        The filter runs once (using its best index) to list the matching event keys (8 bytes each);
        records are then read by key, so memory stays small and no OFFSET scan repeats.
        """
        flt = flt or EventFilter()
        q = (select(s.events.c.pk).where(where_all(flt, self.dialect, rtree=self.events_rtree))
             .order_by(s.events.c.pk))
        with self._read() as conn:
            pks = list(conn.scalars(q))
        for i in range(0, len(pks), batch):
            chunk = pks[i:i + batch]
            with self._read() as conn:
                in_chunk = id_list(self.dialect, chunk)
                rows = conn.execute(
                    event_select().where(in_chunk(s.events.c.pk)).order_by(s.events.c.pk)
                ).all()
                records = build_records(conn, rows)
            yield from records

    def events_by_id(self, event_ids: list[str]) -> list[dict[str, Any]]:
        """The records of these events (unknown ids are left out), in insertion order."""
        if not event_ids:
            return []
        with self._read() as conn:
            in_ids = id_list(self.dialect, list(event_ids))
            rows = conn.execute(event_select().where(in_ids(s.events.c.id)).order_by(s.events.c.pk)).all()
            return build_records(conn, rows)

    def sentence_texts(self, event_ids: list[str]) -> dict[str, str]:
        """{event id: the text of its sentence} for these events (for exports)."""
        if not event_ids:
            return {}
        e = s.events.c
        text = func.substr(s.articles.c.text, e.sentence_start + 1, e.sentence_end - e.sentence_start)
        joined = s.events.join(s.articles, s.articles.c.id == e.article_id)
        q = select(e.id, text.label("sentence_text")).select_from(joined).where(
            id_list(self.dialect, list(event_ids))(e.id))
        with self._read() as conn:
            return {r.id: r.sentence_text for r in conn.execute(q)}

    def event(self, event_id: str) -> dict[str, Any] | None:
        """One event record plus ``evidence``: article text, sentence text and every span with its
        role (trigger, source, target, location, date, attribution), sorted by offset."""
        with self._read() as conn:
            rows = conn.execute(event_select().where(s.events.c.id == event_id)).all()
            if not rows:
                return None
            record = build_records(conn, rows)[0]
            text = conn.execute(
                select(s.articles.c.text).where(s.articles.c.id == rows[0].article_id)
            ).scalar_one()
        record["evidence"] = evidence(text, record)
        return record

    # -- articles --------------------------------------------------------------------------------
    @staticmethod
    def _article_meta(r: Any) -> dict[str, Any]:
        return {
            "id": r.id, "url": r.url, "title": r.title, "source": r.source,
            "published": r.published.isoformat() if r.published else None,
            "language": r.language, "origin": r.origin, "analyzed": bool(r.analyzed),
            "duplicate_of": r.duplicate_of,
            "added_at": r.added_at.isoformat() if r.added_at else None,
        }

    def article(self, article_id: str) -> dict[str, Any] | None:
        """Article metadata, ``text``, ``duplicates`` (ids of its near-duplicates) and ``events`` (ids,
        in article order)."""
        a = s.articles
        with self._read() as conn:
            r = conn.execute(select(a).where(a.c.id == article_id)).first()
            if r is None:
                return None
            out = self._article_meta(r)
            out["text"] = r.text
            out["duplicates"] = list(
                conn.scalars(select(a.c.id).where(a.c.duplicate_of == article_id).order_by(a.c.pk))
            )
            out["events"] = list(
                conn.scalars(
                    select(s.events.c.id).where(s.events.c.article_id == article_id).order_by(s.events.c.ord)
                )
            )
        return out

    def articles(self, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Stored articles, newest added first: metadata plus ``n_events`` (no text)."""
        a = s.articles
        n_events = (
            select(func.count()).select_from(s.events).where(s.events.c.article_id == a.c.id)
        ).scalar_subquery()
        cols = [c for c in a.c if c.name not in ("text", "minhash")]
        q = select(*cols, n_events.label("n_events")).order_by(a.c.pk.desc()).limit(limit).offset(offset)
        with self._read() as conn:
            return [{**self._article_meta(r), "n_events": int(r.n_events)} for r in conn.execute(q)]

    # -- aggregates ------------------------------------------------------------------------------
    def _key(self, by: str) -> Any:
        e = s.events.c
        if by == "day":
            return e.date_start
        if by in ("month", "year"):
            if self.dialect == "sqlite":
                return func.substr(e.date_start, 1, 7 if by == "month" else 4)
            return func.to_char(e.date_start, "YYYY-MM" if by == "month" else "YYYY")
        column = {"type": e.event_type, "country": e.country, "modality": e.modality}.get(by)
        if column is None:
            raise UserError(f"cannot aggregate by {by!r}; use one of: {', '.join(AGGREGATES)}")
        return column

    def aggregate(self, flt: EventFilter | None, by: str, count: str = "events") -> list[dict[str, Any]]:
        """Event counts grouped ``by`` day, month, year (keys ``YYYY-MM-DD``/``YYYY-MM``/``YYYY``, on
        the first day of the event's date period, in date order), type, country (location) or
        modality (largest first). Events without the key (no date, no location) are left out.
        ``count="incidents"``: incidents instead, grouped by the incident's own date/type/country/
        standing (see ``incidents_read.aggregate_incidents``)."""
        if ir.check_count(count) == "incidents":
            with self._read() as conn:
                return ir.aggregate_incidents(conn, flt, by, self.incident_counted)
        flt = flt or EventFilter()
        expr = self._key(by)
        if flt.is_empty() and self.counted:
            return self._counted(by)
        if (self.counted and by in ("day", "month", "year")
                and replace(flt, date_from=None, date_to=None, types=()).is_empty()):
            return self._window_counted(flt, by)  # the timeline's date brush and type buttons
        key = expr.label("key")
        n = func.count().label("count")
        q = (
            select(key, n).select_from(s.events)
            .where(where_all(flt, self.dialect, rtree=self.events_rtree), expr.is_not(None))
            .group_by(expr)
        )
        q = q.order_by(key) if by in ("day", "month", "year") else q.order_by(n.desc(), key)
        with self._read() as conn:
            out = []
            for r in conn.execute(q):
                k = r.key.isoformat() if hasattr(r.key, "isoformat") else r.key
                out.append({"key": k, "count": int(r.count)})
            return out

    def _window_counted(self, flt: EventFilter, by: str) -> list[dict[str, Any]]:
        """:meth:`aggregate` by day/month/year for a date window and/or types alone: the day (or
        type-and-day) counters of the days inside the window, plus a scan of the events that start
        before it and reach into it (bounded by the longest period of each date class)."""
        lo = flt.date_from.isoformat() if flt.date_from else None
        hi = flt.date_to.isoformat() if flt.date_to else None
        n: Counter[str] = Counter()
        with self._read() as conn:
            if flt.types:
                for t in flt.types:
                    lo_t, hi_t = counters.day_type_key(t, lo or ""), counters.day_type_key(t, hi or "~")
                    for key, c in counters.buckets(conn, "day_type", lo_t, hi_t):
                        n[key.split("|", 1)[1]] += c
            else:
                n.update(dict(counters.buckets(conn, "day", lo, hi)))
            if flt.date_from is not None and flt.date_from > date.min:
                reaching = replace(flt, date_to=flt.date_from - timedelta(days=1))
                e = s.events.c
                q = (select(e.date_start, func.count())
                     .where(where_all(reaching, self.dialect), e.date_start.is_not(None))
                     .group_by(e.date_start))
                for day, c in conn.execute(q):
                    n[counters.key_text(day)] += int(c)
        return [{"key": k, "count": c} for k, c in _by_period(n.items(), by)]

    def _counted(self, by: str) -> list[dict[str, Any]]:
        """:meth:`aggregate` of every event, from the counters kept on write."""
        kind = "day" if by in ("month", "year") else by
        with self._read() as conn:
            rows = counters.buckets(conn, kind)
        if by in ("day", "month", "year"):
            rows = _by_period(rows, by)
        else:
            rows.sort(key=lambda kv: (-kv[1], kv[0]))
        return [{"key": k, "count": n} for k, n in rows]

    def actors(
        self, flt: EventFilter | None = None, limit: int = 100, count: str = "events"
    ) -> list[dict[str, Any]]:
        """Actors of the matching events (as source or target), most events first:
        ``actor_id, name, country, sector, known, events, as_source, as_target``.
        ``count="incidents"``: most incidents first, with ``incidents`` and ``count`` added."""
        if ir.check_count(count) == "incidents":
            with self._read() as conn:
                return ir.actors_incidents(conn, flt, limit, self.incident_counted)
        flt = flt or EventFilter()
        ea, e, act = s.event_actors, s.events, s.actors
        matching = select(e.c.id).where(where_all(flt, self.dialect, rtree=self.events_rtree))
        n = func.count(ea.c.event_id.distinct()).label("events")
        src = func.count(ea.c.event_id.distinct()).filter(ea.c.role == "source").label("as_source")
        tgt = func.count(ea.c.event_id.distinct()).filter(ea.c.role == "target").label("as_target")
        q = (
            select(act.c.actor_id, act.c.name, act.c.country, act.c.sector, act.c.known, n, src, tgt)
            .select_from(ea.join(act, act.c.actor_id == ea.c.actor_id))
            .group_by(act.c.actor_id, act.c.name, act.c.country, act.c.sector, act.c.known)
            .order_by(n.desc(), act.c.actor_id)
            .limit(limit)
        )
        if flt.is_empty() and self.counted:
            return self._counted_actors(limit)
        if not flt.is_empty():
            q = q.where(ea.c.event_id.in_(matching))
        with self._read() as conn:
            return [
                {
                    "actor_id": r.actor_id, "name": r.name, "country": r.country, "sector": r.sector,
                    "known": bool(r.known), "events": int(r.events), "as_source": int(r.as_source or 0),
                    "as_target": int(r.as_target or 0),
                }
                for r in conn.execute(q)
            ]

    # -- incidents -------------------------------------------------------------------------------
    def count_incidents(self, flt: EventFilter | None = None) -> int:
        """Number of incidents with a report matching ``flt``."""
        with self._read() as conn:
            return ir.count_incidents(conn, flt, self.incident_counted)

    def incidents(
        self, flt: EventFilter | None = None, limit: int = 100, offset: int = 0, order: str = "-date"
    ) -> list[dict[str, Any]]:
        """Incidents with a report matching ``flt`` (see docs/incidents.md for the record);
        ``order``: one of ``incidents_read.INCIDENT_ORDERS``."""
        with self._read() as conn:
            return ir.list_incidents(conn, flt, limit, offset, order)

    def incident_map(
        self, flt: EventFilter | None = None, limit: int = 2000, offset: int = 0, order: str = "-date"
    ) -> list[dict[str, Any]]:
        """Located matching incidents as GeoJSON features, one per incident at its best place (see
        ``incident_derived.map_features``)."""
        return [json.loads(f) for f in self.incident_map_page(flt, limit, offset, order)[0]]

    def incident_page(
        self, flt: EventFilter | None = None, limit: int = 100, offset: int = 0, order: str = "-date"
    ) -> tuple[list[dict[str, Any]], int]:
        """(:meth:`incidents`, :meth:`count_incidents`) of one filter, in one pass where that is cheaper."""
        with self._read() as conn:
            return ir.incident_page(conn, flt, limit, offset, order, self.incident_counted)

    def incident_map_page(
        self, flt: EventFilter | None = None, limit: int = 2000, offset: int = 0, order: str = "-date"
    ) -> tuple[list[str], int]:
        """(:meth:`incident_map` as the stored JSON text of each feature, the number of matching
        incidents), for the map endpoint."""
        with self._read() as conn:
            feats, total = ir.map_page(conn, flt, limit, offset, order)
        return feats, self.count_incidents(flt) if total is None else total

    def iter_incidents(self, flt: EventFilter | None = None, batch: int = 500) -> Iterator[dict[str, Any]]:
        """Every matching incident (oldest first), ``batch`` at a time; for export."""
        offset = 0
        while True:
            page = self.incidents(flt, limit=batch, offset=offset, order="date")
            yield from page
            if len(page) < batch:
                return
            offset += batch

    def incident(self, incident_id: str) -> dict[str, Any] | None:
        """One incident plus ``reports``: the full record of each report with its ``evidence``."""
        with self._read() as conn:
            inc = ir.get_incident(conn, incident_id)
        if inc is None:
            return None
        from wirewatch.incidents.model import outlet_of

        reports = [r for r in (self.event(eid) for eid in inc["event_ids"][:MAX_REPORTS]) if r is not None]
        for r in reports:
            r["outlet"] = outlet_of(r["article"].get("source"), r["article"].get("url"))
        inc["reports"] = reports
        return inc

    def _counted_actors(self, limit: int) -> list[dict[str, Any]]:
        """:meth:`actors` of every event, from the counters kept on write."""
        act = s.actors
        with self._read() as conn:
            ranked = counters.top(conn, "actor", limit)
            ids = [a for a, _ in ranked]
            meta = {r.actor_id: r for r in conn.execute(select(act).where(act.c.actor_id.in_(ids)))}
            c = s.event_counts.c
            roles = {(r.kind, r.key): int(r.n) for r in conn.execute(
                select(c.kind, c.key, c.n).where(c.kind.in_(("actor_src", "actor_tgt")), c.key.in_(ids)))}
        return [
            {"actor_id": a, "name": meta[a].name, "country": meta[a].country, "sector": meta[a].sector,
             "known": bool(meta[a].known), "events": n, "as_source": roles.get(("actor_src", a), 0),
             "as_target": roles.get(("actor_tgt", a), 0)}
            for a, n in ranked if a in meta
        ]

    def stats(self) -> dict[str, Any]:
        """Row counts and the event date range: articles (analysed), duplicates, events, actors,
        places, mentions, toponyms, timexes; plus backend and applied migrations."""
        with self._read() as conn:
            def count(table: Any, *cond: Any) -> int:
                return int(conn.execute(select(func.count()).select_from(table).where(*cond)).scalar_one())

            if self.counted:  # totals of the big tables from the counters kept on write
                def total(name: str) -> int:
                    return counters.total(conn, name)

                first, last = counters.edge(conn, "day", last=False), counters.edge(conn, "end", last=True)
            else:  # a database opened read-only before migration 0031: scan
                scan = counters.scanned(conn)

                def total(name: str) -> int:
                    return scan["total", name]

                first = min((k for kind, k in scan if kind == "day"), default=None)
                last = max((k for kind, k in scan if kind == "end"), default=None)
            out: dict[str, Any] = {
                "backend": self.dialect,
                "articles": total("articles"),
                "duplicates": total("duplicates"),
                "events": total("events"),
                "located_events": total("located_events"),
                "incidents": (counters.value(conn, "inc", "incidents") if self.incident_counted
                              else count(s.incidents)),
                "actors": count(s.actors),
                "places": count(s.places),
                "mentions": total("mentions"),
                "toponyms": total("toponyms"),
                "timexes": total("timexes"),
                "first_event_date": first,
                "last_event_date": last,
            }
        out["migrations"] = self.migrations()
        return out


__all__ = ["Store", "normalize_url", "DEFAULT_URL", "AGGREGATES", "ORDERS"]

"""Schema migrations: named functions applied in order, each recorded in the ``migrations`` table.

A migration is ``fn(conn)`` on an open transaction; :func:`migrate` applies the ones whose names are
not yet recorded (each in its own transaction, recorded in the same one) and returns their names.
Add new migrations at the end of :data:`MIGRATIONS`; never rename or reorder published ones.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, inspect, select
from sqlalchemy.exc import OperationalError

from wirewatch.store import schema

Migration = tuple[str, Callable[[Connection], None]]
log = logging.getLogger(__name__)
_PG_MIGRATE_LOCK = 7254371  # pg_advisory_xact_lock key: one migrator at a time


def _m0001_tables(conn: Connection) -> None:
    """Core tables and their indexes."""
    schema.metadata.create_all(conn, tables=list(schema.TABLES))


_SQLITE_FTS = (
    """CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
         title, text, content='articles', content_rowid='pk',
         tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER IF NOT EXISTS articles_fts_ai AFTER INSERT ON articles BEGIN
         INSERT INTO articles_fts(rowid, title, text) VALUES (new.pk, new.title, new.text);
       END""",
    """CREATE TRIGGER IF NOT EXISTS articles_fts_ad AFTER DELETE ON articles BEGIN
         INSERT INTO articles_fts(articles_fts, rowid, title, text)
         VALUES ('delete', old.pk, old.title, old.text);
       END""",
    """CREATE TRIGGER IF NOT EXISTS articles_fts_au AFTER UPDATE OF title, text ON articles BEGIN
         INSERT INTO articles_fts(articles_fts, rowid, title, text)
         VALUES ('delete', old.pk, old.title, old.text);
         INSERT INTO articles_fts(rowid, title, text) VALUES (new.pk, new.title, new.text);
       END""",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
)

_PG_FTS = (
    """ALTER TABLE articles ADD COLUMN IF NOT EXISTS tsv tsvector GENERATED ALWAYS AS
         (to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || text)) STORED""",
    "CREATE INDEX IF NOT EXISTS ix_articles_tsv ON articles USING GIN (tsv)",
)


def _m0002_fulltext(conn: Connection) -> None:
    """Full-text index over article title + text: FTS5 (SQLite) or tsvector + GIN (PostgreSQL)."""
    statements = _SQLITE_FTS if conn.dialect.name == "sqlite" else _PG_FTS
    for sql in statements:
        conn.exec_driver_sql(sql)


def _m0003_alerts(conn: Connection) -> None:
    """Saved alerts (``wirewatch watch``): name, filter JSON, created, cursor (last delivered
    ``events.pk``), last_run. ``events.pk`` (SQLite rowid alias / PostgreSQL serial) is the cursor."""
    schema.alerts.create(conn, checkfirst=True)


def _m0004_population_bigint(conn: Connection) -> None:
    """``places.population`` as BIGINT: Asia's 3.8 billion overflows PostgreSQL's INTEGER (SQLite's
    INTEGER is already 64-bit, and fresh databases get BIGINT from 0001)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ALTER TABLE places ALTER COLUMN population TYPE BIGINT")


def _m0005_failures(conn: Connection) -> None:
    """Inputs that failed to be read, analysed or stored, for ``wirewatch failures`` (list, retry)."""
    schema.failures.create(conn, checkfirst=True)


def _m0020_incidents(conn: Connection) -> None:
    """Incidents: ``events.incident_id`` (+ index), the ``incidents`` and ``incident_edits`` tables,
    and every stored event linked into an incident (in insertion order, as ingest would have)."""
    from wirewatch.store.incidents import backfill

    if "incident_id" not in {c["name"] for c in inspect(conn).get_columns("events")}:
        conn.exec_driver_sql("ALTER TABLE events ADD COLUMN incident_id VARCHAR(64)")
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_events_incident ON events (incident_id)")
    schema.incidents.create(conn, checkfirst=True)
    schema.incident_edits.create(conn, checkfirst=True)
    # written by every incident refresh (0034: incident counters and actor pairs)
    schema.incident_actors.create(conn, checkfirst=True)
    schema.event_counts.create(conn, checkfirst=True)
    backfill(conn)


def _m0010_alert_delivery(conn: Connection) -> None:
    """Alert destinations and conditions (``alert_settings``) and dead letters (``alert_failures``)."""
    schema.alert_settings.create(conn, checkfirst=True)
    schema.alert_failures.create(conn, checkfirst=True)


def _m0011_sources(conn: Connection) -> None:
    """Followed feeds with their fetch health (``sources``) and the items seen in them (``source_items``)."""
    schema.sources.create(conn, checkfirst=True)
    schema.source_items.create(conn, checkfirst=True)


def _m0012_alert_standing(conn: Connection) -> None:
    """Incident conditions on alerts: ``alert_settings.standing`` and ``alert_settings.min_outlets``."""
    have = {c["name"] for c in inspect(conn).get_columns("alert_settings")}
    if "standing" not in have:
        conn.exec_driver_sql("ALTER TABLE alert_settings ADD COLUMN standing VARCHAR(120)")
    if "min_outlets" not in have:
        conn.exec_driver_sql("ALTER TABLE alert_settings ADD COLUMN min_outlets INTEGER")


def _m0030_lsh_bands(conn: Connection) -> None:
    """Stored LSH index for near-duplicates: ``lsh_bands`` (band, hash, article_id), filled from the
    MinHash of every article already stored."""
    from wirewatch.ingest.dedupe import NUM_PERM, band_hashes

    schema.lsh_bands.create(conn, checkfirst=True)
    a = schema.articles.c
    last = 0
    while True:  # page by primary key: a million stored signatures never sit in memory at once
        page = conn.execute(
            select(a.pk, a.id, a.minhash).where(a.minhash.is_not(None), a.pk > last)
            .order_by(a.pk).limit(2000)
        ).all()
        if not page:
            break
        last = page[-1].pk
        rows = [{"band": b, "hash": h, "article_id": r.id} for r in page if len(r.minhash) == NUM_PERM * 8
                for b, h in band_hashes(bytes(r.minhash))]
        if rows:
            conn.execute(schema.lsh_bands.insert(), rows)


def _m0033_event_actor_incident(conn: Connection) -> None:
    """``event_actors.incident_id`` (a copy of the event's), filled from ``events``, and its index."""
    if "incident_id" not in {c["name"] for c in inspect(conn).get_columns("event_actors")}:
        conn.exec_driver_sql("ALTER TABLE event_actors ADD COLUMN incident_id VARCHAR(64)")
    conn.exec_driver_sql(
        "UPDATE event_actors SET incident_id = (SELECT e.incident_id FROM events e"
        " WHERE e.id = event_actors.event_id)")
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_event_actors_incident"
                         " ON event_actors (actor_id, incident_id, role)")


def _m0034_incident_derived(conn: Connection) -> None:
    """What reads at scale need of every incident, kept in step on write from now on
    (``store/incident_derived.py``): incident counters, ``incident_actors``, ``incidents.map_feature``."""
    from wirewatch.store import incident_derived

    if not inspect(conn).has_table("incidents"):  # 0020 (later) makes it with these, kept in step
        return
    if "map_feature" not in {c["name"] for c in inspect(conn).get_columns("incidents")}:
        conn.exec_driver_sql("ALTER TABLE incidents ADD COLUMN map_feature TEXT")
    schema.incident_actors.create(conn, checkfirst=True)
    incident_derived.rebuild(conn)


_RTREE_ROW = ("new.rowid, new.lat, new.lat, new.lon, new.lon,"
              " min(coalesce(julianday(new.date_start), 0), coalesce(julianday(new.date_end), 1e7)),"
              " max(coalesce(julianday(new.date_start), 0), coalesce(julianday(new.date_end), 1e7))")
def _sqlite_rtree(table: str) -> tuple[str, ...]:
    """SQL of an R*Tree ``<table>_rtree`` with one box per located row of ``table`` (its point and
    its date period in julian days; no date = all time), triggers that keep it, and its fill."""
    tree = f"{table}_rtree"
    return (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {tree} USING rtree(id, lat0, lat1, lon0, lon1, day0, day1)",
        f"""CREATE TRIGGER IF NOT EXISTS {tree}_ai AFTER INSERT ON {table}
              WHEN new.lat IS NOT NULL AND new.lon IS NOT NULL BEGIN
              INSERT INTO {tree} VALUES ({_RTREE_ROW});
            END""",
        f"""CREATE TRIGGER IF NOT EXISTS {tree}_ad AFTER DELETE ON {table} BEGIN
             DELETE FROM {tree} WHERE id = old.rowid;
           END""",
        f"""CREATE TRIGGER IF NOT EXISTS {tree}_au AFTER UPDATE OF lat, lon, date_start, date_end
              ON {table} BEGIN
              DELETE FROM {tree} WHERE id = old.rowid;
              INSERT INTO {tree} SELECT {_RTREE_ROW} WHERE new.lat IS NOT NULL AND new.lon IS NOT NULL;
            END""",
        f"DELETE FROM {tree}",
        f"INSERT INTO {tree} SELECT {_RTREE_ROW.replace('new.', '')} FROM {table}"
        " WHERE lat IS NOT NULL AND lon IS NOT NULL",
    )


def _add_rtree(conn: Connection, table: str) -> None:
    if conn.dialect.name != "sqlite" or not inspect(conn).has_table(table):
        return
    try:
        with conn.begin_nested():
            for sql in _sqlite_rtree(table):
                conn.exec_driver_sql(sql)
    except OperationalError as exc:
        if "rtree" not in str(exc):
            raise
        log.warning("SQLite has no rtree module: maps read %s by B-tree index (%s)", table, exc)


def _m0035_incident_rtree(conn: Connection) -> None:
    """SQLite: an R*Tree over every located incident's point and date period, kept in step by triggers,
    so a map's bbox + date window reads the matching incidents only (``store/incidents_read.py``).
    PostgreSQL keeps its B-tree indexes; a SQLite built without the rtree module goes on without it."""
    _add_rtree(conn, "incidents")


def _m0037_event_rtree(conn: Connection) -> None:
    """SQLite: the same R*Tree over every located event (``events.pk`` is its rowid), so a per-report
    map or count in a bbox reads the events inside it only (``store/filters.where``)."""
    _add_rtree(conn, "events")


def _m0036_event_article_pk(conn: Connection) -> None:
    """``events.article_pk`` (the article's integer key, which is its full-text rowid), filled from
    ``articles``, and the indexes full-text filters use (``store/filters.text_clause``): by key, in a
    type + country range, among one incident's reports (incidents: 0040)."""
    if "article_pk" not in {c["name"] for c in inspect(conn).get_columns("events")}:
        conn.exec_driver_sql("ALTER TABLE events ADD COLUMN article_pk INTEGER")
    conn.exec_driver_sql("UPDATE events SET article_pk = (SELECT a.pk FROM articles a"
                         " WHERE a.id = events.article_id) WHERE article_pk IS NULL")
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_events_article_pk ON events (article_pk)")
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_events_type_country"
                         " ON events (event_type, country, date_start, article_pk)")
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_events_incident_article"
                         " ON events (incident_id, article_pk)")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_events_incident")  # the one above leads with it
    # the incidents' type + country index comes from 0040 (with the id), which always runs after this


def _m0038_event_map_feature(conn: Connection) -> None:
    """``events.map_feature``: each located event's map feature as JSON text (written with new rows
    from now on), filled here for the stored ones, a batch of keys at a time."""
    from sqlalchemy import bindparam, update

    from wirewatch.store.read import build_map_features

    if "map_feature" not in {c["name"] for c in inspect(conn).get_columns("events")}:
        conn.exec_driver_sql("ALTER TABLE events ADD COLUMN map_feature TEXT")
    e = schema.events.c
    last = 0
    while True:
        pks = list(conn.scalars(select(e.pk).where(e.pk > last, e.lat.is_not(None), e.map_feature.is_(None))
                                .order_by(e.pk).limit(5000)))
        if not pks:
            return
        made = [{"k": pk, "f": f} for pk, f in build_map_features(conn, pks).items() if f is not None]
        if made:
            conn.execute(update(schema.events).where(e.pk == bindparam("k"))
                         .values(map_feature=bindparam("f")), made)
        last = pks[-1]


def _m0039_day_type_counts(conn: Connection) -> None:
    """``day_type`` counters (events per type and day, kept on write from now on), filled by one
    GROUP BY of the stored events: a date window's timeline of some types reads counters."""
    from sqlalchemy import delete

    from wirewatch.store import counters

    # 0031, applied late, may have counted them already (its backfill scans every kind): replace
    conn.execute(delete(schema.event_counts).where(schema.event_counts.c.kind == "day_type"))
    counters.bump(conn, counters.scanned_day_types(conn))


def _m0040_incident_type_country_id(conn: Connection) -> None:
    """``ix_incidents_type_country`` with the incident id: the report probe of a type + country
    filter (``incidents_read.matching``) reads the id from the index, not from the row. (A database
    that gets ``incidents`` later, from 0020, gets it from the schema.)"""
    if inspect(conn).has_table("incidents"):
        conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_incidents_type_country_id"
                             " ON incidents (event_type, country, date_start, id)")
        if conn.dialect.name == "sqlite" and inspect(conn).has_table("sqlite_stat1"):
            # the other indexes have statistics (Store.optimize): without its own, the planner takes
            # the new one for a type + date timeline (230 ms at 1 M incidents instead of 17)
            conn.exec_driver_sql("ANALYZE ix_incidents_type_country_id")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_incidents_type_country")


def _m0031_event_counts(conn: Connection) -> None:
    """Counters kept current on write (``event_counts``), filled from what is already stored."""
    from wirewatch.store import counters

    schema.event_counts.create(conn, checkfirst=True)
    counters.backfill(conn)


MIGRATIONS: tuple[Migration, ...] = (
    ("0001_tables", _m0001_tables),
    ("0002_fulltext", _m0002_fulltext),
    ("0003_alerts", _m0003_alerts),
    ("0004_population_bigint", _m0004_population_bigint),
    ("0005_failures", _m0005_failures),
    ("0010_alert_delivery", _m0010_alert_delivery),
    ("0011_sources", _m0011_sources),
    ("0012_alert_standing", _m0012_alert_standing),
    ("0020_incidents", _m0020_incidents),
    ("0030_lsh_bands", _m0030_lsh_bands),
    ("0031_event_counts", _m0031_event_counts),
    ("0033_event_actor_incident", _m0033_event_actor_incident),
    ("0034_incident_derived", _m0034_incident_derived),
    ("0035_incident_rtree", _m0035_incident_rtree),
    ("0036_event_article_pk", _m0036_event_article_pk),
    ("0037_event_rtree", _m0037_event_rtree),
    ("0038_event_map_feature", _m0038_event_map_feature),
    ("0039_day_type_counts", _m0039_day_type_counts),
    ("0040_incident_type_country_id", _m0040_incident_type_country_id),
)


def applied(engine: Engine) -> list[str]:
    """Names of the migrations recorded in the database, in the order applied ([] when none)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("migrations"):
            return []
        rows = conn.execute(
            select(schema.migrations.c.name).order_by(
                schema.migrations.c.applied_at, schema.migrations.c.name
            )
        )
        return [r[0] for r in rows]


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """A write transaction that one migrator at a time holds."""
    with engine.connect().execution_options(wirewatch_write=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATE_LOCK})")
        yield conn


def migrate(engine: Engine) -> list[str]:
    """Create the ``migrations`` table if needed and apply pending migrations; return their names."""
    # The first statement is a write transaction under a lock (SQLite BEGIN IMMEDIATE, PostgreSQL an
    # advisory lock): two processes opening a fresh database wait for each other instead of one of
    # them failing with "database is locked" when its read transaction cannot become a write.
    with _locked(engine) as conn:
        schema.migrations.create(conn, checkfirst=True)
    done = set(applied(engine))
    new: list[str] = []
    for name, fn in MIGRATIONS:
        if name in done:
            continue
        with _locked(engine) as conn:
            # Re-check inside the write transaction: another process may have migrated meanwhile.
            exists = conn.execute(
                select(schema.migrations.c.name).where(schema.migrations.c.name == name)
            ).first()
            if exists:
                continue
            fn(conn)
            conn.execute(
                schema.migrations.insert().values(name=name, applied_at=datetime.now(UTC))
            )
        new.append(name)
    return new

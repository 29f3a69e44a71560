"""Table definitions (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Per-article child rows (sentences, mentions, toponyms, timexes) are keyed by ``(article_id, idx)``;
events reference them by index. Filterable event fields are plain columns on ``events``
(type, modality, confidence, date range, lat/lon, location country); actor links live in
``event_actors``. No JSON: ``events.contexts`` (PLOVER codebook words) is stored comma-joined.
Full-text search is added per dialect by the migrations (FTS5 external-content table on SQLite, a
generated tsvector column on PostgreSQL).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

# SQLite: tables keyed by (article_id, idx) / (event_id, ...) / text ids are stored clustered by that
# key (WITHOUT ROWID), so "all rows of these events/articles" reads neighbouring pages.
CLUSTERED = {"sqlite_with_rowid": False}

migrations = Table(
    "migrations",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),  # FTS5 content_rowid
    Column("id", String(200), nullable=False, unique=True),
    Column("url", Text),
    Column("title", Text),
    Column("source", Text),
    Column("published", Date),
    Column("language", String(20), nullable=False),
    Column("origin", Text),
    Column("text", Text, nullable=False),
    Column("minhash", LargeBinary),
    Column("duplicate_of", String(200), ForeignKey("articles.id")),
    Column("analyzed", Boolean, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Index("ix_articles_duplicate_of", "duplicate_of"),
    Index("ix_articles_published", "published"),
)

sentences = Table(
    "sentences",
    metadata,
    Column("article_id", String(200), ForeignKey("articles.id"), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    **CLUSTERED,
)

actors = Table(
    "actors",
    metadata,
    Column("actor_id", String(300), primary_key=True),
    Column("name", Text, nullable=False),
    Column("country", String(3)),
    Column("sector", String(20)),
    Column("known", Boolean, nullable=False),
    **CLUSTERED,
)

# A gazetteer entry; ``place_key`` is a hash of all fields so identical places are stored once and
# differing entries with the same geonameid never overwrite each other.
places = Table(
    "places",
    metadata,
    Column("place_key", String(40), primary_key=True),
    Column("geonameid", Integer),
    Column("name", Text, nullable=False),
    Column("country", String(3)),
    Column("admin1", Text),
    Column("admin2", Text),
    Column("lat", Float),
    Column("lon", Float),
    Column("feature_code", String(20)),
    Column("resolution", String(20), nullable=False),
    Column("population", BigInteger, nullable=False),  # continents exceed 2**31 (migration 0004)
    Index("ix_places_geonameid", "geonameid"),
    **CLUSTERED,
)

# Mentions keep the actor fields as coded in this article (name/country/sector), so an event record
# is rebuilt exactly even when the same actor_id is coded differently elsewhere.
# ``listed``: part of AnalyzedArticle.mentions (else only referenced by an event).
mentions = Table(
    "mentions",
    metadata,
    Column("article_id", String(200), ForeignKey("articles.id"), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("actor_id", String(300), ForeignKey("actors.actor_id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("country", String(3)),
    Column("sector", String(20)),
    Column("known", Boolean, nullable=False),
    Column("token_start", Integer, nullable=False),
    Column("token_end", Integer, nullable=False),
    Column("head", Integer, nullable=False),
    Column("listed", Boolean, nullable=False),
    Index("ix_mentions_actor", "actor_id"),
    **CLUSTERED,
)

# The actor filter's search keys: the folded "actor_id\nname\nmention text" of every distinct
# (actor, mention text) pair, keyed by its hash. Few rows (one per way an actor is written), so a
# substring LIKE over them is cheap; event_actors.actor_key then leads to the events by index.
actor_keys = Table(
    "actor_keys",
    metadata,
    Column("key", String(16), primary_key=True),
    Column("match_key", Text, nullable=False),
    **CLUSTERED,
)

toponyms = Table(
    "toponyms",
    metadata,
    Column("article_id", String(200), ForeignKey("articles.id"), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("place_key", String(40), ForeignKey("places.place_key")),
    Column("token_start", Integer, nullable=False),
    Column("token_end", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("listed", Boolean, nullable=False),
    Index("ix_toponyms_place", "place_key"),
    **CLUSTERED,
)

timexes = Table(
    "timexes",
    metadata,
    Column("article_id", String(200), ForeignKey("articles.id"), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("text", Text),
    Column("start", Integer),
    Column("end", Integer),
    Column("value", String(40)),
    Column("precision", String(20)),
    Column("kind", String(20), nullable=False),
    Column("token_start", Integer),
    Column("token_end", Integer),
    Column("listed", Boolean, nullable=False),
    **CLUSTERED,
)

events = Table(
    "events",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),  # insertion order, keyset paging
    Column("id", String(64), nullable=False, unique=True),
    Column("article_id", String(200), nullable=False),
    # the article's integer key (articles.pk = its full-text rowid): text filters test it against
    # the matching rowids without mapping string ids (migration 0036)
    Column("article_pk", Integer),
    Column("ord", Integer, nullable=False),  # position in AnalyzedArticle.events
    Column("sentence_idx", Integer, nullable=False),
    Column("event_type", String(20), nullable=False),
    Column("mode", String(40)),
    Column("contexts", Text, nullable=False),  # comma-joined PLOVER contexts ("" when none)
    Column("cameo_root", String(4)),
    Column("trigger_text", Text, nullable=False),
    Column("trigger_start", Integer, nullable=False),
    Column("trigger_end", Integer, nullable=False),
    Column("location_idx", Integer),
    Column("date_idx", Integer, nullable=False),
    Column("modality", String(20), nullable=False),
    Column("confidence", Float, nullable=False),
    # copies so a record is read without joining sentences and timexes (their rows stay the source)
    Column("sentence_start", Integer, nullable=False),
    Column("sentence_end", Integer, nullable=False),
    Column("date_text", Text),
    Column("date_text_start", Integer),
    Column("date_text_end", Integer),
    Column("date_value", String(40)),
    # denormalised, filterable copies
    Column("date_start", Date),
    Column("date_end", Date),
    Column("date_precision", String(20)),
    # length class of the date period (see DATE_CLASSES): lets a range filter bound date_start from
    # below, so "overlaps [from, to]" is an index range scan instead of "everything before `to`"
    Column("date_class", SmallInteger),
    Column("lat", Float),
    Column("lon", Float),
    Column("country", String(3)),
    # the incident this report belongs to (``incidents.id``); added by migration 0020_incidents
    Column("incident_id", String(64)),
    # a located event's map feature (GeoJSON Feature as JSON text; store/read.map_feature), written
    # with the row (migration 0038 fills older rows): the per-report map reads it, not five tables
    Column("map_feature", Text),
    ForeignKeyConstraint(["article_id", "sentence_idx"], ["sentences.article_id", "sentences.idx"]),
    ForeignKeyConstraint(["article_id", "location_idx"], ["toponyms.article_id", "toponyms.idx"]),
    ForeignKeyConstraint(["article_id", "date_idx"], ["timexes.article_id", "timexes.idx"]),
    ForeignKeyConstraint(["article_id"], ["articles.id"]),
)

event_actors = Table(
    "event_actors",
    metadata,
    Column("event_id", String(64), ForeignKey("events.id"), primary_key=True),
    Column("role", String(10), primary_key=True),  # source | target
    Column("ord", Integer, primary_key=True),
    Column("article_id", String(200), nullable=False),
    Column("mention_idx", Integer, nullable=False),
    Column("actor_id", String(300), nullable=False),
    Column("actor_country", String(3)),
    Column("actor_key", String(16), ForeignKey("actor_keys.key"), nullable=False),
    # the event's incident, kept equal to events.incident_id (store/incidents.py): actors counted by
    # incidents read this one table (an index scan) instead of joining every event (migration 0033)
    Column("incident_id", String(64)),
    ForeignKeyConstraint(["article_id", "mention_idx"], ["mentions.article_id", "mentions.idx"]),
    Index("ix_event_actors_actor", "actor_id", "event_id"),
    Index("ix_event_actors_incident", "actor_id", "incident_id", "role"),
    Index("ix_event_actors_key", "actor_key", "event_id"),
    Index("ix_event_actors_country", "actor_country", "event_id"),
    **CLUSTERED,
)

attributions = Table(
    "attributions",
    metadata,
    Column("event_id", String(64), ForeignKey("events.id"), primary_key=True),
    Column("ord", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("actor_id", String(300)),
    Column("role", String(20), nullable=False),
    **CLUSTERED,
)

# Period classes: (class, longest period in days); None = unbounded (decades, centuries).
DATE_CLASSES: tuple[tuple[int, int | None], ...] = ((0, 31), (1, 366), (2, None))

# Indexes on events: they serve the map (date range + lat/lon: covered by one index), the timeline
# (date, type) and the common filters.
EVENT_INDEXES = (
    Index("ix_events_article", events.c.article_id, events.c.ord),
    Index("ix_events_date_map", events.c.date_class, events.c.date_start, events.c.date_end,
          events.c.lat, events.c.lon),
    Index("ix_events_type_date", events.c.event_type, events.c.date_class, events.c.date_start),
    Index("ix_events_country_date", events.c.country, events.c.date_class, events.c.date_start),
    Index("ix_events_latlon", events.c.lat, events.c.lon, events.c.date_start),
    Index("ix_events_start", events.c.date_start),
    Index("ix_events_modality", events.c.modality),
    Index("ix_events_confidence", events.c.confidence),
    # an incident's reports, with their article keys for full-text probes (0036; was incident_id alone)
    Index("ix_events_incident_article", events.c.incident_id, events.c.article_pk),
    # full-text filters (0036): by article key alone, or inside a type + country range, which also
    # covers that common filter pair
    Index("ix_events_article_pk", events.c.article_pk),
    Index("ix_events_type_country", events.c.event_type, events.c.country, events.c.date_start,
          events.c.article_pk),
)

TABLES = (
    articles, sentences, actors, places, mentions, actor_keys, toponyms, timexes, events, event_actors,
    attributions,
)

# Saved alerts (``wirewatch.watch``), created by migration 0003 (not part of TABLES/0001).
# ``filter``: the EventFilter as JSON (``EventFilter.to_params()``); ``cursor``: the highest
# ``events.pk`` already delivered (events are append-only and their pk is assigned under the store's
# single-writer lock, so pk order is commit order on both SQLite and PostgreSQL).
alerts = Table(
    "alerts",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("filter", Text, nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("cursor", BigInteger, nullable=False),
    Column("last_run", DateTime(timezone=True)),
)

# Inputs that could not be read, analysed or stored (``wirewatch failures``), created by migration 0005.
# ``key``: one row per failing input (the article id, else the absolute file:line label), so a rerun
# updates its row; ``path``: the file to read again on retry; ``article``: the article as JSON when it
# was read (analysis/store failures), so a retry needs no file. A row is deleted once its input is stored.
failures = Table(
    "failures",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("stage", String(10), nullable=False),  # read | analyse | store
    Column("label", Text, nullable=False),  # file:line, file[n], <stdin>:line or article id
    Column("path", Text),
    Column("article_id", String(200)),
    Column("article", Text),
    Column("reason", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("first_failed", DateTime(timezone=True), nullable=False),
    Column("last_failed", DateTime(timezone=True), nullable=False),
)

# Incidents (``wirewatch.incidents``), created by migration 0020: one row per real-world event, its
# reports are the events whose ``incident_id`` is its id. The columns are the incident's summary (best
# type/place/date, report counts, standing flags), recomputed whenever its reports change, so lists,
# maps and timelines read one row per incident. Who claims/denies it is computed on read from the
# reports' attributions.
incidents = Table(
    "incidents",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("event_type", String(20), nullable=False),
    Column("mode", String(40)),
    Column("cameo_root", String(4)),
    Column("standing", String(20), nullable=False),  # asserted|disputed|claimed|reported|denied|...
    Column("asserted_independently", Boolean, nullable=False),
    Column("rep_event", String(64), nullable=False),  # the best report (its event id)
    Column("place_key", String(40)),
    Column("location_text", Text),
    Column("location_name", Text),
    Column("country", String(3)),
    Column("admin1", Text),
    Column("lat", Float),
    Column("lon", Float),
    Column("geonameid", Integer),
    Column("feature_code", String(20)),
    Column("resolution", String(20)),
    Column("date_value", String(40)),
    Column("date_precision", String(20)),
    Column("date_start", Date),
    Column("date_end", Date),
    Column("date_class", SmallInteger),
    Column("first_report", Date),
    Column("last_report", Date),
    Column("n_reports", Integer, nullable=False),
    Column("n_articles", Integer, nullable=False),
    Column("n_outlets", Integer, nullable=False),
    Column("manual", Boolean, nullable=False),  # touched by a manual merge/split
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # the incident's map feature (GeoJSON text: place, report ids, the representative's trigger,
    # confidence, source, target), kept in step by store/incident_derived.py (migration 0034)
    Column("map_feature", Text),
    # covers the map (date range + bbox) and the timeline (date range + type, counting reports), as
    # ix_events_date_map does for events
    Index("ix_incidents_date", "date_class", "date_start", "date_end", "lat", "lon", "event_type",
          "n_reports"),
    Index("ix_incidents_type_date", "event_type", "date_class", "date_start", "date_end", "n_reports"),
    Index("ix_incidents_country", "country", "date_class", "date_start"),
    # 0040: a type + country filter with a report-level clause (text, actor)
    # probes each incident's reports by its id, read from the index instead of the ~1 KB row
    Index("ix_incidents_type_country_id", "event_type", "country", "date_start", "id"),
    Index("ix_incidents_reports", "n_reports"),
    # a rowid table (not CLUSTERED): index scans that OR several date classes dedupe by integer rowid
)

# Manual incident edits (``wirewatch incidents merge|split``), replayed by ``incidents relink``.
# ``event_ids``: comma-joined event ids: for a merge the representative reports of the two incidents
# (kept, absorbed), for a split the reports moved into the new incident ``incident_id``.
incident_edits = Table(
    "incident_edits",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("action", String(10), nullable=False),  # merge | split
    Column("incident_id", String(64), nullable=False),  # merge: the kept one; split: the new one
    Column("other_id", String(64)),  # merge: the absorbed one; split: the one split from
    Column("event_ids", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Where and how an alert is delivered (``wirewatch.deliver``), created by migration 0010 (branch live).
# One row per alert that has a destination; an alert without a row prints / appends JSONL as before.
# ``kind``: jsonl | webhook | slack | matrix | email; ``target``: file path, URL or e-mail address;
# ``secret``: the webhook's HMAC-SHA256 key; ``near_*``/``radius_km``: a geographic condition.
alert_settings = Table(
    "alert_settings",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("target", Text, nullable=False),
    Column("secret", Text),
    Column("near_lat", Float),
    Column("near_lon", Float),
    Column("radius_km", Float),
    Column("allow_private", Boolean, nullable=False),
    Column("standing", String(120)),  # incident standings, comma-separated (migration 0012)
    Column("min_outlets", Integer),  # the incident has at least this many outlets (migration 0012)
)

# Dead letters: hits whose delivery failed after every retry (``watch failed`` / ``watch retry``).
alert_failures = Table(
    "alert_failures",
    metadata,
    Column("alert", String(64), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("key", String(64), nullable=False),
    Column("error", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("failed_at", DateTime(timezone=True), nullable=False),
)

# Followed feeds / sitemaps (``wirewatch follow``), created by migration 0011 (branch live), with the
# conditional-GET validators and the health of the last fetches.
sources = Table(
    "sources",
    metadata,
    Column("url", String(2000), primary_key=True),
    Column("added", DateTime(timezone=True), nullable=False),
    Column("allow_private", Boolean, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_fetch", DateTime(timezone=True)),
    Column("last_success", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("failures", Integer, nullable=False),
    Column("items", Integer, nullable=False),
)

# Items seen in a followed source: a restart never fetches or stores one twice. ``status``: stored |
# duplicate | skipped | failed (failed items are retried until ``attempts`` reaches the limit).
source_items = Table(
    "source_items",
    metadata,
    Column("source", String(2000), primary_key=True),
    Column("item", String(64), primary_key=True),  # sha1 of the item's id/link
    Column("url", Text),
    Column("article_id", String(200)),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("error", Text),
    Column("seen", DateTime(timezone=True), nullable=False),
)

# Near-duplicate LSH index (migration 0030): the (band, hash) keys of every stored article's MinHash
# (``wirewatch.ingest.dedupe.band_hashes``); a new article looks up its keys instead of the run
# loading every stored signature.
lsh_bands = Table(
    "lsh_bands",
    metadata,
    Column("band", SmallInteger, primary_key=True),
    Column("hash", BigInteger, primary_key=True),
    Column("article_id", String(200), ForeignKey("articles.id"), primary_key=True),
    **CLUSTERED,
)

# The distinct (incident, actor, role) pairs of each incident's reports (migration 0034, kept in step by
# store/incident_derived.py): filtered top actors by incidents count these rows, not every report's.
incident_actors = Table(
    "incident_actors",
    metadata,
    Column("incident_id", String(64), primary_key=True),
    Column("actor_id", String(300), primary_key=True),
    Column("role", String(10), primary_key=True),
    Index("ix_incident_actors_actor", "actor_id", "role", "incident_id"),
    **CLUSTERED,
)

# Counters kept current on write (migration 0031, ``wirewatch/store/counters.py``): unfiltered totals
# and breakdowns are a read of a few rows instead of a scan of every event.
event_counts = Table(
    "event_counts",
    metadata,
    Column("kind", String(16), primary_key=True),
    Column("key", String(300), primary_key=True),
    Column("n", BigInteger, nullable=False),
)

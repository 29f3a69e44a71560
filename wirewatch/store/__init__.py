"""The event store (SQLAlchemy 2 Core): SQLite by default, PostgreSQL through the same code.

Usage::

    with Store.open("sqlite:///events.db") as store:       # or "postgresql://user:pw@host:5432/db"
        store.add_analyzed(analyzed, minhash)                # one transaction; False if already stored
        store.events(EventFilter(types=("ASSAULT",)), limit=10)

Schema (``schema.py``; migrations in ``migrations.py`` are recorded in the ``migrations`` table):
``articles`` (text, metadata, minhash, duplicate_of) + full-text index (FTS5 external content on
SQLite, generated tsvector + GIN on PostgreSQL); per article ``sentences``, ``mentions``,
``toponyms``, ``timexes`` keyed by (article_id, idx); shared ``actors``, ``places``, ``actor_keys``;
``events`` with filterable columns (type, modality, confidence, date_start/date_end/date_class,
lat/lon, location country); ``event_actors`` (role, order) and ``attributions`` (chain order).
Saved alerts (``wirewatch.watch``): ``alerts`` (migration 0003; SQL in ``alerts.py``), whose cursor
is ``events.pk``, the insertion sequence.
Load-test data and timings live with the benchmarks: ``scripts/synthetic_events.py`` and
``scripts/store_loadtest.py``.
"""

from wirewatch.store.core import AGGREGATES, DEFAULT_URL, ORDERS, Store, normalize_url

__all__ = ["AGGREGATES", "DEFAULT_URL", "ORDERS", "Store", "normalize_url"]

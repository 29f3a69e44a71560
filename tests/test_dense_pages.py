"""Dense pages read the short way equal the plain queries: map pages from the newest days of the
window (store/map_window.py) give the same features in the same order and the same exact total, on
both maps, with points on and just past the bbox's edges and periods that cross an end of the window;
an incident list paged and counted in one pass equals the list and the count read apart."""

from __future__ import annotations

import random
import sqlite3
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from synthetic_events import seed_synthetic

from wirewatch.query import EventFilter
from wirewatch.store import Store, map_window
from wirewatch.store.filters import tree_box
from wirewatch.store.incidents_read import _MAP_TABLE

BOX = (30.0, 30.0, 45.0, 40.0)  # w, s, e, n: the Levant and Mesopotamia, where the generator is dense


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("mapwin") / "m.db"
    with Store.open(f"sqlite:///{path}") as st:
        seed_synthetic(st, 3000, seed=5)
        _edge_cases(st)
        yield st


def _edge_cases(st: Store) -> None:
    """Rows the R*Tree holds wrongly or that straddle the window: float32 rounding puts a point 1e-7
    past an edge inside the tree's box; undated and reversed periods; points exactly on the edges."""
    w, s, e, n = BOX
    rng = random.Random(3)
    with st.engine.begin() as conn:
        for table in ("incidents", "events"):
            ids = [r[0] for r in conn.exec_driver_sql(
                f"SELECT rowid FROM {table} WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?"
                " AND date_start IS NOT NULL ORDER BY rowid", (s, n, w, e))]
            assert len(ids) > 200, table
            picks = rng.sample(ids, 80)
            sets = [("lat", s - 1e-7), ("lat", n + 1e-7), ("lon", w - 1e-7), ("lon", e + 1e-7),
                    ("lat", s), ("lat", n), ("lon", w), ("lon", e)]
            for k, rowid in enumerate(picks[:40]):
                col, value = sets[k % len(sets)]
                conn.exec_driver_sql(f"UPDATE {table} SET {col} = ? WHERE rowid = ?", (value, rowid))
            for rowid in picks[40:50]:
                conn.exec_driver_sql(f"UPDATE {table} SET date_end = NULL WHERE rowid = ?", (rowid,))
            for rowid in picks[50:60]:  # reversed: ends two years before it starts
                conn.exec_driver_sql(f"UPDATE {table} SET date_end = date(date_start, '-730 days')"
                                     " WHERE rowid = ?", (rowid,))
            for rowid in picks[60:70]:
                conn.exec_driver_sql(f"UPDATE {table} SET date_start = NULL WHERE rowid = ?", (rowid,))
            for rowid in picks[70:80]:  # a long period (a year's precision) across the window's ends
                conn.exec_driver_sql(f"UPDATE {table} SET date_end = date(date_start, '+400 days')"
                                     " WHERE rowid = ?", (rowid,))


def _filters() -> list[tuple[EventFilter, str, int, int]]:
    w, s, e, n = BOX
    rng = random.Random(11)
    out = []
    for _ in range(40):
        start = date(2010, 1, 1) + timedelta(days=rng.randint(0, 4000))
        end = start + timedelta(days=rng.choice([200, 700, 2000, 5000]))
        box = rng.choice([BOX, (w, s, e, n), (w + 2.5, s + 1.5, e - 3.0, n - 2.0)])
        out.append((EventFilter(bbox=box, date_from=start, date_to=end), rng.choice(["-date", "date"]),
                    rng.choice([5, 20, 60]), rng.choice([0, 0, 7, 40])))
    return out


@pytest.mark.parametrize("method", ["incident_map_page", "event_map_page"])
def test_dense_pages_equal_the_plain_query(store, method, monkeypatch):
    paged = []
    window_page = map_window.window_page

    def counted(*args, **kwargs):
        got = window_page(*args, **kwargs)
        paged.append(got is not None)
        return got

    monkeypatch.setattr(map_window, "window_page", counted)
    for flt, order, limit, offset in _filters():
        fast = getattr(store, method)(flt, limit=limit, offset=offset, order=order)
        with monkeypatch.context() as m:
            m.setattr(map_window, "pages_here", lambda *a: False)
            plain = getattr(store, method)(flt, limit=limit, offset=offset, order=order)
        assert fast == plain, (flt, order, limit, offset)
    assert sum(paged) >= 12, paged  # most of these windows are dense enough to be paged from their end


def test_exact_total_reads_the_doubtful_rows(store):
    """The tree's count of the box holds the points 1e-7 past its edges; the exact total does not."""
    flt = EventFilter(bbox=BOX, date_from=date(2000, 1, 1), date_to=date(2030, 1, 1))
    with store.engine.connect() as conn:
        in_tree = conn.execute(select(func.count()).select_from(_MAP_TABLE.tree)
                               .where(*tree_box(_MAP_TABLE.tree, flt))).scalar_one()
        exact = map_window.exact_total(conn, _MAP_TABLE, flt, in_tree)
        plain = conn.exec_driver_sql(
            "SELECT count(*) FROM incidents WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?"
            " AND date_start <= '2030-01-01' AND date_end >= '2000-01-01'",
            (BOX[1], BOX[3], BOX[0], BOX[2])).scalar_one()
    assert exact == plain
    assert in_tree > exact  # the tree did hold rows the exact clauses refuse


def test_only_a_bbox_and_a_whole_window_are_paged_from_the_end():
    window = {"bbox": BOX, "date_from": date(2015, 1, 1), "date_to": date(2016, 1, 1)}
    assert map_window.pages_here(EventFilter(**window), "-date")
    assert not map_window.pages_here(EventFilter(**window), "confidence")
    assert not map_window.pages_here(EventFilter(**{**window, "date_to": None}), "-date")
    assert not map_window.pages_here(EventFilter(**window, types=("ASSAULT",)), "-date")
    assert not map_window.pages_here(EventFilter(**{**window, "bbox": (170.0, -10.0, -170.0, 10.0)}), "date")


@pytest.mark.parametrize("params", [
    {"type": "ASSAULT", "country": "SYR", "text": "shelled"},
    {"type": "ACCUSE,PROTEST", "country": "IRQ,SYR", "text": "troops"},
    {"type": "ASSAULT", "text": "attacked"},
    {"country": "SYR", "modality": "asserted"},
    {"text": "ceasefire"},
    {"type": "ASSAULT"},
])
def test_incident_page_and_count_in_one_pass(store, params):
    flt = EventFilter.from_params(**params)
    n = store.count_incidents(flt)
    assert n > 0, params
    for order in ("-date", "date", "-reports"):
        for limit, offset in ((50, 0), (7, 3), (5, n - 2), (10, n + 5), (0, 0)):
            got = store.incident_page(flt, limit=limit, offset=offset, order=order)
            assert got == (store.incidents(flt, limit=limit, offset=offset, order=order), n), \
                (params, order, limit, offset)


def test_0040_gives_its_index_statistics_where_the_others_have_them(tmp_path):
    """Without its own row in sqlite_stat1 the planner took the new index for a type + date timeline."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with Store.open(url) as st:
        seed_synthetic(st, 300, seed=2)  # optimize() at the end: every index has statistics
    raw = sqlite3.connect(tmp_path / "old.db")
    raw.execute("DROP INDEX ix_incidents_type_country_id")
    raw.execute("CREATE INDEX ix_incidents_type_country ON incidents (event_type, country, date_start)")
    raw.execute("DELETE FROM migrations WHERE name = '0040_incident_type_country_id'")
    raw.commit()
    with Store.open(url) as st:
        assert "0040_incident_type_country_id" in st.migrations()
    names = {r[0] for r in raw.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'incidents'")}
    assert "ix_incidents_type_country_id" in names and "ix_incidents_type_country" not in {
        r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    raw.close()

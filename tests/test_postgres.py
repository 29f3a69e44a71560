"""Every store test of test_store.py, on PostgreSQL, plus PostgreSQL specifics.

Runs when ``WIREWATCH_TEST_PG_URL`` is set (CI: ``export WIREWATCH_TEST_PG_URL=$(scripts/start_postgres.sh
| tail -n1)``); each test gets a fresh database created on that server and dropped afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from helpers import fresh_pg_schema
from sqlalchemy import text
from sqlalchemy.engine import make_url
from test_store import *  # noqa: F403  (the shared tests, collected again here with the fixture below)
from test_store import aleppo_article, kobani_article

from wirewatch.query import EventFilter
from wirewatch.store import Store

PG_URL = os.environ.get("WIREWATCH_TEST_PG_URL")
REQUIRED = os.environ.get("WIREWATCH_REQUIRE_PG") == "1"  # CI: fail, never skip, without a server

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL and not REQUIRED,
                       reason="set WIREWATCH_TEST_PG_URL (scripts/start_postgres.sh)"),
]


def _fresh_schema() -> Iterator[str]:
    assert PG_URL, "WIREWATCH_REQUIRE_PG=1 but WIREWATCH_TEST_PG_URL is not set"
    yield from fresh_pg_schema(PG_URL)


@pytest.fixture
def store_url() -> Iterator[str]:
    yield from _fresh_schema()


@pytest.fixture(scope="module")
def shared_url() -> Iterator[str]:
    yield from _fresh_schema()


def test_pg_url_uses_psycopg(store_url):
    with Store.open(store_url) as st:
        assert st.dialect == "postgresql"
        assert st.engine.url.drivername == "postgresql+psycopg"
        assert "***" in st.url  # password hidden in the printable URL


def test_pg_tsvector_and_gin(store_url):
    with Store.open(store_url) as st:
        st.add_analyzed(kobani_article())
        st.add_analyzed(aleppo_article())
        with st.engine.connect() as conn:
            gen = conn.execute(text(
                "SELECT is_generated FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = 'articles' AND column_name = 'tsv'"
            )).scalar_one()
            assert gen == "ALWAYS"
            idx = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                                   "AND indexname = 'ix_articles_tsv'"))
            assert "gin" in idx.scalar_one().lower()
        # English stemming: "shell" finds "shelled"
        assert [e["id"] for e in st.events(EventFilter(text="shell"))] == ["ev_shell_art-aleppo"]


def test_pg_bad_server_is_user_error():
    from wirewatch.errors import UserError

    assert PG_URL
    bad = make_url(PG_URL).set(port=1, password="wrong").render_as_string(hide_password=False)
    with pytest.raises(UserError, match="cannot open database"):
        Store.open(bad)

"""Test helpers shared by several test files (not fixtures)."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from pathlib import Path

ACTORS = ["Syrian army troops", "Kurdish fighters", "Iraqi police", "Houthi rebels", "Ukrainian forces",
          "Sudanese paramilitaries", "Nigerian soldiers", "Somali militants", "Afghan police",
          "Malian troops"]
VERBS = ["attacked", "shelled", "besieged", "raided", "bombed", "ambushed"]
PLACES = ["Aleppo", "Mosul", "Sanaa", "Kharkiv", "Khartoum", "Maiduguri", "Mogadishu", "Kandahar",
          "Gao", "Homs", "Kirkuk", "Taiz"]
TAILS = ["Officials said at least {n} people were killed.", "Residents fled as {n} houses burned.",
         "The United Nations called for calm after {n} civilians were wounded.",
         "Aid groups said {n} families were displaced."]


def synthetic_news(n: int, seed: int = 7) -> list[dict]:
    """``n`` distinct short news articles (distinct enough not to be near-duplicates)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        sentences = []
        for _ in range(4):
            sentences.append(f"{rng.choice(ACTORS)} {rng.choice(VERBS)} positions near {rng.choice(PLACES)} "
                             f"on {rng.choice(['Monday', 'Tuesday', 'Friday'])}.")
            sentences.append(rng.choice(TAILS).format(n=rng.randint(2, 400)))
        out.append({"text": f"Report {i}: " + " ".join(sentences), "published": f"2023-0{1 + i % 9}-15",
                    "url": f"https://news.example/{i}"})
    return out


def find_span(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """Offsets of the ``nth`` occurrence of ``needle`` in ``text`` (for building records by hand)."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def pg_server_or_skip() -> str:
    """The PostgreSQL test server (``WIREWATCH_TEST_PG_URL``); without one the test is skipped, or
    fails where ``WIREWATCH_REQUIRE_PG=1`` (CI: never skip silently)."""
    import os

    import pytest

    url = os.environ.get("WIREWATCH_TEST_PG_URL")
    if not url:
        if os.environ.get("WIREWATCH_REQUIRE_PG") == "1":
            pytest.fail("WIREWATCH_REQUIRE_PG=1 but WIREWATCH_TEST_PG_URL is not set")
        pytest.skip("set WIREWATCH_TEST_PG_URL (scripts/start_postgres.sh) to run PostgreSQL tests")
    return url


def fresh_pg_schema(server_url: str) -> Iterator[str]:
    """A fresh, empty schema on a PostgreSQL test server (``search_path`` set in the URL it yields;
    dropped afterwards). Cheaper than a database and isolates tests just as well."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from wirewatch.store import normalize_url

    admin = create_engine(normalize_url(server_url), isolation_level="AUTOCOMMIT")
    name = f"ww_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={name}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


def as_extracted(record: dict) -> dict:
    """A stored event record as the pipeline gives it: ``incident`` is None (the store links it)."""
    assert str(record.get("incident") or "inc_").startswith("inc_")
    return {**record, "incident": None}

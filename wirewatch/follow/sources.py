"""Followed sources (feeds, sitemaps) saved in the store, their fetch health, and the items seen in
each (tables ``sources`` and ``source_items``, migration 0011)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import select, update

from wirewatch.errors import UserError
from wirewatch.store import schema as s

if TYPE_CHECKING:
    from wirewatch.store import Store

MAX_ATTEMPTS = 3  # a failing item is tried this many times (one per run), then left alone


@dataclass(frozen=True)
class Source:
    """A followed URL and its health: last fetch / success, last error, consecutive failures."""

    url: str
    added: datetime
    allow_private: bool = False
    etag: str | None = None
    last_modified: str | None = None
    last_fetch: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None
    failures: int = 0
    items: int = 0

    @property
    def healthy(self) -> bool:
        return self.failures == 0

    def to_dict(self) -> dict[str, Any]:
        def iso(d: datetime | None) -> str | None:
            return d.isoformat() if d else None

        return {"url": self.url, "added": iso(self.added), "allow_private": self.allow_private,
                "last_fetch": iso(self.last_fetch), "last_success": iso(self.last_success),
                "last_error": self.last_error, "consecutive_failures": self.failures,
                "items": self.items, "healthy": self.healthy}


def _utc(d: datetime | None) -> datetime | None:
    return d.replace(tzinfo=UTC) if d is not None and d.tzinfo is None else d


def _source(r: Any) -> Source:
    return Source(r.url, _utc(r.added) or r.added, bool(r.allow_private), r.etag, r.last_modified,
                  _utc(r.last_fetch), _utc(r.last_success), r.last_error, int(r.failures), int(r.items))


def check_source_url(url: str) -> str:
    """The URL, stripped, if it is an http(s) URL with a host; else UserError (no DNS here)."""
    if not isinstance(url, str):
        raise UserError("a source URL must be a string")
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (validates the port)
    except ValueError:
        raise UserError(f"bad URL {url!r}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UserError(f"bad source {url!r}: give an http:// or https:// feed or sitemap URL")
    if len(url) > 2000:
        raise UserError("source URL longer than 2000 characters")
    return url


def add_source(store: Store, url: str, allow_private: bool = False) -> tuple[Source, bool]:
    """Follow ``url``; returns (source, created). Adding a followed URL again changes nothing."""
    url = check_source_url(url)
    with store._write() as conn:
        row = conn.execute(select(s.sources).where(s.sources.c.url == url)).first()
        if row is not None:
            return _source(row), False
        conn.execute(s.sources.insert().values(url=url, added=datetime.now(UTC), allow_private=allow_private,
                                               failures=0, items=0))
        return _source(conn.execute(select(s.sources).where(s.sources.c.url == url)).one()), True


def list_sources(store: Store, urls: Iterable[str] | None = None) -> list[Source]:
    """The followed sources (those in ``urls`` only, when given; UserError naming unknown ones)."""
    q = select(s.sources).order_by(s.sources.c.url)
    wanted = None if urls is None else [check_source_url(u) for u in urls]
    if wanted is not None:
        q = q.where(s.sources.c.url.in_(wanted))
    with store._read() as conn:
        found = [_source(r) for r in conn.execute(q)]
    if wanted is not None:
        missing = sorted(set(wanted) - {x.url for x in found})
        if missing:
            raise UserError(f"not followed: {', '.join(missing)}; see `wirewatch follow list`")
    return found


def remove_source(store: Store, url: str) -> bool:
    """Stop following ``url`` (its seen items are forgotten too); False when it was not followed."""
    url = check_source_url(url)
    with store._write() as conn:
        conn.execute(s.source_items.delete().where(s.source_items.c.source == url))
        return conn.execute(s.sources.delete().where(s.sources.c.url == url)).rowcount > 0


def record_fetch(store: Store, url: str, error: str | None, etag: str | None = None,
                 last_modified: str | None = None, new_items: int = 0) -> None:
    """Update a source's health after a fetch (``error`` None = success)."""
    now = datetime.now(UTC)
    src = s.sources
    values: dict[str, Any] = {"last_fetch": now}
    if error is None:
        values |= {"last_success": now, "last_error": None, "failures": 0,
                   "items": src.c["items"] + new_items}
        if etag is not None or last_modified is not None:
            values |= {"etag": etag, "last_modified": last_modified}
    else:
        values |= {"last_error": error[:1000], "failures": src.c.failures + 1}
    with store._write() as conn:
        conn.execute(update(src).where(src.c.url == url).values(**values))


def seen(store: Store, source: str, digests: list[str]) -> dict[str, tuple[str, int]]:
    """digest -> (status, attempts) for the items of ``source`` already seen."""
    t = s.source_items
    out: dict[str, tuple[str, int]] = {}
    with store._read() as conn:
        for i in range(0, len(digests), 500):
            q = select(t.c.item, t.c.status, t.c.attempts).where(
                t.c.source == source, t.c.item.in_(digests[i:i + 500]))
            out |= {r.item: (r.status, int(r.attempts)) for r in conn.execute(q)}
    return out


def mark(store: Store, source: str, digest: str, url: str | None, status: str,
         article_id: str | None = None, error: str | None = None) -> None:
    """Record what became of one item (stored | duplicate | skipped | failed)."""
    t = s.source_items
    with store._write() as conn:
        old = conn.execute(select(t.c.attempts).where(t.c.source == source, t.c.item == digest)).first()
        attempts = (int(old.attempts) if old else 0) + 1
        conn.execute(t.delete().where(t.c.source == source, t.c.item == digest))
        conn.execute(t.insert().values(source=source, item=digest, url=url, article_id=article_id,
                                       status=status, attempts=attempts,
                                       error=error[:1000] if error else None, seen=datetime.now(UTC)))

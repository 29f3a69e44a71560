"""One follow cycle: fetch each saved source (conditional GET), find the items not seen before,
fetch each new item's page (trafilatura for the text; the feed's title/date/url/source kept), run the
pipeline in batches and store, idempotently: an item is looked up by its article id (the canonical
URL's hash) before its page is fetched, and marked seen once stored, so a restart never fetches or
stores one twice. A bad source or item is recorded and the cycle goes on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from wirewatch.follow import sources as src
from wirewatch.follow.feeds import Feed, FeedError, FeedItem, check_content_type, parse_feed
from wirewatch.follow.fetch import Fetcher, FetchError, Limits
from wirewatch.ingest.dedupe import NearDuplicateIndex, minhash, to_bytes
from wirewatch.ingest.identity import article_id
from wirewatch.records import Article

log = logging.getLogger(__name__)
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
               "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, text/plain;q=0.8, */*;q=0.5"
MAX_CHILD_SITEMAPS = 50


@dataclass
class FollowSummary:
    """What one cycle did."""

    sources: int = 0
    not_modified: int = 0
    new_items: int = 0
    stored: int = 0
    duplicates: int = 0
    events: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    stopped: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"sources": self.sources, "not_modified": self.not_modified, "new_items": self.new_items,
                "stored": self.stored, "duplicates": self.duplicates, "events": self.events,
                "failed": [{"where": w, "reason": r} for w, r in self.failed],
                "seconds": round(self.seconds, 2), "stopped": self.stopped}


def page_article(html: bytes, item: FeedItem, feed_title: str | None, origin: str) -> Article:
    """The Article of an item's page: trafilatura's text (the feed's summary when the page has none),
    the feed's url/title/date/source first, the page's metadata where the feed has none."""
    import trafilatura

    from wirewatch.ingest.readers import parse_published

    doc = trafilatura.bare_extraction(html.decode("utf-8", "replace") if html else "", url=item.url,
                                      with_metadata=True, include_comments=False) if html else None
    text = (doc.text or "").strip() if doc is not None else ""
    if not text and item.summary:
        text = item.summary
    if not text:
        raise FeedError("no article text on the page or in the feed entry")
    published = item.published
    if published is None and doc is not None and doc.date:
        try:
            published = parse_published(doc.date, origin)
        except Exception:  # a page's odd date is not worth losing the article
            published = None
    title = item.title or (doc.title if doc is not None else None)
    source = feed_title or (doc.sitename if doc is not None else None)
    return Article(id=article_id(text, item.url), text=text, url=item.url, title=title, source=source,
                   published=published, origin=origin)


class Follower:
    """Runs follow cycles over the store's saved sources with one guarded fetcher and a lazily loaded
    pipeline. ``stop`` (a threading.Event) ends a cycle between items (SIGTERM)."""

    def __init__(self, store: Any, pipeline: Any | Callable[[], Any], limits: Limits | None = None,
                 allow_private: bool = False, workers: int = 2, batch: int = 16,
                 max_items: int = 1000, stop: threading.Event | None = None,
                 fetcher: Fetcher | None = None) -> None:
        self.store = store
        self._pipeline = pipeline
        self.fetcher = fetcher or Fetcher(limits or Limits(), allow_private=allow_private)
        self.allow_private = allow_private
        self.workers = max(1, workers)
        self.batch = max(1, batch)
        self.max_items = max_items
        self.stop = stop or threading.Event()
        self._index: NearDuplicateIndex | None = None

    def close(self) -> None:
        self.fetcher.close()

    @property
    def pipeline(self) -> Any:
        if callable(self._pipeline) and not hasattr(self._pipeline, "analyze_many"):
            self._pipeline = self._pipeline()
        return self._pipeline

    def _fetcher_for(self, source: src.Source) -> Fetcher:
        if source.allow_private and not self.fetcher.allow_private:
            return Fetcher(self.fetcher.limits, allow_private=True, user_agent=self.fetcher.user_agent,
                           resolver=self.fetcher.resolver, robots=self.fetcher.robots,
                           policy=self.fetcher.policy)
        return self.fetcher

    def run_once(self, urls: Iterable[str] | None = None) -> FollowSummary:
        """One cycle over every saved source (or ``urls``, which must be saved)."""
        started = time.perf_counter()
        summary = FollowSummary()
        for source in src.list_sources(self.store, urls):
            if self.stop.is_set():
                summary.stopped = True
                break
            summary.sources += 1
            fetcher = self._fetcher_for(source)
            try:
                self._follow(source, fetcher, summary)
            except (FetchError, FeedError) as exc:
                reason = exc.reason if isinstance(exc, FetchError) else str(exc)
                log.info("source %s failed: %s", source.url, reason)
                summary.failed.append((source.url, reason))
                src.record_fetch(self.store, source.url, reason)
            finally:
                if fetcher is not self.fetcher:
                    fetcher.close()
        summary.stopped = summary.stopped or self.stop.is_set()
        summary.seconds = time.perf_counter() - started
        return summary

    # -- one source ----------------------------------------------------------------------------
    def _load(self, url: str, fetcher: Fetcher, etag: str | None = None,
              modified: str | None = None) -> tuple[Feed | None, Any]:
        resp = fetcher.get(url, etag, modified, accept=FEED_ACCEPT)
        if resp.not_modified:
            return None, resp
        check_content_type(resp.content_type, url)
        return parse_feed(resp.content, resp.url), resp

    def _follow(self, source: src.Source, fetcher: Fetcher, summary: FollowSummary) -> None:
        feed, resp = self._load(source.url, fetcher, source.etag, source.last_modified)
        if feed is None:
            summary.not_modified += 1
            src.record_fetch(self.store, source.url, None)
            return
        items = list(feed.items)
        for child in feed.sitemaps[:MAX_CHILD_SITEMAPS]:  # a sitemap index: one level of children
            try:
                sub, _ = self._load(child, fetcher)
            except (FetchError, FeedError) as exc:
                summary.failed.append((child, exc.reason if isinstance(exc, FetchError) else str(exc)))
                continue
            if sub is not None:
                items.extend(sub.items)
        by_digest = {i.digest: i for i in items}
        known = src.seen(self.store, source.url, list(by_digest))
        new = [i for d, i in by_digest.items()
               if d not in known or (known[d][0] == "failed" and known[d][1] < src.MAX_ATTEMPTS)]
        new = new[: self.max_items]
        summary.new_items += len(new)
        stored_before = summary.stored
        for start in range(0, len(new), self.batch):
            if self.stop.is_set():
                break
            self._batch(source, fetcher, feed.title, new[start:start + self.batch], summary)
        src.record_fetch(self.store, source.url, None, resp.etag, resp.last_modified,
                         summary.stored - stored_before)

    def _fetch_item(self, source: src.Source, fetcher: Fetcher, feed_title: str | None,
                    item: FeedItem) -> Article | str:
        try:
            html = b""
            if item.url:
                resp = fetcher.get(item.url, accept=PAGE_ACCEPT)
                check_content_type(resp.content_type, item.url)
                html = resp.content
            return page_article(html, item, feed_title, source.url)
        except FetchError as exc:
            return exc.reason
        except FeedError as exc:
            return str(exc)

    def _batch(self, source: src.Source, fetcher: Fetcher, feed_title: str | None,
               items: list[FeedItem], summary: FollowSummary) -> None:
        todo: list[FeedItem] = []
        for item in items:
            if item.url and self.store.has_article(article_id("", item.url)):
                src.mark(self.store, source.url, item.digest, item.url, "duplicate", article_id("", item.url))
                summary.duplicates += 1
            else:
                todo.append(item)
        with ThreadPoolExecutor(self.workers) as pool:
            fetched = list(pool.map(lambda it: self._fetch_item(source, fetcher, feed_title, it), todo))
        articles: list[tuple[FeedItem, Article, bytes]] = []
        index = self._dedupe_index()
        for item, got in zip(todo, fetched, strict=True):
            if isinstance(got, str):
                log.info("item %s failed: %s", item.url or item.key, got)
                summary.failed.append((item.url or item.key, got))
                src.mark(self.store, source.url, item.digest, item.url, "failed", error=got)
                continue
            if self.store.has_article(got.id):
                src.mark(self.store, source.url, item.digest, item.url, "duplicate", got.id)
                summary.duplicates += 1
                continue
            mh = minhash(got.text)
            original = index.find(mh)
            if original is not None:
                self.store.add_duplicate(got, original)
                src.mark(self.store, source.url, item.digest, item.url, "duplicate", got.id)
                summary.duplicates += 1
                continue
            index.add(got.id, mh)
            articles.append((item, got, to_bytes(mh)))
        if not articles:
            return
        try:
            analyzed = list(self.pipeline.analyze_many([a for _, a, _ in articles]))
        except Exception:  # one bad article must not sink the batch: one by one
            log.exception("batch analysis failed; retrying one by one")
            analyzed = []
            for item, art, _ in articles:
                try:
                    analyzed.append(self.pipeline.analyze(art))
                except Exception as exc:
                    summary.failed.append((item.url or item.key, f"analysis failed: {exc}"))
                    src.mark(self.store, source.url, item.digest, item.url, "failed", error=str(exc))
        by_id = {a.id: (item, sig) for item, a, sig in articles}
        for result in analyzed:
            item, sig = by_id[result.article.id]
            if self.store.add_analyzed(result, sig):
                summary.stored += 1
                summary.events += len(result.events)
            src.mark(self.store, source.url, item.digest, item.url, "stored", result.article.id)

    def _dedupe_index(self) -> NearDuplicateIndex:
        if self._index is None:
            self._index = NearDuplicateIndex()
            self._index.load(self.store.minhashes())
        return self._index

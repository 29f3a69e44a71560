"""Feeds and sitemaps parsed from fetched BYTES (never from a URL or a path): RSS / Atom (feedparser,
handed a byte stream so it cannot fetch or open anything), JSON Feed 1.x, sitemaps and sitemap
indexes (lxml with entities, DTDs and the network off; a DOCTYPE is refused outright).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urljoin

MAX_ITEMS = 5000  # per feed / sitemap: a bigger one is cut, with a warning from the caller
_HTML_TAG = re.compile(r"<[^>]+>")
_WS = re.compile(r"[ \t\r\f\v]+")
_BAD_TYPES = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip",
              "application/octet-stream", "application/gzip", "application/x-")


class FeedError(ValueError):
    """Not a feed we can read (one line: why)."""


@dataclass(frozen=True)
class FeedItem:
    """One entry: ``key`` identifies it in its source (id, else link); metadata from the feed."""

    key: str
    url: str | None
    title: str | None = None
    published: date | None = None
    summary: str | None = None  # plain text of the entry's content/summary, when the feed has any

    @property
    def digest(self) -> str:
        return hashlib.sha1(self.key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Feed:
    """A parsed feed: ``kind`` rss | atom | json | sitemap | sitemapindex; ``sitemaps``: the child
    sitemaps of an index."""

    kind: str
    title: str | None
    items: tuple[FeedItem, ...] = ()
    sitemaps: tuple[str, ...] = ()
    truncated: bool = False


def check_content_type(content_type: str, what: str) -> None:
    """FeedError for a media type that cannot be a feed or a page (images, archives, binaries)."""
    ctype = content_type.split(";")[0].strip().lower()
    if ctype and ctype.startswith(_BAD_TYPES) and "xml" not in ctype and "json" not in ctype:
        raise FeedError(f"{what} has content type {ctype!r}, not a feed or a web page")


def parse_feed(data: bytes, base_url: str) -> Feed:
    """Parse ``data`` as JSON Feed, sitemap(index) or RSS/Atom (sniffed from the bytes)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head:
        raise FeedError("empty response, not a feed")
    if head.startswith(b"{"):
        return _json_feed(data, base_url)
    if b"<urlset" in head or b"<sitemapindex" in head:
        return _sitemap(data, base_url)
    return _rss_atom(data, base_url)


def _date(value: Any) -> date | None:
    if value is None:
        return None
    if hasattr(value, "tm_year"):
        try:
            return date(value.tm_year, value.tm_mon, value.tm_mday)
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(str(value).strip().replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            return None


def html_to_text(html: str) -> str:
    """Plain text of a small HTML fragment (feed summaries), tags dropped, entities decoded."""
    import html as htmllib

    text = _HTML_TAG.sub(" ", html) if "<" in html else html
    lines = (_WS.sub(" ", line).strip() for line in htmllib.unescape(text).splitlines())
    return "\n".join(line for line in lines if line)


def _str(value: Any, limit: int = 2000) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:limit]


def _item(key: Any, url: Any, title: Any, published: Any, summary: Any, base: str) -> FeedItem | None:
    link = _str(url, 4000)
    link = urljoin(base, link) if link else None
    ident = _str(key, 4000) or link
    if not ident:
        return None
    text = html_to_text(summary) if isinstance(summary, str) and summary.strip() else None
    return FeedItem(ident, link, _str(title), _date(published), text or None)


def _finish(kind: str, title: Any, items: list[FeedItem], sitemaps: list[str] = ()) -> Feed:  # type: ignore[assignment]
    unique = list({i.key: i for i in items}.values())
    return Feed(kind, _str(title), tuple(unique[:MAX_ITEMS]), tuple(list(sitemaps)[:MAX_ITEMS]),
                truncated=len(unique) > MAX_ITEMS or len(sitemaps) > MAX_ITEMS)


def _json_feed(data: bytes, base: str) -> Feed:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise FeedError(f"bad JSON Feed: {str(exc)[:120]}") from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith("https://jsonfeed.org/"):
        raise FeedError("JSON without a JSON Feed \"version\", not a feed")
    raw = doc.get("items")
    if not isinstance(raw, list):
        raise FeedError("JSON Feed without an \"items\" list")
    items = []
    for it in raw:
        if not isinstance(it, dict):
            continue
        summary = it.get("content_text") or it.get("content_html") or it.get("summary")
        item = _item(it.get("id"), it.get("url") or it.get("external_url"), it.get("title"),
                     it.get("date_published") or it.get("date_modified"), summary, base)
        if item:
            items.append(item)
    return _finish("json", doc.get("title"), items)


def _sitemap(data: bytes, base: str) -> Feed:
    from lxml import etree

    if b"<!doctype" in data[:8192].lower() or b"<!entity" in data.lower():
        raise FeedError("sitemap with a DOCTYPE/ENTITY declaration refused (XXE / entity expansion)")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             dtd_validation=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"malformed sitemap XML: {str(exc)[:120]}") from None

    def local(el: Any) -> str:
        tag = el.tag if isinstance(el.tag, str) else ""
        return tag.rsplit("}", 1)[-1]

    def child(el: Any, name: str) -> Any:
        for c in el.iter():
            if c is not el and local(c) == name:
                return c
        return None

    def text(el: Any) -> str | None:
        return el.text.strip() if el is not None and el.text else None

    if local(root) == "sitemapindex":
        locs = [text(child(sm, "loc")) for sm in root if local(sm) == "sitemap"]
        return _finish("sitemapindex", None, [], [urljoin(base, x) for x in locs if x])
    if local(root) != "urlset":
        raise FeedError(f"XML root <{local(root)}> is not a sitemap")
    items = []
    for u in root:
        if local(u) != "url":
            continue
        loc = text(child(u, "loc"))
        when = text(child(u, "publication_date")) or text(child(u, "lastmod"))
        item = _item(loc, loc, text(child(u, "title")), when, None, base)
        if item:
            items.append(item)
    return _finish("sitemap", None, items)


def _rss_atom(data: bytes, base: str) -> Feed:
    import feedparser

    if b"<!entity" in data[:200_000].lower():  # real feeds never declare entities; bombs and XXE do
        raise FeedError("feed declares XML entities (refused: entity expansion / XXE)")

    # A byte *stream*: feedparser reads it and never treats it as a URL or a file name.
    parsed = feedparser.parse(io.BytesIO(data), response_headers={"content-location": base},
                              resolve_relative_uris=False, sanitize_html=True)
    version = parsed.get("version") or ""
    if not parsed.entries and not version:
        reason = parsed.get("bozo_exception")
        raise FeedError(f"not an RSS/Atom feed{f' ({str(reason)[:100]})' if reason else ''}")
    items = []
    for e in parsed.entries:
        summary = (e.get("content") or [{}])[0].get("value") or e.get("summary")
        item = _item(e.get("id"), e.get("link"), e.get("title"),
                     e.get("published_parsed") or e.get("updated_parsed"), summary, base)
        if item:
            items.append(item)
    if parsed.get("bozo") and not items:  # broken XML with nothing usable in it
        reason = str(parsed.get("bozo_exception") or "not well-formed")[:100]
        raise FeedError(f"malformed feed XML ({reason})")
    return _finish("atom" if version.startswith("atom") else "rss", parsed.feed.get("title"), items)

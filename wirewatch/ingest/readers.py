"""Readers for every input kind: .txt (+ sibling .json metadata), .html, .json, .jsonl, feeds, folders,
stdin. Each yields :class:`Article` or, for an input that cannot be read, an :class:`InputError` naming
the file (and line) so the rest of the batch goes on."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from wirewatch.errors import InputError
from wirewatch.ingest.identity import article_id
from wirewatch.ingest.warc import is_warc, read_warc
from wirewatch.records import Article

MAX_BYTES = int(os.environ.get("WIREWATCH_MAX_BYTES", str(10 * 1024 * 1024)))
TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
KNOWN_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES | {".json", ".jsonl", ".ndjson"}
META_KEYS = ("published", "url", "title", "source", "language")

Item = Article | InputError


def read_articles(paths: Iterable[str | Path], published: date | None = None) -> Iterator[Item]:
    """Yield every article found under ``paths`` (``-`` is stdin), in a stable order.

    ``published`` overrides the publication date of articles that carry none.
    """
    for raw in paths:
        for item in _read_path(str(raw)):
            if published and isinstance(item, Article) and item.published is None:
                item = replace(item, published=published)
            yield item


def _read_path(raw: str) -> Iterator[Item]:
    if raw == "-":
        yield from _read_bytes(sys.stdin.buffer.read(), "<stdin>", suffix=None)
        return
    path = Path(raw)
    if path.is_dir():
        yield from _read_folder(path)
        return
    if not path.exists():
        yield InputError(raw, "no such file or folder")
        return
    yield from _read_file(path)


def _read_folder(folder: Path) -> Iterator[Item]:
    try:
        files = sorted(p for p in folder.rglob("*")
                       if p.is_file() and (p.suffix.lower() in KNOWN_SUFFIXES or is_warc(p)))
    except OSError as exc:
        yield InputError(str(folder), f"cannot list folder ({exc.strerror})")
        return
    names = {p.with_suffix("") for p in files if p.suffix.lower() in TEXT_SUFFIXES}
    for path in files:
        if path.suffix.lower() == ".json" and path.with_suffix("") in names:
            continue  # sibling metadata of a .txt, read with it
        yield from _read_file(path)


def _read_file(path: Path) -> Iterator[Item]:
    where = str(path)
    if is_warc(path):  # streamed record by record; the size limit applies per record
        yield from read_warc(path, MAX_BYTES)
        return
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            yield InputError(
                where,
                f"file is {size / 1e6:.1f} MB, over the {MAX_BYTES / 1e6:.0f} MB limit "
                "(split it, or raise WIREWATCH_MAX_BYTES)",
            )
            return
        data = path.read_bytes()
    except OSError as exc:
        yield InputError(where, f"cannot read ({exc.strerror or exc})")
        return
    yield from _read_bytes(data, where, path.suffix.lower(), path)


def _decode(data: bytes, where: str) -> str:
    if len(data) > MAX_BYTES:
        raise InputError(where, f"input is {len(data) / 1e6:.1f} MB, over the {MAX_BYTES / 1e6:.0f} MB limit")
    if b"\x00" in data[:8192]:
        raise InputError(where, "binary file, not text (expected UTF-8 .txt, .html, .json or .jsonl)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(where, f"not valid UTF-8 at byte {exc.start} (re-save the file as UTF-8)") from exc
    if not text.strip():
        raise InputError(where, "empty file, no text to read")
    return text


def _read_bytes(data: bytes, where: str, suffix: str | None, path: Path | None = None) -> Iterator[Item]:
    try:
        text = _decode(data, where)
    except InputError as err:
        yield err
        return
    if suffix is None:  # stdin: sniff
        head = text.lstrip()[:200].lower()
        if head.startswith("{"):
            suffix = ".jsonl" if text.strip().count("\n") else ".json"
        elif head.startswith(("<!doctype html", "<html")):
            suffix = ".html"
        elif head.startswith("<?xml") or "<rss" in head or "<feed" in head:
            suffix = ".xml"
        else:
            suffix = ".txt"
    if suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(text, where)
    elif suffix == ".json":
        yield from _read_json(text, where, path)
    elif suffix in HTML_SUFFIXES:
        yield _guard(where, lambda: _from_html(text, where))
    elif suffix in FEED_SUFFIXES:
        yield from _read_feed(text, where)
    else:
        meta = _sibling_meta(path) if path else {}
        yield _guard(where, lambda: _make_article(text, meta, where))


def _guard(where: str, build: Any) -> Item:
    try:
        return build()
    except InputError as err:
        return err


def _sibling_meta(path: Path) -> dict[str, Any] | InputError:
    meta_path = path.with_suffix(".json")
    if not meta_path.is_file():
        return {}
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return InputError(str(meta_path), f"metadata is not valid JSON ({exc})")
    if not isinstance(meta, dict):
        return InputError(str(meta_path), "metadata must be a JSON object")
    return meta


def _read_json(text: str, where: str, path: Path | None) -> Iterator[Item]:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        yield InputError(f"{where}:{exc.lineno}", f"not valid JSON ({exc.msg})")
        return
    objs = obj if isinstance(obj, list) else [obj]
    for n, item in enumerate(objs):
        label = where if len(objs) == 1 else f"{where}[{n}]"
        yield _guard(label, lambda item=item, label=label: _from_object(item, label, path))


def _read_jsonl(text: str, where: str) -> Iterator[Item]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        label = f"{where}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(label, f"not valid JSON ({exc.msg})")
            continue
        yield _guard(label, lambda obj=obj, label=label: _from_object(obj, label, None))


def _from_object(obj: Any, where: str, path: Path | None) -> Article:
    if not isinstance(obj, dict):
        raise InputError(where, "expected a JSON object with a \"text\" field")
    text = obj.get("text")
    if text is None and obj.get("html"):
        return _from_html(str(obj["html"]), where, obj)
    if text is None and obj.get("text_file") and path is not None:
        text_path = path.parent / str(obj["text_file"])
        try:
            text = _decode(text_path.read_bytes(), str(text_path))
        except OSError as exc:
            raise InputError(where, f"cannot read text_file {text_path} ({exc.strerror})") from exc
    if not isinstance(text, str):
        raise InputError(where, "no \"text\" field (give \"text\", \"html\" or \"text_file\")")
    return _make_article(text, obj, where)


def _from_html(html: str, where: str, meta: dict[str, Any] | None = None) -> Article:
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if doc is None or not (doc.text or "").strip():
        raise InputError(where, "no article text found in the HTML")
    found = {"title": doc.title, "url": doc.url, "published": doc.date, "source": doc.sitename}
    merged = {k: v for k, v in found.items() if v} | {k: v for k, v in (meta or {}).items() if v}
    return _make_article(doc.text, merged, where)


def _read_feed(text: str, where: str) -> Iterator[Item]:
    import feedparser

    feed = feedparser.parse(text)
    if not feed.entries:
        yield InputError(where, "not an RSS/Atom feed, or a feed with no entries")
        return
    source = feed.feed.get("title")
    for n, entry in enumerate(feed.entries):
        label = f"{where}[{n}]"
        body = ""
        if entry.get("content"):
            body = entry.content[0].get("value", "")
        body = body or entry.get("summary", "")
        meta = {
            "url": entry.get("link"),
            "title": entry.get("title"),
            "source": source,
            "published": _feed_date(entry),
        }
        if "<" in body:
            yield _guard(label, lambda body=body, label=label, meta=meta: _from_html(
                f"<html><body><article>{body}</article></body></html>", label, meta))
        else:
            yield _guard(label, lambda body=body, label=label, meta=meta: _make_article(body, meta, label))


def _feed_date(entry: Any) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday).isoformat() if parsed else None


def parse_published(value: Any, where: str) -> date | None:
    """A publication date from ``YYYY-MM-DD`` or an ISO datetime; anything else is an InputError."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise InputError(where, f"published {text!r} is not a date (use YYYY-MM-DD)") from exc


def _make_article(text: str, meta: dict[str, Any] | InputError, where: str) -> Article:
    if isinstance(meta, InputError):
        raise meta
    if not text.strip():
        raise InputError(where, "empty text, nothing to read")
    url = meta.get("url") or None
    return Article(
        id=article_id(text, url),
        text=text,
        url=url,
        title=meta.get("title") or None,
        source=meta.get("source") or None,
        published=parse_published(meta.get("published"), where),
        language=str(meta.get("language") or "en"),
        origin=where,
    )

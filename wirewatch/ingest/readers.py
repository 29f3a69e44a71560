"""Readers for every input kind: .txt (+ sibling .json metadata), .html, .json, .jsonl, feeds, folders,
stdin. Each yields :class:`Article` or, for an input that cannot be read, an :class:`InputError` naming
the file (and line) so the rest of the batch goes on.

Reading an input never touches the network or any file the input names outside its own folder: feeds are
parsed from their bytes (never handed to feedparser as a URL or path), ``text_file`` must stay inside the
JSON file's folder, folder walks do not follow links out of the folder, and every read is bounded by
:data:`~wirewatch.limits.MAX_ARTICLE_BYTES` on the bytes actually read.
"""

from __future__ import annotations

import codecs
import io
import json
import logging
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import IO, Any

from wirewatch.errors import InputError, describe
from wirewatch.ingest.validate import make_article, parse_published
from wirewatch.ingest.warc import is_warc, read_warc
from wirewatch.limits import MAX_ARTICLE_BYTES as MAX_BYTES  # the name readers always exported
from wirewatch.records import Article

__all__ = ["MAX_BYTES", "parse_published", "read_articles"]

log = logging.getLogger(__name__)
TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
KNOWN_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES | {".json", ".jsonl", ".ndjson"}
META_KEYS = ("published", "url", "title", "source", "language")
_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_QUIET_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext")

Item = Article | InputError


def read_articles(
    paths: Iterable[str | Path], published: date | None = None, follow_links: bool = False
) -> Iterator[Item]:
    """Yield every article found under ``paths`` (``-`` is stdin), in a stable order.

    ``published`` overrides the publication date of articles that carry none. Folders are walked
    without following symbolic links that lead out of them unless ``follow_links``; every link skipped
    is logged (one warning line each).
    """
    for raw in paths:
        try:
            for item in _read_path(str(raw), follow_links):
                if published and isinstance(item, Article) and item.published is None:
                    item = replace(item, published=published)
                yield item
        except Exception as exc:  # a reader bug on one input: the other inputs are still read
            log.info("reading %s failed", raw, exc_info=True)
            reason = f"could not be read: internal error {describe(exc)} (please report it)"
            yield InputError(str(raw), reason, path=None if str(raw) == "-" else str(raw))


def _read_path(raw: str, follow_links: bool) -> Iterator[Item]:
    if raw == "-":
        try:
            data = _read_limited(sys.stdin.buffer, "<stdin>")
        except InputError as err:
            yield err
            return
        yield from _read_bytes(data, "<stdin>", suffix=None)
        return
    path = Path(raw)
    if path.is_dir():
        yield from _read_folder(path, follow_links)
        return
    if not path.exists():
        reason = "broken symbolic link" if path.is_symlink() else "no such file or folder"
        yield InputError(raw, reason, path=raw)
        return
    yield from _read_file(path)


def _read_limited(stream: IO[bytes], where: str, path: str | None = None) -> bytes:
    """At most MAX_BYTES from ``stream``; InputError when there is more."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError(
            where,
            f"input is over the {MAX_BYTES / 1e6:.0f} MB limit (split it, or raise WIREWATCH_MAX_BYTES)",
            path=path,
        )
    return data


def _walk(folder: Path, root: Path, follow_links: bool, seen: set[Path]) -> Iterator[Path | InputError]:
    """Files under ``folder`` with a known suffix; links out of ``root`` (or loops) are reported."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield InputError(str(folder), f"cannot list folder ({exc.strerror or exc})", path=str(folder))
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.is_symlink():
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):  # dangling, or a loop
                if path.suffix.lower() in KNOWN_SUFFIXES or not path.suffix:
                    log.warning("skipped %s: broken or looping symbolic link", path)
                continue
            if not follow_links and not target.is_relative_to(root):
                if target.is_dir() or path.suffix.lower() in KNOWN_SUFFIXES:
                    log.warning("skipped %s: symbolic link to %s outside %s (use --follow-links to read it)",
                                path, "a folder" if target.is_dir() else "a file", root)
                continue
            if target.is_dir():
                if target.is_relative_to(root):
                    log.info("skipped %s: link to a folder already read", path)
                    continue
                if any(target.is_relative_to(s) or s.is_relative_to(target) for s in seen):
                    log.warning("skipped %s: symbolic link loop", path)
                    continue
                seen.add(target)
                yield from _walk(path, root, follow_links, seen)
                continue
        elif entry.is_dir(follow_symlinks=False):
            yield from _walk(path, root, follow_links, seen)
            continue
        if path.suffix.lower() not in KNOWN_SUFFIXES and not (path.is_file() and is_warc(path)):
            continue
        if not path.is_file():  # a FIFO, socket or device: reading it may never end
            log.warning("skipped %s: not a regular file", path)
            continue
        yield path


def _read_folder(folder: Path, follow_links: bool = False) -> Iterator[Item]:
    root = folder.resolve()
    files: list[Path] = []
    for found in _walk(folder, root, follow_links, {root}):
        if isinstance(found, InputError):
            yield found
        else:
            files.append(found)
    files.sort()
    names = {p.with_suffix("") for p in files if p.suffix.lower() in TEXT_SUFFIXES}
    for path in files:
        if path.suffix.lower() == ".json" and path.with_suffix("") in names:
            continue  # sibling metadata of a .txt, read with it
        yield from _read_file(path)


def _open_bounded(path: Path, where: str, regular_only: bool = False) -> bytes:
    """The bytes of ``path`` (at most MAX_BYTES, counted on what is read, not on st_size)."""
    try:
        if regular_only and not path.is_file():  # before opening: opening a FIFO blocks
            raise InputError(where, f"{path.name} is not a regular file", path=str(path))
        with open(path, "rb") as fh:
            info = os.fstat(fh.fileno())
            regular = stat.S_ISREG(info.st_mode)
            if regular_only and not regular:
                raise InputError(where, f"{path.name} is not a regular file", path=str(path))
            if regular and info.st_size > MAX_BYTES:  # fast path; the read below is bounded anyway
                raise InputError(
                    where,
                    f"file is {info.st_size / 1e6:.1f} MB, over the {MAX_BYTES / 1e6:.0f} MB limit "
                    "(split it, or raise WIREWATCH_MAX_BYTES)",
                    path=str(path),
                )
            return _read_limited(fh, where, str(path))
    except OSError as exc:
        raise InputError(where, f"cannot read ({exc.strerror or exc})", path=str(path)) from None


def _read_file(path: Path) -> Iterator[Item]:
    where = str(path)
    if is_warc(path):  # streamed record by record; the size limit applies per record
        yield from read_warc(path, MAX_BYTES)
        return
    try:
        data = _open_bounded(path, where)
    except InputError as err:
        yield err
        return
    yield from _read_bytes(data, where, path.suffix.lower(), path)


def _decode(data: bytes, where: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(where, f"not valid {encoding.upper()} at byte {exc.start + len(bom)} "
                                 "(re-save the file as UTF-8)") from None
            break
    else:
        if b"\x00" in data[:8192]:
            raise InputError(where, "binary file, not text (expected UTF-8 or UTF-16 with a BOM: "
                             ".txt, .html, .json or .jsonl)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(where, f"not valid UTF-8 at byte {exc.start} "
                             "(re-save the file as UTF-8)") from None
    if not text.strip():
        raise InputError(where, "empty file, no text to read")
    return text


def _read_bytes(data: bytes, where: str, suffix: str | None, path: Path | None = None) -> Iterator[Item]:
    file = str(path) if path else None
    try:
        text = _decode(data, where)
    except InputError as err:
        err.path = file
        yield err
        return
    if suffix is None:  # stdin: sniff
        head = text.lstrip()[:200].lower()
        if head.startswith(("{", "[")):
            suffix = ".jsonl" if head.startswith("{") and text.strip().count("\n") else ".json"
        elif head.startswith(("<!doctype html", "<html")):
            suffix = ".html"
        elif head.startswith("<?xml") or "<rss" in head or "<feed" in head:
            suffix = ".xml"
        else:
            suffix = ".txt"
    if suffix in (".jsonl", ".ndjson"):
        items: Iterator[Item] = _read_jsonl(text, where)
    elif suffix == ".json":
        items = _read_json(text, where, path)
    elif suffix in HTML_SUFFIXES:
        items = iter([_guard(where, lambda: _from_html(text, where))])
    elif suffix in FEED_SUFFIXES:
        items = _read_feed(data, where)
    else:
        meta = _sibling_meta(path) if path else {}
        items = iter([_guard(where, lambda: _make(text, meta, where))])
    for item in items:
        if isinstance(item, InputError) and item.path is None:
            item.path = file
        yield item


def _guard(where: str, build: Any) -> Item:
    """Build one article; any failure is that article's InputError, never the batch's."""
    try:
        return build()
    except InputError as err:
        return err
    except RecursionError:
        return InputError(where, "nested too deeply to read")
    except Exception as exc:  # a reader library failing on one hostile input
        log.debug("reading %s failed", where, exc_info=True)
        return InputError(where, f"could not be read ({type(exc).__name__})")


def _sibling_meta(path: Path) -> dict[str, Any] | InputError:
    meta_path = path.with_suffix(".json")
    if not meta_path.is_file():
        return {}
    try:
        meta = _loads(_open_bounded(meta_path, str(meta_path)).decode("utf-8"), str(meta_path))
    except UnicodeDecodeError:
        return InputError(str(meta_path), "metadata is not valid UTF-8", path=str(path))
    except InputError as err:
        return InputError(err.where, f"metadata: {err.reason}", path=str(path))
    if not isinstance(meta, dict):
        return InputError(str(meta_path), "metadata must be a JSON object", path=str(path))
    return meta


def _loads(text: str, where: str) -> Any:
    """JSON, with every way it can fail as one InputError (bad syntax, too deep, huge numbers)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}:{exc.lineno}", f"not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise InputError(where, "JSON nested too deeply to read") from None
    except ValueError:  # an integer over Python's 4300-digit conversion limit
        raise InputError(where, "not valid JSON (a number with too many digits)") from None


def _read_json(text: str, where: str, path: Path | None) -> Iterator[Item]:
    try:
        obj = _loads(text, where)
    except InputError as err:
        yield err
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
            obj = _loads(line, label)
        except InputError as err:
            yield InputError(label, err.reason)  # the line's label, not "line:1"
            continue
        yield _guard(label, lambda obj=obj, label=label: _from_object(obj, label, None))


def _from_object(obj: Any, where: str, path: Path | None) -> Article:
    if not isinstance(obj, dict):
        raise InputError(where, "expected a JSON object with a \"text\" field")
    text = obj.get("text")
    if text is None and obj.get("html") is not None:
        if not isinstance(obj["html"], str):
            raise InputError(where, "html must be a string")
        return _from_html(obj["html"], where, obj)
    if text is None and obj.get("text_file") is not None:
        text = _text_file(obj["text_file"], where, path)
    if text is None:
        raise InputError(where, "no \"text\" field (give \"text\", \"html\" or \"text_file\")")
    return _make(text, obj, where)


def _text_file(name: Any, where: str, path: Path | None) -> str:
    """The text of a JSON article's ``text_file``: a regular file inside the JSON file's folder."""
    if path is None:
        raise InputError(where, "text_file is only read from a .json file (give \"text\" instead)")
    if not isinstance(name, str) or not name.strip() or "\x00" in name:
        raise InputError(where, "text_file must be a file name")
    folder = path.parent.resolve()
    try:
        target = (folder / name).resolve(strict=True)
    except (OSError, RuntimeError):
        raise InputError(where, f"cannot read text_file {name!r} (no such file)") from None
    if not target.is_relative_to(folder):
        raise InputError(where, f"text_file {name!r} is outside the folder of {path.name}; "
                         "put the text next to the JSON file")
    return _decode(_open_bounded(target, where, regular_only=True), where)


def _quiet_html_loggers() -> None:
    """trafilatura and its helpers log "ERROR …" lines about pages they cannot parse: keep those for
    --verbose; the reader already reports an unreadable page once, as an InputError."""
    if logging.getLogger().getEffectiveLevel() <= logging.INFO:
        return
    for name in _QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.CRITICAL)


def _from_html(html: str, where: str, meta: dict[str, Any] | None = None) -> Article:
    import trafilatura

    _quiet_html_loggers()
    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if doc is None or not (doc.text or "").strip():
        raise InputError(where, "no article text found in the HTML")
    found = {"title": doc.title, "url": doc.url, "published": doc.date, "source": doc.sitename}
    merged = {k: v for k, v in found.items() if v} | {k: v for k, v in (meta or {}).items() if v}
    return _make(doc.text, merged, where)


def _read_feed(data: bytes, where: str) -> Iterator[Item]:
    import feedparser

    # A file object, never a str or bytes: feedparser fetches a str that looks like a URL and opens
    # one that names a file (bytes too). Its XML parsers do not expand external entities.
    try:
        feed = feedparser.parse(io.BytesIO(data))
    except Exception as exc:  # a hostile feed must fail alone
        log.debug("feed %s failed to parse", where, exc_info=True)
        yield InputError(where, f"not a readable RSS/Atom feed ({type(exc).__name__})")
        return
    if not feed.entries:
        yield InputError(where, "not an RSS/Atom feed, or a feed with no entries")
        return
    source = feed.feed.get("title")
    for n, entry in enumerate(feed.entries):
        label = f"{where}[{n}]"
        yield _guard(label, lambda entry=entry, label=label: _from_entry(entry, source, label))


def _from_entry(entry: Any, source: Any, label: str) -> Article:
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
        return _from_html(f"<html><body><article>{body}</article></body></html>", label, meta)
    return _make(body, meta, label)


def _feed_date(entry: Any) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday).isoformat() if parsed else None


def _make(text: Any, meta: dict[str, Any] | InputError, where: str) -> Article:
    if isinstance(meta, InputError):
        raise meta
    return make_article(text, meta, where)

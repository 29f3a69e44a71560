"""WARC input (Common Crawl News, archive crawls): each HTML ``response`` record is one article.

The file is streamed record by record with ``warcio`` (plain or gzipped, detected from the bytes),
so a 1 GB WARC never sits in memory; the size limit applies per record. The text comes from
trafilatura like any HTML file; the URL is the record's ``WARC-Target-URI`` and, when the page
itself gives no date, the publication date is the record's ``WARC-Date`` (the crawl day).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from wirewatch.errors import InputError
from wirewatch.records import Article

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
HTML_TYPES = ("text/html", "application/xhtml+xml")


def is_warc(path: Path) -> bool:
    """True for ``.warc``, ``.warc.gz`` (and the older ``.arc``/``.arc.gz``) file names."""
    return path.name.lower().endswith(WARC_SUFFIXES)


def read_warc(path: Path, max_bytes: int) -> Iterator[Article | InputError]:
    """Yield an Article (or an InputError naming ``path[n]``) per HTML response record."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    from wirewatch.ingest.readers import _from_html, parse_published

    where = str(path)
    try:
        stream = path.open("rb")
    except OSError as exc:
        yield InputError(where, f"cannot read ({exc.strerror or exc})")
        return
    with stream:
        n, records = -1, 0
        try:
            expect = "arc" if path.name.lower().endswith((".arc", ".arc.gz")) else "warc"
            for record in ArchiveIterator(stream):
                records += 1
                if record.format != expect:  # warcio reads any text as loose ARC lines
                    yield InputError(where, f"not a valid {expect.upper()} file")
                    return
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                ctype = (record.http_headers.get_header("Content-Type") or "").lower()
                if not ctype.startswith(HTML_TYPES):
                    continue
                n += 1
                label = f"{where}[{n}]"
                status = record.http_headers.get_statuscode()
                if status and not status.startswith("2"):
                    continue  # redirects, errors: no article
                data = record.content_stream().read(max_bytes + 1)
                if len(data) > max_bytes:
                    yield InputError(label, f"record is over the {max_bytes / 1e6:.0f} MB limit")
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                html = data.decode(_charset(ctype), errors="replace")
                try:
                    article = _from_html(html, label, {"url": url} if url else None)
                    crawled = record.rec_headers.get_header("WARC-Date")
                    if article.published is None and crawled:
                        article = replace(article, published=parse_published(crawled, label))
                except InputError as err:
                    yield err
                    continue
                yield article
        except ArchiveLoadFailed as exc:
            yield InputError(where, f"not a valid WARC file ({str(exc).strip().splitlines()[0]})")
            return
        if records == 0:
            yield InputError(where, "not a valid WARC file (no WARC records in it)")


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key == "charset" and value:
            import codecs

            try:
                return codecs.lookup(value.strip("\"'")).name
            except LookupError:
                break
    return "utf-8"

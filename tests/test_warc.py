"""WARC input: response records with HTML become articles (url and crawl date from WARC headers)."""

from __future__ import annotations

import io
from datetime import date

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from wirewatch.errors import InputError
from wirewatch.ingest import read_articles
from wirewatch.records import Article

PAGE = """<html><head><title>{title}</title></head><body><article><h1>{title}</h1>
<p>{body}</p><p>Officials said the talks would resume next week in the capital.</p></article></body></html>"""


def _write_warc(path, pages, gzip=True):
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzip)
        info = writer.create_warcinfo_record(path.name, {"software": "test"})
        writer.write_record(info)
        for url, status, ctype, html, when in pages:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = writer.create_warc_record(url, "response", payload=io.BytesIO(html.encode("utf-8")),
                                            http_headers=headers,
                                            warc_headers_dict={"WARC-Date": when})
            writer.write_record(rec)
            req = writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
            writer.write_record(req)


def _pages():
    body1 = ("Police arrested dozens of protesters in Nairobi on Monday after clashes near the parliament. "
             "The interior ministry condemned the violence.")
    body2 = ("Russia and Ukraine agreed on Tuesday to exchange prisoners, the foreign ministry said. "
             "The deal was brokered by Turkey.")
    return [
        ("https://news.example/a", "200 OK", "text/html; charset=utf-8",
         PAGE.format(title="Protesters arrested", body=body1), "2021-03-04T10:00:00Z"),
        ("https://news.example/img.png", "200 OK", "image/png", "notanimage", "2021-03-04T10:00:01Z"),
        ("https://news.example/moved", "301 Moved Permanently", "text/html", "<html></html>",
         "2021-03-04T10:00:02Z"),
        ("https://news.example/b", "200 OK", "text/html",
         PAGE.format(title="Prisoner exchange", body=body2), "2021-03-05T09:30:00Z"),
    ]


def test_warc_gz_records_become_articles(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    _write_warc(path, _pages())
    items = list(read_articles([path]))
    assert all(isinstance(i, Article) for i in items), items
    assert [a.url for a in items] == ["https://news.example/a", "https://news.example/b"]
    assert items[0].published == date(2021, 3, 4) and items[1].published == date(2021, 3, 5)
    assert "arrested dozens of protesters in Nairobi" in items[0].text
    assert "<p>" not in items[0].text
    assert items[0].origin == f"{path}[0]"


def test_plain_warc_in_a_folder_and_cli_extract(tmp_path):
    from click.testing import CliRunner

    from wirewatch.cli import cli

    (tmp_path / "in").mkdir()
    _write_warc(tmp_path / "in" / "crawl.warc", _pages(), gzip=False)
    items = list(read_articles([tmp_path / "in"]))
    assert [a.url for a in items if isinstance(a, Article)] == ["https://news.example/a", "https://news.example/b"]
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "in"), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert '"ARREST"' in result.output or '"COERCE"' in result.output or "Nairobi" in result.output


def test_broken_warc_is_one_error(tmp_path):
    path = tmp_path / "bad.warc.gz"
    path.write_bytes(b"this is not a warc file at all\n" * 20)
    items = list(read_articles([path, tmp_path / "missing.warc"]))
    assert len(items) == 2 and all(isinstance(i, InputError) for i in items)
    assert "WARC" in items[0].reason

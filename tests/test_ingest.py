"""Readers, article identity and near-duplicate detection."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import EXAMPLES

from wirewatch.errors import InputError
from wirewatch.ingest import article_id, canonical_url, read_articles
from wirewatch.ingest.dedupe import NearDuplicateIndex, from_bytes, minhash, to_bytes
from wirewatch.records import Article


def split(items):
    arts = [i for i in items if isinstance(i, Article)]
    errs = [i for i in items if isinstance(i, InputError)]
    return arts, errs


def test_txt_with_sibling_metadata():
    arts, errs = split(list(read_articles([EXAMPLES / "kobani-warning.txt"])))
    assert not errs and len(arts) == 1
    art = arts[0]
    assert art.published == date(2015, 2, 13)
    assert art.text.startswith("The MİT, Turkey’s National Intelligence Organization")
    assert art.id == article_id(art.text)


def test_folder_reads_txt_once_and_skips_its_metadata_json():
    arts, errs = split(list(read_articles([EXAMPLES])))
    assert not errs
    assert [a.origin for a in arts] == [str(EXAMPLES / name) for name in (
        "kobani-warning.txt", "synthetic-harbour.txt", "synthetic-sahel.txt")]
    assert [a.published for a in arts] == [date(2015, 2, 13), date(2024, 6, 18), date(2024, 3, 5)]


def test_json_jsonl_html_and_bad_lines(tmp_path):
    (tmp_path / "one.json").write_text(json.dumps({"text": "Rebels attacked a convoy.", "url":
                                                   "https://www.example.com/a/?utm_source=x",
                                                   "published": "2020-05-01T10:00:00Z"}))
    (tmp_path / "many.jsonl").write_text(
        json.dumps({"text": "Police arrested protesters in Cairo."}) + "\n"
        + "{not json\n\n"
        + json.dumps({"title": "no text"}) + "\n"
        + json.dumps({"text": "Troops withdrew from the town.", "published": "yesterday"}) + "\n")
    (tmp_path / "page.html").write_text(
        "<html><head><title>Clashes</title></head><body><nav>menu</nav><article><p>"
        + "Government forces shelled the rebel-held district of Idlib on Monday, residents said. " * 4
        + "</p></article></body></html>")
    arts, errs = split(list(read_articles([tmp_path])))
    texts = sorted(a.text[:20] for a in arts)
    assert texts == ["Government forces sh", "Police arrested prot", "Rebels attacked a co"]
    one = next(a for a in arts if a.text.startswith("Rebels"))
    assert one.url == "https://www.example.com/a/?utm_source=x"
    assert one.id == article_id("anything else", "http://example.com/a")
    assert one.published == date(2020, 5, 1)
    where = sorted(e.where for e in errs)
    assert where == [f"{tmp_path / 'many.jsonl'}:2", f"{tmp_path / 'many.jsonl'}:4",
                     f"{tmp_path / 'many.jsonl'}:5"]
    reasons = " | ".join(e.reason for e in errs)
    assert "not valid JSON" in reasons and "no \"text\" field" in reasons and "is not a date" in reasons


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"   \n\t ", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary file"),
        (b"Rebels \xff\xfe attacked", "not valid UTF-8 at byte 7"),
    ],
)
def test_bad_files_give_one_error_naming_the_file(tmp_path, content, reason):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text("Troops withdrew from the town.")
    arts, errs = split(list(read_articles([bad, good])))
    assert [a.text for a in arts] == ["Troops withdrew from the town."]
    assert len(errs) == 1 and errs[0].where == str(bad) and reason in errs[0].reason
    assert "\n" not in str(errs[0])


def test_huge_file_and_missing_path(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    arts, errs = split(list(read_articles([big, tmp_path / "nope.txt"])))
    assert not arts
    assert "over the" in errs[0].reason and "MB limit" in errs[0].reason
    assert errs[1].reason == "no such file or folder"


def test_unreadable_file(tmp_path):
    locked = tmp_path / "locked.txt"
    locked.write_text("text")
    locked.chmod(0)
    try:
        _, errs = split(list(read_articles([locked])))
        import os

        if os.geteuid() == 0:  # root reads anything: then the file reads fine
            assert not errs
        else:
            assert "cannot read" in errs[0].reason
    finally:
        locked.chmod(0o644)


def test_feed(tmp_path):
    feed = tmp_path / "feed.rss"
    feed.write_text(
        """<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
        <item><title>A</title><link>https://wire.example/a</link>
        <pubDate>Tue, 03 Feb 2015 10:00:00 GMT</pubDate>
        <description>Rebels attacked an army post near Aleppo.</description></item>
        </channel></rss>""")
    arts, errs = split(list(read_articles([feed])))
    assert not errs
    assert arts[0].source == "Wire" and arts[0].published == date(2015, 2, 3)
    assert arts[0].text == "Rebels attacked an army post near Aleppo."


def test_canonical_url():
    assert canonical_url("HTTP://WWW.Example.com:80/x/?b=2&a=1&utm_medium=m#frag") == \
        "https://example.com/x?a=1&b=2"
    assert canonical_url("  ") is None
    assert article_id("a", None) != article_id("b", None)
    assert article_id("a b", None) == article_id("a  b\n", None)


def test_near_duplicates(kobani_text):
    index = NearDuplicateIndex()
    index.add("orig", minhash(kobani_text))
    rewired = "ISTANBUL (Wire) — Turkish spies warn of Daesh infiltration\n\n" + kobani_text.replace(
        "Thursday", "Thursday morning")
    assert index.find(minhash(rewired)) == "orig"
    other = "Protesters marched in Santiago against pension reform; police used water cannon. " * 5
    assert index.find(minhash(other)) is None
    assert from_bytes(to_bytes(minhash(kobani_text))).jaccard(minhash(kobani_text)) == 1.0


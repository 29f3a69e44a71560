"""Readers under attack: nothing outside the input is fetched or read, reads are bounded, hostile
JSON/feeds/encodings give one InputError each and the rest of the batch goes on."""

from __future__ import annotations

import io
import json
import logging
import os
import sys

import pytest
from hostile_inputs import GOOD_RSS, billion_laughs, counting_server, deep_json, xxe

from wirewatch.errors import InputError
from wirewatch.ingest import read_articles
from wirewatch.records import Article

GOOD = "Troops withdrew from the town on Tuesday."


def split(items):
    items = list(items)
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, InputError)]


# -- feeds: parsed from their bytes only -------------------------------------------------------------
def test_feed_holding_a_url_is_not_fetched(tmp_path):
    with counting_server() as srv:
        feed = tmp_path / "a.rss"
        feed.write_text(f"{srv.url}/x")
        https = tmp_path / "b.rss"
        https.write_text(f"feed://127.0.0.1:{srv.url.rsplit(':', 1)[1]}/y")
        arts, errs = split(read_articles([feed, https]))
        assert srv.requests == []  # today's code made a GET and stored the answer
    assert not arts and [e.where for e in errs] == [str(feed), str(https)]


def test_feed_holding_a_path_does_not_read_that_file(tmp_path):
    secret = tmp_path / "elsewhere" / "real.rss"
    secret.parent.mkdir()
    secret.write_text(GOOD_RSS)
    inside = tmp_path / "in"
    inside.mkdir()
    for name, content in (("path.rss", str(secret)), ("uri.rss", secret.as_uri())):
        (inside / name).write_text(content)
    arts, errs = split(read_articles([inside]))
    assert not arts and len(errs) == 2  # today: the entries of real.rss were ingested
    assert all("FETCHED-BY-READER" not in getattr(a, "text", "") for a in arts)


def test_billion_laughs_and_xxe_feeds_expand_nothing(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    (tmp_path / "bomb.rss").write_text(billion_laughs())
    (tmp_path / "xxe.rss").write_text(xxe(secret.as_uri()))
    (tmp_path / "xxe2.xml").write_text(xxe(str(secret)))
    items = list(read_articles([tmp_path / "bomb.rss", tmp_path / "xxe.rss", tmp_path / "xxe2.xml"]))
    for item in items:
        text = item.text if isinstance(item, Article) else str(item)
        assert "lollollol" not in text and "TOP-SECRET-MARKER" not in text
        assert len(text) < 10_000


# -- text_file: inside the JSON file's folder, regular files only ----------------------------------
def test_text_file_cannot_leave_the_folder(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("TOP-SECRET-MARKER")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "body.txt").write_text(GOOD)
    (folder / "escape.txt").symlink_to(outside)
    cases = {
        "ok.json": {"text_file": "body.txt", "title": "fine"},
        "dotdot.json": {"text_file": "../secret.txt"},
        "deep.json": {"text_file": "../../../../../../../../" + str(outside).lstrip("/")},
        "absolute.json": {"text_file": str(outside)},
        "link.json": {"text_file": "escape.txt"},
        "devzero.json": {"text_file": "/dev/zero"},
        "type.json": {"text_file": ["body.txt"]},
    }
    for name, obj in cases.items():
        (folder / name).write_text(json.dumps(obj))
    paths = [folder / n for n in cases]
    arts, errs = split(read_articles(paths))
    assert [a.text for a in arts] == [GOOD]
    assert all("TOP-SECRET" not in str(e) for e in errs)
    reasons = {e.where.rsplit("/", 1)[-1]: e.reason for e in errs}
    for name in ("dotdot.json", "deep.json", "absolute.json", "link.json", "devzero.json"):
        assert "outside the folder" in reasons[name], reasons
    assert "must be a file name" in reasons["type.json"]


def test_text_file_must_be_a_regular_file(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")  # opening it would block forever
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.json").write_text(json.dumps({"text_file": "pipe.txt"}))
    (tmp_path / "b.json").write_text(json.dumps({"text_file": "sub"}))
    _, errs = split(read_articles([tmp_path / "a.json", tmp_path / "b.json"]))
    assert [e.reason for e in errs] == ["pipe.txt is not a regular file", "sub is not a regular file"]


def test_size_limit_counts_bytes_read_not_st_size(tmp_path, monkeypatch):
    arts, errs = split(read_articles(["/dev/zero"]))  # st_size 0, endless: today MemoryError
    assert not arts and "over the" in errs[0].reason

    class Endless(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buf) -> int:
            buf[:] = b"a" * len(buf)
            return len(buf)

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(Endless())))
    arts, errs = split(read_articles(["-"]))
    assert not arts and errs[0].where == "<stdin>" and "over the" in errs[0].reason


# -- folders: links out of the tree are not followed, and every skip is said ------------------------
def test_folder_links_out_of_the_tree_are_skipped_and_said(tmp_path, caplog):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd.txt").write_text("TOP-SECRET-MARKER lives here.")
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "real.txt").write_text(GOOD)
    (tree / "out.txt").symlink_to(outside / "passwd.txt")
    (tree / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    (tree / "loop.txt").symlink_to(tree / "loop.txt")
    (tree / "outdir").symlink_to(outside)
    (tree / "inside.txt").symlink_to(tree / "sub" / "real.txt")
    (tree / "up").symlink_to(tree)
    with caplog.at_level(logging.WARNING, logger="wirewatch.ingest.readers"):
        arts, errs = split(read_articles([tree]))
    assert not errs
    assert {a.text for a in arts} == {GOOD}  # real.txt (and the link to it inside the tree)
    said = [r.getMessage() for r in caplog.records]
    for name in ("out.txt", "dangling.txt", "loop.txt", "outdir"):
        assert sum(f"{tree / name}" in m for m in said) == 1, said
    arts, _ = split(read_articles([tree], follow_links=True))
    assert "TOP-SECRET-MARKER lives here." in {a.text for a in arts}


# -- encodings, JSON shapes ---------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig", "utf-32"])
def test_bom_encodings_are_decoded(tmp_path, encoding):
    data = GOOD.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    arts, errs = split(read_articles([path]))
    assert not errs and arts[0].text == GOOD  # UTF-16 was "binary file" before


def test_hostile_json_is_one_error_each_and_the_batch_goes_on(tmp_path):
    (tmp_path / "deep.json").write_text(deep_json())
    lines = [deep_json(50_000), "1" * 5000, json.dumps({"text": GOOD}), '{"text": "' + "[" * 10 + '"}',
             json.dumps({"text": {"nested": "obj"}}), json.dumps({"html": 5}), json.dumps([GOOD])]
    (tmp_path / "b.jsonl").write_text("\n".join(lines) + "\n")
    arts, errs = split(read_articles([tmp_path / "deep.json", tmp_path / "b.jsonl"]))
    assert [a.text for a in arts] == [GOOD, "[" * 10]
    reasons = [e.reason for e in errs]
    assert "nested too deeply" in reasons[0] and "nested too deeply" in reasons[1]
    assert "not valid JSON" in reasons[2]  # 5000-digit integer: ValueError, not JSONDecodeError
    assert "text must be a string, not an object" in reasons[3]
    assert "html must be a string" in reasons[4]
    assert "expected a JSON object" in reasons[5]
    assert all("\n" not in str(e) for e in errs)


def test_nul_inside_text_is_removed_not_stored(tmp_path):
    row = {"text": "Rebels\u0000 attacked.", "title": "x\u0000y"}
    (tmp_path / "a.jsonl").write_text(json.dumps(row) + "\n")
    (tmp_path / "b.txt").write_bytes(b"A" * 9000 + b"\x00 Rebels attacked.")  # NUL past the binary sniff
    arts, errs = split(read_articles([tmp_path / "a.jsonl", tmp_path / "b.txt"]))
    assert not errs and [a.text.count("\x00") for a in arts] == [0, 0] and arts[0].title == "xy"


def test_trafilatura_errors_stay_quiet_unless_verbose(tmp_path, caplog):
    page = tmp_path / "a.html"
    page.write_text("<p>Only a tiny bit</p>")
    for name in ("trafilatura", "trafilatura.utils", "trafilatura.core"):
        logging.getLogger(name).setLevel(logging.NOTSET)
    root = logging.getLogger()
    old = root.level
    try:
        root.setLevel(logging.WARNING)
        with caplog.at_level(logging.WARNING):
            root.setLevel(logging.WARNING)
            _, errs = split(read_articles([page]))
        assert [e.reason for e in errs] == ["no article text found in the HTML"]
        assert not [r for r in caplog.records if r.name.startswith("trafilatura")]
    finally:
        root.setLevel(old)


def test_a_reader_bug_on_one_input_does_not_stop_the_others(tmp_path, monkeypatch):
    from wirewatch.ingest import readers

    real = readers._read_file

    def buggy(path):
        if path.name == "bad.txt":
            raise RuntimeError("reader bug")
        return real(path)

    monkeypatch.setattr(readers, "_read_file", buggy)
    (tmp_path / "bad.txt").write_text(GOOD)
    (tmp_path / "good.txt").write_text(GOOD + " Again.")
    arts, errs = split(read_articles([tmp_path / "bad.txt", tmp_path / "good.txt"]))
    assert [a.text for a in arts] == [GOOD + " Again."]
    assert errs[0].reason == "could not be read: internal error RuntimeError: reader bug (please report it)"


def test_sibling_metadata_with_wrong_types_names_the_article(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD)
    (tmp_path / "a.json").write_text(json.dumps({"published": ["2015"], "title": "ok"}))
    (tmp_path / "b.txt").write_text(GOOD + " Again.")
    (tmp_path / "b.json").write_text("[" * 100_000)
    (tmp_path / "c.txt").write_text(GOOD + " Once more.")
    (tmp_path / "c.json").write_text(json.dumps({"url": "https://c.example/1", "language": "pt-BR"}))
    arts, errs = split(read_articles([tmp_path]))
    assert [(a.url, a.language) for a in arts] == [("https://c.example/1", "pt-BR")]
    assert [(e.where.rsplit("/", 1)[-1], e.reason) for e in errs] == [
        ("a.txt", "published must be a date string (YYYY-MM-DD), not a list"),
        ("b.json", "metadata: JSON nested too deeply to read"),
    ]

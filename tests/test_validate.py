"""The one validation place (wirewatch/ingest/validate.py) and article identity on hostile values."""

from __future__ import annotations

from datetime import date

import pytest

from wirewatch.errors import InputError
from wirewatch.ingest.identity import article_id, canonical_url
from wirewatch.ingest.validate import TextTooLong, check_article, make_article
from wirewatch.limits import MAX_ARTICLE_CHARS
from wirewatch.records import Article

TEXT = "Police arrested dozens of protesters in Paris on Monday."


@pytest.mark.parametrize(
    ("meta", "reason"),
    [
        ({"url": 12345}, "url must be a string, not a number"),  # was AttributeError in identity
        ({"title": ["a"]}, "title must be a string, not a list"),  # was SQL + text dumped
        ({"source": {"name": "x"}}, "source must be a string, not an object"),
        ({"published": 20150213}, "published must be a date string"),
        ({"published": "0001-01-01"}, "outside the years"),
        ({"published": "13/02/2015"}, "is not a date"),
        ({"language": "e" * 21}, "is not a language tag"),  # PostgreSQL: varchar(20) overflow
        ({"language": "en; DROP"}, "is not a language tag"),
        ({"language": 7}, "language must be a string"),
        ({"url": "https://x.example/" + "a" * 5000}, "over the 4000 limit"),
    ],
)
def test_wrong_fields_are_one_line_input_errors(meta, reason):
    with pytest.raises(InputError) as info:
        make_article(TEXT, meta, "in.jsonl:3")
    assert info.value.where == "in.jsonl:3" and reason in info.value.reason
    assert "\n" not in str(info.value) and TEXT not in str(info.value)


def test_text_type_blank_and_length():
    with pytest.raises(InputError, match="text must be a string, not a list"):
        make_article(["a"], {}, "x")
    with pytest.raises(InputError, match="empty text"):
        make_article(" \x00\n ", {}, "x")  # only NULs and blanks: nothing left
    with pytest.raises(TextTooLong, match=f"over the {MAX_ARTICLE_CHARS:,}-character limit"):
        make_article("a" * (MAX_ARTICLE_CHARS + 1), {}, "x")
    assert len(make_article("a " * (MAX_ARTICLE_CHARS // 2), {}, "x").text) == MAX_ARTICLE_CHARS


def test_nul_and_lone_surrogates_are_cleaned_everywhere():
    art = make_article("Rebels\x00 attacked \ud800Aleppo.", {"title": "A\x00B", "source": "S\udfff",
                                                             "url": " https://x.example/a\x00 "}, "f\x00.txt")
    assert art.text == "Rebels attacked \ufffdAleppo."
    assert (art.title, art.source, art.url, art.origin) == ("AB", "S\ufffd", "https://x.example/a", "f.txt")
    art.text.encode("utf-8")  # storable: no surrogates left
    assert art.id == article_id(art.text, art.url)


def test_fields_normalised_and_cut():
    art = make_article(TEXT, {"title": "t" * 3000, "source": "s" * 900, "published": "2015-02-13T10:00:00Z",
                              "language": "pt-BR"}, "x")
    assert len(art.title) == 2000 and len(art.source) == 500
    assert art.published == date(2015, 2, 13) and art.language == "pt-BR"
    assert make_article(TEXT, {"language": None, "title": "  "}, "x").language == "en"


def test_check_article_keeps_id_and_cleans():
    raw = Article(id="t_given", text="Troops\x00 withdrew.", title="T\x00", origin="lib")
    clean = check_article(raw)
    assert clean.id == "t_given" and clean.text == "Troops withdrew." and clean.title == "T"
    ok = Article(id="t_ok", text="Troops withdrew.", origin="lib")
    assert check_article(ok) is ok
    with pytest.raises(InputError, match="not a language tag"):
        check_article(Article(id="t_x", text="Troops withdrew.", language="x" * 40))


@pytest.mark.parametrize("url", ["http://[::1", "http://a.example:99999/x", "http://a.example:abc/"])
def test_unparseable_urls_keep_their_identity_instead_of_crashing(url):
    assert canonical_url(url) == url  # was ValueError from urlsplit/port
    assert article_id(TEXT, url).startswith("u_")


def test_canonical_url_of_a_non_string_is_none():
    assert canonical_url(12345) is None  # type: ignore[arg-type]  (was AttributeError)

"""EventFilter parsing (CLI/API strings), date periods and folding."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

import pytest

from wirewatch.errors import UserError
from wirewatch.query import FILTER_PARAMS, EventFilter, country_code, date_range, filter_from_values, fold
from wirewatch.store.filters import fts5_query


def test_from_params_parses_everything():
    flt = EventFilter.from_params(
        type="assault, protest", actor=" MİT ", actor_country="tur", country="syr",
        bbox="35,32,43.5,38", since="2014-10", until="2015", modality="claimed,reported",
        min_confidence="0.5", q="Kobani siege", article_id="abc",
    )
    assert flt == EventFilter(
        types=("ASSAULT", "PROTEST"), actor="MİT", actor_country="TUR", country="SYR",
        bbox=(35.0, 32.0, 43.5, 38.0), date_from=date(2014, 10, 1), date_to=date(2015, 12, 31),
        modality=("claimed", "reported"), min_confidence=0.5, text="Kobani siege", article_id="abc",
    )
    assert EventFilter.from_params(**flt.to_params()) == flt


def test_from_params_empty_values_ignored():
    flt = EventFilter.from_params(types=None, actor="", country=None, bbox=(), modality=[])
    assert flt == EventFilter() and flt.is_empty()
    assert not EventFilter(min_confidence=0.0).is_empty()


def test_from_params_sequences_and_dates():
    flt = EventFilter.from_params(types=("AGREE", "consult,aid"), date_from=date(2015, 1, 2),
                                  date_to="2015-02")
    assert flt.types == ("AGREE", "CONSULT", "AID")
    assert flt.date_from == date(2015, 1, 2) and flt.date_to == date(2015, 2, 28)
    assert EventFilter.from_params(date_to="2016-02").date_to == date(2016, 2, 29)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"type": "BOMBING"}, "unknown event type"),
        ({"modality": "certain"}, "unknown modality"),
        ({"country": "XXX"}, "unknown country 'XXX'.*ISO 3166-1"),
        ({"actor_country": "Narnia"}, "unknown country 'Narnia'"),
        ({"country": "SYR,Atlantis"}, "unknown country 'Atlantis'"),
        ({"country": ","}, "bad country"),
        ({"text": "a\x00b"}, "control character U\\+0000"),
        ({"actor": "x" * 501}, "limit is 500"),
        ({"text": "caf\udce9"}, "not valid UTF-8"),
        ({"date_from": "0000"}, "YYYY-MM-DD"),
        ({"bbox": "1,2,3"}, "west,south,east,north"),
        ({"bbox": "a,b,c,d"}, "numbers"),
        ({"bbox": "0,50,10,40"}, "south <= north"),
        ({"bbox": "0,0,200,10"}, "-180..180"),
        ({"date_from": "13/10/2014"}, "YYYY-MM-DD"),
        ({"date_from": "2014-13"}, "YYYY-MM-DD"),
        ({"date_from": "2015-03-01", "date_to": "2015-02"}, "after date_to"),
        ({"min_confidence": "high"}, "between 0 and 1"),
        ({"min_confidence": "1.5"}, "between 0 and 1"),
        ({"text": "   "}, "empty search text"),
        ({"colour": "red"}, "unknown event filter"),
    ],
)
def test_from_params_errors(params, message):
    with pytest.raises(UserError, match=message):
        EventFilter.from_params(**params)


def test_several_countries():
    flt = EventFilter.from_params(country=["syr", "IRQ,syr"], actor_country="tur")
    assert flt.country == "SYR,IRQ" and flt.actor_country == "TUR"


def test_bare_strings_become_tuples():
    assert EventFilter(types="ASSAULT", modality="asserted").types == ("ASSAULT",)
    assert EventFilter(bbox=(1, 2, 3, 4)).bbox == (1.0, 2.0, 3.0, 4.0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015-01-26", (date(2015, 1, 26), date(2015, 1, 26))),
        ("2014-10", (date(2014, 10, 1), date(2014, 10, 31))),
        ("2016-02", (date(2016, 2, 1), date(2016, 2, 29))),
        ("2015-W06", (date(2015, 2, 2), date(2015, 2, 8))),
        ("2014", (date(2014, 1, 1), date(2014, 12, 31))),
        ("199X", (date(1990, 1, 1), date(1999, 12, 31))),
        ("19XX", (date(1900, 1, 1), date(1999, 12, 31))),
        ("2015-02-30", None),
        ("PRESENT_REF", None),
        (None, None),
        ("", None),
    ],
)
def test_date_range(value, expected):
    assert date_range(value) == expected


def test_fold():
    assert fold("MİT") == "mit"
    assert fold("Kobanî") == "kobani"
    assert fold("STRASSE") == fold("straße")


def test_fts5_query_quotes_terms():
    assert fts5_query('Kobani AND "siege" NEAR(x)') == '"Kobani" "AND" """siege""" "NEAR(x)"'
    with pytest.raises(UserError):
        fts5_query("-- ??")


@pytest.mark.parametrize(
    ("value", "code"),
    [("SYR", "SYR"), ("sy", "SYR"), ("Syria", "SYR"), ("syrian arab republic", "SYR"), ("Türkiye", "TUR"),
     ("turkey", "TUR"), ("Côte d'Ivoire", "CIV"), ("UK", "GBR"), ("Kosovo", "XKX"), ("mli", "MLI")],
)
def test_country_accepts_iso3_iso2_and_names(value, code):
    assert country_code(value) == code
    assert EventFilter.from_params(country=value).country == code


def test_unknown_country_suggests_close_names():
    with pytest.raises(UserError, match=r"did you mean .*Mali \(MLI\)"):
        country_code("Malli")


def test_repeated_list_filters_add_up_single_ones_refuse_a_second_value():
    flt = filter_from_values({"country": ["MLI", "TUR"], "type": ["ASSAULT", "protest,aid"],
                              "actor_country": ["Syria", "IRQ"], "modality": ["claimed"]})
    assert flt.country == "MLI,TUR" and flt.actor_country == "SYR,IRQ"
    assert flt.types == ("ASSAULT", "PROTEST", "AID") and flt.modality == ("claimed",)
    with pytest.raises(UserError, match="--actor given more than once"):
        filter_from_values({"actor": ["a", "b"]}, cli=True)
    with pytest.raises(UserError, match="since and date_from given more than once"):
        filter_from_values({"since": ["2015"], "date_from": ["2016"]})
    with pytest.raises(UserError, match="unknown filter 'colour'; use one of: type, actor"):
        filter_from_values({"colour": ["red"]})


def test_old_date_names_are_aliases():
    assert filter_from_values({"since": ["2015"], "until": ["2015-02"]}) == EventFilter(
        date_from=date(2015, 1, 1), date_to=date(2015, 2, 28))


def test_filter_params_are_the_filter_fields():
    assert {p.field for p in FILTER_PARAMS} == {f.name for f in fields(EventFilter)}
    assert FILTER_PARAMS[0].option == "--type" and FILTER_PARAMS[5].option == "--date-from"


def test_fts5_query_survives_nul_and_operators():
    assert fts5_query("a\x00b") == '"a" "b"'
    assert fts5_query('" * NEAR( a OR') == '"NEAR(" "a" "OR"'

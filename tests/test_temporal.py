"""Time expressions, normalisation against the publication date, event dating (real spaCy model)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from wirewatch.evaluate.scoring import TASKS
from wirewatch.evaluate.temporal import evaluate_time, match_relaxed, value_key
from wirewatch.records import EventDraft, Sentence, Span, TimeExpr
from wirewatch.temporal import (
    TimeTagger,
    fallback,
    grammar,
    is_historical,
    period_bounds,
    period_end,
    scanner,
)

FRI = date(2015, 2, 13)  # the Kobani article's publication date, a Friday
GOLD = Path(__file__).resolve().parent / "data" / "gold" / "time_news.jsonl"


@pytest.fixture(scope="module")
def tagger() -> TimeTagger:
    return TimeTagger()


def _find(nlp, tagger, text: str, published: date | None = FRI) -> list[TimeExpr]:
    return tagger.find(nlp(text), published)


def _only(nlp, tagger, text: str, published: date | None = FRI) -> TimeExpr:
    found = _find(nlp, tagger, text, published)
    assert len(found) == 1, found
    return found[0]


# every case of the issue, published Friday 2015-02-13: (sentence, extent, value, precision, kind)
ISSUE_CASES = [
    ("Hurriyet Daily reported on Thursday that militants crossed.", "Thursday", "2015-02-12", "day", "date"),
    ("The ministers will meet on Thursday in Geneva.", "Thursday", "2015-02-19", "day", "date"),
    ("Earlier on February 3, the service warned of attacks.", "February 3", "2015-02-03", "day", "date"),
    ("Earlier in October, a reporter obtained documents.", "October", "2014-10", "month", "date"),
    ("The army retook the airport last week.", "last week", "2015-W06", "week", "date"),
    ("Two soldiers were killed two days ago.", "two days ago", "2015-02-11", "day", "date"),
    ("Fighters retook the town on January 26.", "January 26", "2015-01-26", "day", "date"),
    ("The group seized the province in 2014.", "2014", "2014", "year", "date"),
    ("The siege lasted more than 100 days.", "more than 100 days", "P100D", None, "duration"),
    ("The conflict dates back to the 1990s.", "the 1990s", "199X", "decade", "date"),
    ("Police fired tear gas this morning.", "this morning", "2015-02-13", "day", "date"),
    ("Rebels shelled the city yesterday.", "yesterday", "2015-02-12", "day", "date"),
    ("The ministry cut subsidies last month.", "last month", "2015-01", "month", "date"),
    ("Elections are due next year.", "next year", "2016", "year", "date"),
    ("Fighting intensified in mid-2014.", "mid-2014", "2014", "year", "date"),
    ("Aid convoys arrived in late January.", "late January", "2015-01", "month", "date"),
    ("The president will visit Moscow in October.", "October", "2015-10", "month", "date"),
    ("The accord was signed on January 26, 2015 in Minsk.", "January 26, 2015", "2015-01-26", "day", "date"),
    ("Militants stormed the prison on Friday.", "Friday", "2015-02-13", "day", "date"),
    ("Negotiators are scheduled to meet on Monday.", "Monday", "2015-02-16", "day", "date"),
    ("Troops attacked the village over the weekend.", "the weekend", "2015-W06-WE", "week", "date"),
    ("The rebels first captured the city in May.", "May", "2014-05", "month", "date"),
    ("Oil exports fell in the first quarter of 2014.", "the first quarter of 2014", "2014-Q1", "month",
     "date"),
    ("Rebels captured the town on February 1. The next day, jets bombed it.", "The next day", "2015-02-02",
     "day", "date"),
    ("Rebels captured the town on February 1 and left the day before the army came.", "the day", None, None,
     "date"),
    ("Rebels captured the town on February 1 and had arrived the day before.", "the day before",
     "2015-01-31", "day", "date"),
    ("Clashes on March 3-5 killed 40 people.", "5", "2014-03-05", "day", "date"),
    ("Rebels attacked on the 26th, officials said.", "the 26th", "2015-01-26", "day", "date"),
    ("Rebels attacked on the 11th, officials said.", "the 11th", "2015-02-11", "day", "date"),
    ("A three-day truce began.", "three-day", "P3D", None, "duration"),
    ("Demonstrators gather every Friday.", "every Friday", "XXXX-WXX-5", None, "set"),
    ("The war has lasted a decade.", "a decade", "P10Y", None, "duration"),
    ("It was a day of mourning in the capital.", None, None, None, None),  # "a day" alone: no duration
    ("He was jailed for a decade.", "a decade", "P10Y", None, "duration"),
    ("Rebels struck on the night of January 5th.", "the night of January 5th", "2015-01-05", "day", "date"),
    ("The attack on Christmas Eve killed 12.", "Christmas Eve", "2014-12-24", "day", "date"),
    # a month told with the year relative to publication: one expression, not a month of this year
    ("Two men were arrested in January of last year.", "January of last year", "2014-01", "month", "date"),
    ("He was arrested in March last year.", "March last year", "2014-03", "month", "date"),
    ("Elections are due in June next year.", "June next year", "2016-06", "month", "date"),
    ("Pompeo joined the meeting on March 20 last year.", "March 20 last year", "2014-03-20", "day", "date"),
    ("The talks resume on 4 May next year.", "4 May next year", "2016-05-04", "day", "date"),
    ("In January, last year's budget ran out.", "January", "2015-01", "month", "date"),
]


@pytest.mark.parametrize(("sentence", "extent", "value", "precision", "kind"), ISSUE_CASES)
def test_issue_cases(nlp, tagger, sentence, extent, value, precision, kind):
    found = [t for t in _find(nlp, tagger, sentence) if t.kind != "published"]
    if extent is None:
        assert found == []
        return
    hits = [t for t in found if t.text == extent]
    assert hits, f"{extent!r} not found in {found}"
    t = hits[0]
    assert (t.value, t.precision, t.kind) == (value, precision, kind)
    assert sentence[t.start : t.end] == extent


def test_string_parse_without_spacy():
    found = scanner.parse("Talks began on January 26, two days ago, and ended the next day.", FRI)
    assert [(m.rule, m.value, m.precision) for m in found] == [
        ("full_date", "2015-01-26", "day"), ("ago", "2015-02-11", "day"), ("anaphoric", "2015-02-12", "day")]
    assert scanner.parse("Talks began two days ago.", None)[0].value is None


def test_weekday_on_publication_day_and_tense():
    ctx_past = grammar.Context(FRI, future=False)
    ctx_future = grammar.Context(FRI, future=True)
    assert grammar.resolve_weekday(4, ctx_past) == "2015-02-13"  # Friday, published Friday: same day
    assert grammar.resolve_weekday(3, ctx_future) == "2015-02-19"
    assert grammar.resolve_weekday(4, ctx_past, "last") == "2015-02-06"
    assert grammar.resolve_weekday(0, ctx_past, "next") == "2015-02-16"
    # a month or a day without a year wraps back over the new year
    assert grammar.resolve_month(12, grammar.Context(date(2015, 1, 5))) == "2014-12"
    assert grammar.resolve_month_day(12, 31, grammar.Context(date(2015, 1, 5))) == "2014-12-31"
    assert grammar.resolve_month(1, grammar.Context(date(2014, 12, 30), future=True)) == "2015-01"
    assert grammar.resolve_month_day(2, 29, grammar.Context(FRI)) == "2012-02-29"


def test_not_years_and_not_months(nlp, tagger):
    assert _find(nlp, tagger, "About 2000 troops were deployed and 1,990 families fled.") == []
    assert _find(nlp, tagger, "Britain's Theresa May said the strikes may continue.") == []
    assert [t.text for t in _find(nlp, tagger, "The 2014 elections were marred by fraud.")] == ["2014"]


def test_no_false_alarms(nlp, tagger):
    text = "Rebels attacked for a second time and the second wave of refugees arrived."
    assert _find(nlp, tagger, text) == []
    assert _find(nlp, tagger, "") == []
    assert _find(nlp, tagger, "   \n ") == []


def test_no_publication_date(nlp, tagger):
    found = _find(nlp, tagger, "Troops entered the city on Thursday, a week after the accord of "
                               "January 26, 2015, and last month's raids.", published=None)
    by_text = {t.text: t for t in found}
    assert (by_text["Thursday"].value, by_text["Thursday"].precision) == (None, None)
    assert (by_text["last month"].value, by_text["last month"].precision) == (None, None)
    assert (by_text["January 26, 2015"].value, by_text["January 26, 2015"].precision) == ("2015-01-26", "day")
    # a day without a year cannot be placed without a publication date either
    assert _only(nlp, tagger, "Talks began on January 26.", published=None).value is None
    assert fallback.parse_date("on 26th January", None) is None  # dateparser would use today's clock


def test_offsets_exact_on_the_kobani_article(kobani_doc, kobani_text, tagger):
    found = tagger.find(kobani_doc, FRI)
    assert [t.text for t in found if t.kind == "date"][:3] == ["Thursday", "January 26", "February 3"]
    for t in found:
        assert kobani_text[t.start : t.end] == t.text
        span = kobani_doc[t.token_start : t.token_end]
        assert span.start_char <= t.start and span.end_char >= t.end
    duration = next(t for t in found if t.text == "more than 100 days")
    assert (duration.kind, duration.value, duration.precision) == ("duration", "P100D", None)
    october = next(t for t in found if t.text == "October")
    assert (october.value, october.precision) == ("2014-10", "month")


def test_offsets_with_dotted_capital_i(nlp, tagger):
    text = "MİT and İstanbul police said on Thursday that the raid happened two days ago."
    for t in _find(nlp, tagger, text):
        assert text[t.start : t.end] == t.text
    assert [t.value for t in _find(nlp, tagger, text)] == ["2015-02-12", "2015-02-11"]


def _draft(doc, word: str, nth: int = 0) -> EventDraft:
    tok = [t for t in doc if t.text == word][nth]
    sents = list(doc.sents)
    sent = tok.sent
    return EventDraft(
        sentence=Sentence(sents.index(sent), sent.start_char, sent.end_char),
        event_type="ASSAULT",
        trigger=Span(tok.text, tok.idx, tok.idx + len(tok)),
        trigger_token=tok.i,
        source=(),
        target=(),
        modality="asserted",
    )


def test_kobani_events_are_dated(kobani_doc, tagger):
    timexes = tagger.find(kobani_doc, FRI)

    def when(word: str) -> TimeExpr:
        return tagger.date_event(kobani_doc, _draft(kobani_doc, word), timexes, FRI)

    retook = when("retook")
    assert (retook.text, retook.value, retook.precision) == ("January 26", "2015-01-26", "day")
    warned = when("warned")
    assert (warned.text, warned.value, warned.precision) == ("February 3", "2015-02-03", "day")
    obtained = when("obtained")
    assert (obtained.text, obtained.value, obtained.precision) == ("October", "2014-10", "month")
    # the report is dated Thursday; the crossing it reports is not
    assert when("reported").value == "2015-02-12"
    crossed = when("crossed")
    assert (crossed.text, crossed.value, crossed.precision, crossed.kind) == (
        None, "2015-02-13", "published", "published")
    # a sentence without any date falls back to the publication date
    assert when("scattered").precision == "published"


def test_own_clause_beats_reporting_clause(nlp, tagger):
    doc = nlp("The agency reported on Thursday that rebels had shelled the town on Monday.")
    timexes = tagger.find(doc, FRI)
    assert tagger.date_event(doc, _draft(doc, "shelled"), timexes, FRI).value == "2015-02-09"
    assert tagger.date_event(doc, _draft(doc, "reported"), timexes, FRI).value == "2015-02-12"


def test_relative_clause_keeps_its_own_date(nlp, tagger):
    doc = nlp("Rebels, who captured the town in 2012, attacked the army base on Monday.")
    timexes = tagger.find(doc, FRI)
    assert tagger.date_event(doc, _draft(doc, "attacked"), timexes, FRI).value == "2015-02-09"
    captured = tagger.date_event(doc, _draft(doc, "captured"), timexes, FRI)
    assert (captured.value, captured.precision) == ("2012", "year")
    assert is_historical(captured, FRI)


def test_durations_never_date_events(nlp, tagger):
    doc = nlp("Rebels besieged the town for more than 100 days.")
    when = tagger.date_event(doc, _draft(doc, "besieged"), tagger.find(doc, FRI), FRI)
    assert (when.kind, when.precision, when.value) == ("published", "published", "2015-02-13")


def test_dateline_dates_undated_events(nlp, tagger):
    doc = nlp("ANKARA, Feb 12 (Reuters) - Turkish troops shelled positions. Later, jets bombed a depot.")
    timexes = tagger.find(doc, FRI)
    when = tagger.date_event(doc, _draft(doc, "bombed"), timexes, FRI)
    assert (when.text, when.value) == ("Feb 12", "2015-02-12")
    doc = nlp("BEIRUT, Lebanon, Feb. 11 — Jets bombed a depot. Rebels said they lost a tank.")
    when = tagger.date_event(doc, _draft(doc, "lost"), tagger.find(doc, FRI), FRI)
    assert (when.text, when.value) == ("Feb. 11", "2015-02-11")
    doc = nlp("Officials said that on Feb 12 (Thursday) - oddly - jets bombed a depot. Rebels lost a tank.")
    assert tagger.date_event(doc, _draft(doc, "lost"), tagger.find(doc, FRI), FRI).precision == "published"


def test_no_publication_date_event(nlp, tagger):
    doc = nlp("Rebels shelled the town.")
    when = tagger.date_event(doc, _draft(doc, "shelled"), tagger.find(doc, None), None)
    assert (when.value, when.precision, when.kind, when.text) == (None, "published", "published", None)


def _expr(value: str | None, precision: str | None, kind: str = "date", text: str = "x") -> TimeExpr:
    return TimeExpr(text, 0, 1, value, precision, kind)


def test_is_historical():
    assert is_historical(_expr("199X", "decade"), FRI)
    assert is_historical(_expr("2013", "year"), FRI)  # ended 2013-12-31, 409 days before
    assert is_historical(_expr("2013-11-02", "day"), FRI)
    assert not is_historical(_expr("2014", "year"), FRI)  # ended 44 days before
    assert not is_historical(_expr("2014-10", "month"), FRI)
    assert not is_historical(_expr("2014-02-14", "day"), FRI)  # exactly 364 days
    # a text that names an earlier calendar year is background (guideline): "in 2014", "October 2014"
    assert is_historical(_expr("2014", "year", text="in 2014"), FRI)
    assert is_historical(_expr("2014-10", "month", text="October 2014"), FRI)
    assert is_historical(_expr("2014-01", "month", text="January of last year"), FRI)
    assert not is_historical(_expr("2014-10", "month", text="last October"), FRI)  # recent, no year named
    assert not is_historical(_expr("2014-12-30", "day", text="on December 30"), FRI)
    assert not is_historical(_expr("2015-01", "month", text="January 2015"), FRI)  # the same year
    assert not is_historical(_expr("P10Y", None, "duration"), FRI)
    assert not is_historical(_expr("2015-02-13", "published", "published"), FRI)
    assert not is_historical(_expr("199X", "decade"), None)
    assert period_end("2015-W06") == date(2015, 2, 8)
    assert period_end("2014-Q1") == date(2014, 3, 31)
    assert period_end("2012-02") == date(2012, 2, 29)
    assert period_bounds("2015-W06-WE") == (date(2015, 2, 7), date(2015, 2, 8))
    assert period_bounds("2015-WI") == (date(2015, 12, 1), date(2016, 2, 29))
    assert period_bounds("19XX") == (date(1900, 1, 1), date(1999, 12, 31))
    assert period_bounds("P10Y") is None and period_bounds(None) is None


def test_dateparser_fallback_is_gated_and_fixed():
    assert not fallback.gate("more than 100 days")  # dateparser makes it a date 100 days back
    assert not fallback.gate("the 1990s")  # dateparser reads "1990 seconds ago"
    assert not fallback.gate("89")  # an age; dateparser makes it the year 1989
    assert fallback.parse_date("on the 26th of January", FRI) == ("2015-01-26", "day")
    assert fallback.parse_date("February 20", FRI, future=True) == ("2015-02-20", "day")


def test_match_relaxed_and_value_key():
    assert match_relaxed([(0, 5), (10, 20)], [(1, 4), (10, 20), (30, 31)]) == [(1, 1), (0, 0)]
    assert value_key("2013-03-22T10:00", None) == "2013-03-22"
    assert value_key("PRESENT_REF", date(2013, 3, 22)) == "2013-03-22"
    assert value_key("PAST_REF", None) is None


def test_eval_task_on_news_gold(nlp):
    from types import SimpleNamespace

    report = TASKS["time"](GOLD, SimpleNamespace(nlp=nlp, time=TimeTagger()))
    m = report.metrics
    assert m["gold_timexes"] >= 60
    assert m["strict_f1"] >= 0.9 and m["relaxed_f1"] >= 0.95
    assert m["value_accuracy_relaxed"] >= 0.9


def test_eval_task_counts_errors(nlp, tmp_path):
    from types import SimpleNamespace

    text = "Rebels attacked on Thursday and again in March."
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"text": text, "published": "2015-02-13", "timexes": [
        {"start": text.index("Thursday"), "end": text.index("Thursday") + 8, "value": "2015-02-11"},
        {"start": 0, "end": 6, "value": "2015"},
    ]}) + "\n", encoding="utf-8")
    report = evaluate_time(gold, SimpleNamespace(nlp=nlp, time=TimeTagger()))
    m = report.metrics
    assert (m["gold_timexes"], m["predicted_timexes"]) == (2.0, 2.0)
    assert m["strict_recall"] == 0.5 and m["strict_precision"] == 0.5
    assert m["value_accuracy_strict"] == 0.0  # Thursday is 2015-02-12, the gold says otherwise

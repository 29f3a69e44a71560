"""Store tests on real SQLite files (and on PostgreSQL via tests/test_postgres.py, which reuses them).

Records are built directly (the NLP stages are not needed): "MİT", curly quotes and emoji in the text.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from datetime import date

import pytest
from helpers import as_extracted, find_span
from sqlalchemy import func, select

from wirewatch.errors import UserError
from wirewatch.query import EventFilter
from wirewatch.records import (
    Actor,
    AnalyzedArticle,
    Article,
    Attribution,
    Event,
    Mention,
    Place,
    Sentence,
    Span,
    TimeExpr,
    Toponym,
)
from wirewatch.store import Store
from wirewatch.store import schema as sch
from wirewatch.store.migrations import MIGRATIONS

TEXT = (
    "The MİT, Turkey’s National Intelligence Organization 🇹🇷, warned on Thursday that Daesh "
    "militants have crossed into Turkey, “Hurriyet Daily” reported. Turkey could close the border. "
    "Kurdish Peshmerga fighters retook the town of Kobani in Syria on January 26 💥. "
    "Protesters rallied in Ankara in October 2014 😡."
)
TEXT2 = "Syrian government forces shelled Aleppo on Monday, the Syrian Observatory said. Talks failed."

MIT = Actor("TURSPY", "National Intelligence Organization", "TUR", "SPY", True)
ISIL = Actor("IMGMUSISI", "Islamic State", None, "INS", True)
PESH = Actor("IRQMIL_PESH", "Peshmerga", "IRQ", "MIL", True)
PROT = Actor("TURCVL_protesters", "protesters", "TUR", "CVL", False)
SYRGOV = Actor("SYRMIL", "Syrian Armed Forces", "SYR", "MIL", True)

TURKEY = Place(298795, "Turkey", "TUR", None, 39.0, 35.0, "PCLI", "country")
KOBANI = Place(7838005, "Kobanî", "SYR", "Aleppo", 36.89, 38.35, "PPLA2", "city", "Ayn al Arab", 44821)
ANKARA = Place(323786, "Ankara", "TUR", "Ankara", 39.91987, 32.85427, "PPLC", "city", None, 3517182)
ALEPPO = Place(170063, "Aleppo", "SYR", "Aleppo", 36.20124, 37.16117, "PPLA", "city", None, 1602264)


def mention(text: str, needle: str, actor: Actor, nth: int = 0) -> Mention:
    s, e = find_span(text, needle, nth)
    return Mention(needle, s, e, actor, token_start=s // 5, token_end=e // 5, head=e // 5)


def toponym(text: str, needle: str, place: Place | None, nth: int = 0) -> Toponym:
    s, e = find_span(text, needle, nth)
    return Toponym(needle, s, e, place, token_start=s // 5, token_end=e // 5, score=0.75)


def timex(text: str, needle: str, value: str, precision: str) -> TimeExpr:
    s, e = find_span(text, needle)
    return TimeExpr(needle, s, e, value, precision, "date", s // 5, e // 5)


def sentences(text: str) -> tuple[Sentence, ...]:
    out, start = [], 0
    for i, part in enumerate(text.split(". ")):
        end = start + len(part) + (1 if i < text.count(". ") else 0)
        out.append(Sentence(i, start, end))
        start = end + 1
    return tuple(out)


def kobani_article() -> AnalyzedArticle:
    """Four events: reported (attribution chain), possible (no place, publication date), asserted
    (joint target, curly-quote sentence), historical (month precision)."""
    art = Article("art-kobani", TEXT, url="https://example.org/kobani", title="MİT warns of Daesh 💥",
                  source="Hurriyet Daily", published=date(2015, 2, 13), origin="test.txt")
    sents = sentences(TEXT)
    m_mit = mention(TEXT, "MİT", MIT)
    m_daesh = mention(TEXT, "Daesh militants", ISIL)
    m_turkey = mention(TEXT, "Turkey", Actor("TURGOV", "Turkey", "TUR", "GOV", True), nth=2)
    m_pesh = mention(TEXT, "Kurdish Peshmerga fighters", PESH)
    m_prot = mention(TEXT, "Protesters", PROT)
    t_turkey = toponym(TEXT, "Turkey", TURKEY, nth=1)
    t_kobani = toponym(TEXT, "Kobani", KOBANI)
    t_ankara = toponym(TEXT, "Ankara", ANKARA)
    x_thu = timex(TEXT, "Thursday", "2015-02-12", "day")
    x_jan = timex(TEXT, "January 26", "2015-01-26", "day")
    x_oct = timex(TEXT, "October 2014", "2014-10", "month")
    published = TimeExpr(None, None, None, "2015-02-13", "published", "published")
    hd = Attribution("Hurriyet Daily", *find_span(TEXT, "Hurriyet Daily"), "MEDHURRIYET", "reporter")
    claim = Attribution("MİT", *find_span(TEXT, "MİT"), "TURSPY", "claimant")

    def ev(eid, sent, etype, trig, src, tgt, loc, when, modality, conf, **kw) -> Event:
        s, e = find_span(TEXT, trig)
        return Event(eid, art, sents[sent], etype, kw.get("mode"), kw.get("contexts", ()),
                     kw.get("cameo_root"), Span(trig, s, e), src, tgt, loc, when, modality,
                     kw.get("attribution", ()), conf)

    events = (
        ev("ev_warn", 0, "THREATEN", "warned", (m_mit,), (m_daesh,), t_turkey, x_thu, "reported",
           0.8123456, attribution=(hd, claim), cameo_root="13", contexts=("terrorism", "intelligence")),
        ev("ev_close", 1, "SANCTION", "close", (m_turkey,), (), None, published, "possible", 0.41,
           mode="border"),
        ev("ev_retook", 2, "ASSAULT", "retook", (m_pesh,), (m_daesh, m_mit), t_kobani, x_jan, "asserted",
           0.87, contexts=("military",), cameo_root="19"),
        ev("ev_rally", 3, "PROTEST", "rallied", (m_prot,), (), t_ankara, x_oct, "historical", 0.3),
    )
    return AnalyzedArticle(
        art, sents, (m_mit, m_daesh, m_pesh, m_prot),  # m_turkey only appears in an event
        (toponym(TEXT, "Turkey", TURKEY), t_turkey, t_kobani, t_ankara, toponym(TEXT, "Syria", None)),
        (x_thu, x_jan, x_oct), events,
    )


def aleppo_article(article_id: str = "art-aleppo", text: str = TEXT2) -> AnalyzedArticle:
    art = Article(article_id, text, published=date(2016, 8, 2), title=None, source="SOHR")
    sents = sentences(text)
    m_gov = mention(text, "Syrian government forces", SYRGOV)
    t_aleppo = toponym(text, "Aleppo", ALEPPO)
    x_mon = timex(text, "Monday", "2016-08-01", "day")
    s, e = find_span(text, "shelled")
    att = Attribution("the Syrian Observatory", *find_span(text, "the Syrian Observatory"), None, "reporter")
    ev = Event(f"ev_shell_{article_id}", art, sents[0], "ASSAULT", None, ("military",), "19",
               Span("shelled", s, e), (m_gov,), (), t_aleppo, x_mon, "reported", (att,), 0.66)
    return AnalyzedArticle(art, sents, (m_gov,), (t_aleppo,), (x_mon,), (ev,))


@pytest.fixture
def store_url(tmp_path) -> str:
    """Overridden in test_postgres.py to run every test here on PostgreSQL."""
    return f"sqlite:///{tmp_path / 'ww.db'}"


@pytest.fixture
def store(store_url):
    with Store.open(store_url) as st:
        yield st


@pytest.fixture
def filled(store):
    assert store.add_analyzed(kobani_article(), minhash=b"\x01\x02\x00\xff")
    assert store.add_analyzed(aleppo_article())
    return store


@pytest.fixture(scope="module")
def shared_url(tmp_path_factory) -> str:
    """One database for the read-only tests (overridden in test_postgres.py)."""
    return f"sqlite:///{tmp_path_factory.mktemp('shared') / 'ww.db'}"


@pytest.fixture(scope="module")
def ro(shared_url):
    """A filled store that tests only read from."""
    with Store.open(shared_url) as st:
        assert st.add_analyzed(kobani_article(), minhash=b"\x01\x02\x00\xff")
        assert st.add_analyzed(aleppo_article())
        yield st


def ids(records) -> list[str]:
    return [r["id"] for r in records]


# -- round trip --------------------------------------------------------------------------------------

def test_round_trip_is_exact(store):
    an = kobani_article()
    assert store.add_analyzed(an)
    got = store.events(EventFilter(), order="article")
    want = [e.to_dict() for e in an.events]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert w["incident"] is None and g["incident"].startswith("inc_")  # the store links events
        w["incident"] = g["incident"]
        for key in w:
            assert g[key] == w[key], key
        assert g == w
    # offsets hold against the stored text
    for rec in got:
        for role in ("source", "target", "attribution"):
            for m in rec[role]:
                assert TEXT[m["start"]:m["end"]] == m["text"]
        assert TEXT[rec["trigger"]["start"]:rec["trigger"]["end"]] == rec["trigger"]["text"]


def test_round_trip_per_event_and_iter(ro):
    want = [e.to_dict() for e in (*kobani_article().events, *aleppo_article().events)]
    assert [as_extracted(r) for r in ro.iter_events(EventFilter(), batch=2)] == want
    assert [as_extracted(r) for r in ro.iter_events(EventFilter(), batch=1000)] == want
    for w in want:
        got = ro.event(w["id"])
        assert got is not None
        assert as_extracted({k: v for k, v in got.items() if k != "evidence"}) == w


def test_children_stored(filled):
    with filled.engine.connect() as conn:
        n = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in sch.TABLES}
    assert n["articles"] == 2
    assert n["events"] == 5
    assert n["sentences"] == 4 + 2
    assert n["mentions"] == 5 + 1  # the event-only "Turkey" mention is kept too
    assert n["toponyms"] == 5 + 1
    assert n["places"] == 4  # unresolved "Syria" has no place
    assert n["timexes"] == 4 + 1  # + the publication-date stand-in
    assert n["event_actors"] == 8
    assert n["attributions"] == 3
    assert n["actor_keys"] == 6  # distinct (actor, mention text) pairs used by events


# -- idempotency, transactions, duplicates -----------------------------------------------------------

def test_idempotent(filled):
    before = filled.stats()
    assert filled.has_article("art-kobani")
    assert not filled.add_analyzed(kobani_article())
    assert filled.add_many([kobani_article(), aleppo_article(), kobani_article()]) == 0
    assert filled.stats() == before


def test_add_many_skips_repeats(store):
    added = store.add_many([kobani_article(), aleppo_article(), kobani_article(), aleppo_article("b2")])
    assert added == 3
    assert store.count_events() == 6


def test_aborted_transaction_leaves_nothing(store):
    good = kobani_article()
    bad_attr = replace(good.events[0].attribution[0], role=None)  # NOT NULL: fails on the last table
    bad_event = replace(good.events[0], attribution=(bad_attr,))
    bad = replace(good, events=(bad_event, *good.events[1:]))
    with pytest.raises(Exception, match="(?i)null"):
        store.add_analyzed(bad)
    assert not store.has_article("art-kobani")
    with store.engine.connect() as conn:
        for t in sch.TABLES:
            assert conn.execute(select(func.count()).select_from(t)).scalar_one() == 0, t.name
    # the store still works and the same article can be added afterwards
    assert store.add_analyzed(good)
    assert store.count_events() == 4


def test_duplicate_link(filled):
    dup = Article("art-kobani-copy", TEXT + " (syndicated)", source="Daily Sabah")
    assert filled.add_duplicate(dup, "art-kobani")
    assert not filled.add_duplicate(dup, "art-kobani")
    dup2 = Article("art-kobani-copy2", TEXT + " (copy of copy)")
    assert filled.add_duplicate(dup2, "art-kobani-copy")  # linked to the root
    art = filled.article("art-kobani")
    assert art["duplicates"] == ["art-kobani-copy", "art-kobani-copy2"]
    assert art["events"] == ["ev_warn", "ev_close", "ev_retook", "ev_rally"]
    assert art["text"] == TEXT and art["published"] == "2015-02-13" and art["analyzed"]
    copy = filled.article("art-kobani-copy2")
    assert copy["duplicate_of"] == "art-kobani" and not copy["analyzed"] and copy["events"] == []
    stats = filled.stats()
    assert stats["articles"] == 2 and stats["duplicates"] == 2 and stats["events"] == 5
    with pytest.raises(UserError, match="not in the database"):
        filled.add_duplicate(Article("x", "x"), "missing")
    assert filled.article("nope") is None


def test_minhashes_and_articles(ro):
    assert list(ro.minhashes()) == [("art-kobani", b"\x01\x02\x00\xff")]
    listed = ro.articles(limit=10)
    assert [a["id"] for a in listed] == ["art-aleppo", "art-kobani"]
    assert [a["n_events"] for a in listed] == [1, 4]
    assert "text" not in listed[0]
    assert [a["id"] for a in ro.articles(limit=1, offset=1)] == ["art-kobani"]


# -- filters -----------------------------------------------------------------------------------------

FILTER_CASES = [
    (EventFilter(), ["ev_rally", "ev_retook", "ev_warn", "ev_close", "ev_shell_art-aleppo"]),
    (EventFilter(types=("ASSAULT",)), ["ev_retook", "ev_shell_art-aleppo"]),
    (EventFilter(types=("ASSAULT", "PROTEST")), ["ev_rally", "ev_retook", "ev_shell_art-aleppo"]),
    (EventFilter(actor="mit"), ["ev_retook", "ev_warn"]),  # MİT folds to "mit"; target too
    (EventFilter(actor="MİT"), ["ev_retook", "ev_warn"]),
    (EventFilter(actor="peshmerga"), ["ev_retook"]),
    (EventFilter(actor="SYRMIL"), ["ev_shell_art-aleppo"]),
    (EventFilter(actor="50%_"), []),  # LIKE wildcards are literal
    (EventFilter(actor_country="TUR"), ["ev_rally", "ev_retook", "ev_warn", "ev_close"]),
    (EventFilter(actor_country="IRQ"), ["ev_retook"]),
    (EventFilter(country="SYR"), ["ev_retook", "ev_shell_art-aleppo"]),
    (EventFilter(country="TUR"), ["ev_rally", "ev_warn"]),
    (EventFilter.from_params(country="tur,SYR"), ["ev_rally", "ev_retook", "ev_warn", "ev_shell_art-aleppo"]),
    (EventFilter.from_params(actor_country="IRQ,SYR"), ["ev_retook", "ev_shell_art-aleppo"]),
    (EventFilter(bbox=(36.0, 35.0, 40.0, 38.0)), ["ev_retook", "ev_shell_art-aleppo"]),
    (EventFilter(bbox=(30.0, 38.0, 36.0, 41.0)), ["ev_rally", "ev_warn"]),
    (EventFilter(bbox=(170.0, -10.0, -170.0, 10.0)), []),  # antimeridian box
    (EventFilter(date_from=date(2015, 1, 1), date_to=date(2015, 1, 31)), ["ev_retook"]),
    (EventFilter(date_from=date(2015, 2, 12)), ["ev_warn", "ev_close", "ev_shell_art-aleppo"]),
    (EventFilter(date_to=date(2014, 12, 31)), ["ev_rally"]),
    # month precision: "2014-10" overlaps a range inside October
    (EventFilter(date_from=date(2014, 10, 15), date_to=date(2014, 10, 20)), ["ev_rally"]),
    (EventFilter(date_from=date(2014, 11, 1), date_to=date(2014, 11, 20)), []),
    (EventFilter(modality=("reported",)), ["ev_warn", "ev_shell_art-aleppo"]),
    (EventFilter(modality=("possible", "historical")), ["ev_rally", "ev_close"]),
    (EventFilter(min_confidence=0.8), ["ev_retook", "ev_warn"]),
    (EventFilter(min_confidence=0.87), ["ev_retook"]),
    (EventFilter(text="Peshmerga"), ["ev_rally", "ev_retook", "ev_warn", "ev_close"]),
    (EventFilter(text="observatory shelled"), ["ev_shell_art-aleppo"]),
    (EventFilter(text="peshmerga aleppo"), []),
    (EventFilter(article_id="art-aleppo"), ["ev_shell_art-aleppo"]),
    (EventFilter(types=("ASSAULT",), country="SYR", text="Kurdish", min_confidence=0.5), ["ev_retook"]),
]


@pytest.mark.parametrize(("flt", "expected"), FILTER_CASES, ids=[str(i) for i in range(len(FILTER_CASES))])
def test_filters(ro, flt, expected):
    assert ids(ro.events(flt, limit=50)) == expected
    assert ro.count_events(flt) == len(expected)
    assert sorted(ids(ro.iter_events(flt, batch=2))) == sorted(expected)


@pytest.mark.parametrize(
    ("query", "n"),
    [('AND OR "(', 0), ("NEAR(a b)", 0), ("title:x", 0), ("a*b -c ^d", 0), ("Turkey’s", 4),
     ('"Kurdish" fighters', 4), ("kobani OR aleppo", 0)],
)
def test_text_filter_is_safe(ro, query, n):
    # FTS syntax in user text is matched literally (terms ANDed), never a traceback
    assert len(ro.events(EventFilter(text=query))) == n
    assert ro.count_events(EventFilter(text=query)) == n


def test_text_filter_no_words(ro):
    # FTS5 would reject an empty query: say so, and the same on PostgreSQL (was: [] there)
    with pytest.raises(UserError, match="no words"):
        ro.events(EventFilter(text="?? --"))


def test_order_and_paging(ro):
    by_date = ids(ro.events(limit=100))
    assert by_date == ["ev_rally", "ev_retook", "ev_warn", "ev_close", "ev_shell_art-aleppo"]
    assert ids(ro.events(limit=2)) == by_date[:2]
    assert ids(ro.events(limit=2, offset=2)) == by_date[2:4]
    assert ids(ro.events(limit=2, offset=4)) == by_date[4:]
    assert ro.events(limit=2, offset=10) == []
    assert ids(ro.events(order="-date")) == ["ev_shell_art-aleppo", "ev_close", "ev_warn",
                                                 "ev_retook", "ev_rally"]
    assert ids(ro.events(order="-confidence"))[0] == "ev_retook"
    with pytest.raises(UserError, match="unknown order"):
        ro.events(order="random")


def test_aggregate(ro):
    assert ro.aggregate(EventFilter(), "day") == [
        {"key": "2014-10-01", "count": 1}, {"key": "2015-01-26", "count": 1},
        {"key": "2015-02-12", "count": 1}, {"key": "2015-02-13", "count": 1},
        {"key": "2016-08-01", "count": 1},
    ]
    assert ro.aggregate(EventFilter(), "month") == [
        {"key": "2014-10", "count": 1}, {"key": "2015-01", "count": 1}, {"key": "2015-02", "count": 2},
        {"key": "2016-08", "count": 1},
    ]
    assert ro.aggregate(EventFilter(), "year")[1] == {"key": "2015", "count": 3}
    assert ro.aggregate(EventFilter(), "type")[0] == {"key": "ASSAULT", "count": 2}
    assert ro.aggregate(EventFilter(country="TUR"), "type") == [
        {"key": "PROTEST", "count": 1}, {"key": "THREATEN", "count": 1},
    ]
    assert ro.aggregate(EventFilter(), "country") == [  # unlocated events left out
        {"key": "SYR", "count": 2}, {"key": "TUR", "count": 2},
    ]
    assert ro.aggregate(EventFilter(types=("ASSAULT",)), "modality") == [
        {"key": "asserted", "count": 1}, {"key": "reported", "count": 1},
    ]
    with pytest.raises(UserError, match="cannot aggregate"):
        ro.aggregate(EventFilter(), "weekday")


def test_actors(ro):
    top = ro.actors(EventFilter(), limit=3)
    assert top[0]["actor_id"] == "IMGMUSISI" and top[0]["events"] == 2 and top[0]["as_target"] == 2
    assert top[1]["actor_id"] == "TURSPY" and top[1]["as_source"] == 1 and top[1]["as_target"] == 1
    assert len(top) == 3
    syr = ro.actors(EventFilter(country="SYR"))
    assert {a["actor_id"] for a in syr} == {"IRQMIL_PESH", "IMGMUSISI", "TURSPY", "SYRMIL"}
    assert {a["actor_id"]: a["country"] for a in syr}["IRQMIL_PESH"] == "IRQ"
    assert ro.actors(EventFilter(types=("AGREE",))) == []


def test_event_evidence(ro):
    ev = ro.event("ev_warn")
    evid = ev["evidence"]
    assert evid["article_text"] == TEXT
    assert evid["sentence_text"].startswith("The MİT, Turkey’s") and evid["sentence_text"].endswith(".")
    roles = [s["role"] for s in evid["spans"]]
    assert sorted(roles) == sorted(["trigger", "source", "target", "location", "date", "attribution",
                                    "attribution"])
    for s in evid["spans"]:
        assert TEXT[s["start"]:s["end"]] == s["text"]
    assert [s["start"] for s in evid["spans"]] == sorted(s["start"] for s in evid["spans"])
    close = ro.event("ev_close")["evidence"]["spans"]
    assert "date" not in {s["role"] for s in close}  # publication-date stand-in has no span
    assert ro.event("ev_missing") is None


# -- schema, migrations, SQLite specifics -------------------------------------------------------------

def test_migrations_recorded(store, store_url):
    names = [name for name, _ in MIGRATIONS]
    assert store.migrations() == names
    store.close()
    with Store.open(store_url) as again:  # reopening applies nothing new
        assert again.migrations() == names
        assert again.stats()["migrations"] == names


def test_sqlite_pragmas_and_fts_triggers(filled):
    if filled.dialect != "sqlite":
        pytest.skip("SQLite only")
    with filled.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    with filled._write() as conn:  # the update trigger keeps the FTS index current
        conn.exec_driver_sql("UPDATE articles SET text = 'Talks in Geneva.' WHERE id = 'art-aleppo'")
    assert ids(filled.events(EventFilter(text="geneva"))) == ["ev_shell_art-aleppo"]
    assert filled.events(EventFilter(text="shelled")) == []
    path = filled.engine.url.database
    raw = sqlite3.connect(path)
    try:
        plan = " ".join(
            str(r) for r in raw.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM events WHERE lat BETWEEN 30 AND 40 "
                "AND lon BETWEEN 30 AND 40 AND date_end >= '2015-01-01' AND date_start <= '2015-12-31'"
            )
        )
    finally:
        raw.close()
    assert re.search("USING (COVERING )?INDEX", plan), plan


def test_open_errors(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        Store.open(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}")
    with pytest.raises(UserError, match="unsupported database"):
        Store.open("mysql://localhost/x")
    with Store.open(str(tmp_path / "bare.db")) as st:  # a bare path means SQLite
        assert st.dialect == "sqlite" and st.stats()["events"] == 0


def test_env_default(tmp_path, monkeypatch):
    monkeypatch.setenv("WIREWATCH_DB", f"sqlite:///{tmp_path / 'env.db'}")
    with Store.open() as st:
        st.add_analyzed(aleppo_article())
    assert (tmp_path / "env.db").exists()


def test_duplicate_event_id_in_one_article_is_skipped(store):
    an = kobani_article()
    twin = replace(an.events[2], confidence=0.1)  # same id (same trigger span + type)
    assert store.add_analyzed(replace(an, events=(*an.events, twin)))
    assert store.count_events() == 4
    assert store.event("ev_retook")["confidence"] == 0.87


def test_pending_migration_applied_on_open(store_url, monkeypatch):
    from sqlalchemy import inspect

    from wirewatch.store import migrations as mig

    with Store.open(store_url) as st:
        st.add_analyzed(aleppo_article())

    def add_notes(conn):
        conn.exec_driver_sql("CREATE TABLE notes (event_id VARCHAR(64) PRIMARY KEY, note TEXT)")

    monkeypatch.setattr(mig, "MIGRATIONS", (*mig.MIGRATIONS, ("0099_notes", add_notes)))
    with Store.open(store_url) as st:
        assert st.migrations()[-1] == "0099_notes"
        assert "notes" in inspect(st.engine).get_table_names()
        assert st.count_events() == 1  # data kept
    with Store.open(store_url) as st:  # recorded: not applied twice (CREATE TABLE would fail)
        assert st.migrations().count("0099_notes") == 1


def test_read_only_store(store_url):
    with Store.open(store_url) as st:
        st.add_analyzed(aleppo_article())
    with Store.open(store_url, read_only=True) as ro_store:
        assert ro_store.count_events() == 1
        assert ro_store.event("ev_shell_art-aleppo")["event_type"] == "ASSAULT"
        with pytest.raises(Exception, match="(?i)read.only|readonly"):
            ro_store.add_analyzed(kobani_article())
    with Store.open(store_url) as st:
        assert not st.has_article("art-kobani")


def test_read_only_needs_current_schema(tmp_path):
    with pytest.raises(UserError, match="file does not exist"):
        Store.open(f"sqlite:///{tmp_path / 'missing.db'}", read_only=True)
    assert not (tmp_path / "missing.db").exists()
    sqlite3.connect(tmp_path / "empty.db").close()
    with pytest.raises(UserError, match="needs schema migrations"):
        Store.open(f"sqlite:///{tmp_path / 'empty.db'}", read_only=True)


def test_concurrent_writers_add_once(store_url):
    from concurrent.futures import ThreadPoolExecutor

    Store.open(store_url).close()  # schema first
    stores = [Store.open(store_url) for _ in range(4)]
    try:
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda st: st.add_analyzed(kobani_article()), stores))
        assert sorted(results) == [False, False, False, True]
        assert stores[0].count_events() == 4
    finally:
        for st in stores:
            st.close()


def test_normalize_url(monkeypatch):
    from wirewatch.store import DEFAULT_URL, normalize_url

    assert normalize_url("postgresql://u:p@h:5/db") == "postgresql+psycopg://u:p@h:5/db"
    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"
    assert normalize_url("data/x.db") == "sqlite:///data/x.db"
    monkeypatch.delenv("WIREWATCH_DB", raising=False)
    assert normalize_url(None) == DEFAULT_URL == "sqlite:///wirewatch.db"
    monkeypatch.setenv("WIREWATCH_DB", "postgresql://e/db")
    assert normalize_url(None) == "postgresql+psycopg://e/db"


def test_round_trip_unresolved_location_and_undated(store):
    text = "Gunmen attacked Xyzville 🙂. Nothing else."
    art = Article("art-edge", text)  # no published date, no metadata
    unresolved = toponym(text, "Xyzville", None)
    undated = TimeExpr(None, None, None, None, None, "published")
    s, e = find_span(text, "attacked")
    gunmen = mention(text, "Gunmen", Actor("gunmen", "gunmen", None, None, False))
    odd = Event("ev_odd", art, sentences(text)[0], "ASSAULT", None, (), None, Span("attacked", s, e),
                (gunmen,), (), unresolved, undated, "asserted", (), 1 / 3)
    an = AnalyzedArticle(art, sentences(text), (gunmen,), (unresolved,), (), (odd,))
    assert store.add_analyzed(an)
    (got,) = store.events(EventFilter(article_id="art-edge"))
    assert as_extracted(got) == odd.to_dict()
    assert got["location"]["geonameid"] is None and got["date"]["value"] is None
    assert store.count_events(EventFilter(date_from=date(2000, 1, 1))) == 0  # undated: no date match
    assert store.count_events(EventFilter(bbox=(-180, -90, 180, 90))) == 0  # no coordinates
    assert store.aggregate(EventFilter(), "day") == []


def test_sqlite_insert_fast_path_stores_what_sqlalchemy_stores(tmp_path):
    """``write.insert_rows`` skips SQLAlchemy's per-row parameter building on SQLite: the same rows
    (dates, datetimes, booleans, NULLs, JSON text) must land byte for byte as through ``insert()``."""
    from wirewatch.store.write import Rows, add_article, insert_rows

    rows = Rows()
    add_article(rows, kobani_article(), b"\x01\x02\x00\xff")
    add_article(rows, aleppo_article(), None)
    for ev in rows.events:
        ev["article_pk"] = 1
    tables = [(sch.actors, list(rows.actors.values())), (sch.places, list(rows.places.values())),
              (sch.actor_keys, list(rows.actor_keys.values())),
              (sch.articles, rows.articles), (sch.sentences, rows.sentences), (sch.mentions, rows.mentions),
              (sch.toponyms, rows.toponyms), (sch.timexes, rows.timexes), (sch.events, rows.events),
              (sch.event_actors, rows.event_actors), (sch.attributions, rows.attributions)]
    assert all(batch for _, batch in tables)
    dumps = []
    for fast in (True, False):
        path = tmp_path / f"{fast}.db"
        with Store.open(f"sqlite:///{path}") as st, st.engine.begin() as conn:
            for table, batch in tables:
                insert_rows(conn, table, batch) if fast else conn.execute(table.insert(), batch)
        with sqlite3.connect(path) as raw:  # repr: 1 and 1.0, "1" and b"1" must not compare equal
            dumps.append({t.name: [repr(r) for r in raw.execute(f'SELECT * FROM "{t.name}" ORDER BY 1, 2')]
                          for t, _ in tables})
    assert dumps[0] == dumps[1] and all(dumps[0].values())

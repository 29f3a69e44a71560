"""Synthetic articles and events for load tests (map, timeline, filters) and the UI.

``seed_synthetic(store, n)`` adds about ``n`` plausible events: real places in conflict-affected
countries (with nearby districts), known actors, all 16 PLOVER types, every modality and date
precision, attribution chains, dates 2010-2024. About 40 % of stories are also carried by one to
three other outlets (copies published up to two days later whose events belong to the original's
incidents: each synthetic event comes with its incident id). Text and offsets are consistent
(``text[start:end] == span``), so evidence views and full-text search work on them. Deterministic for
a given ``seed``; reseeding adds nothing (article ids repeat).
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from itertools import islice
from typing import TYPE_CHECKING

from wirewatch.records import (
    PLOVER_TYPES,
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

if TYPE_CHECKING:
    from wirewatch.store.core import Store

# name, ISO3, admin1, lat, lon, feature code, population
CITIES: tuple[tuple[str, str, str, float, float, str, int], ...] = (
    ("Aleppo", "SYR", "Aleppo", 36.2021, 37.1343, "PPLA", 1602264),
    ("Kobanî", "SYR", "Aleppo", 36.8909, 38.3536, "PPLA2", 44821),
    ("Raqqa", "SYR", "Raqqa", 35.9528, 39.0079, "PPLA", 177636),
    ("Damascus", "SYR", "Damascus", 33.5102, 36.2913, "PPLC", 1569394),
    ("Idlib", "SYR", "Idlib", 35.9306, 36.6339, "PPLA", 128840),
    ("Mosul", "IRQ", "Nineveh", 36.335, 43.1189, "PPLA", 1739800),
    ("Baghdad", "IRQ", "Baghdad", 33.3406, 44.4009, "PPLC", 7216000),
    ("Erbil", "IRQ", "Erbil", 36.19, 44.0089, "PPLA", 932800),
    ("Ankara", "TUR", "Ankara", 39.9199, 32.8543, "PPLC", 3517182),
    ("Istanbul", "TUR", "Istanbul", 41.0138, 28.9497, "PPLA", 14804116),
    ("Diyarbakır", "TUR", "Diyarbakır", 37.9103, 40.2355, "PPLA", 644763),
    ("Kyiv", "UKR", "Kyiv City", 50.4547, 30.5238, "PPLC", 2797553),
    ("Kharkiv", "UKR", "Kharkiv", 49.9808, 36.2527, "PPLA", 1430885),
    ("Donetsk", "UKR", "Donetsk", 48.023, 37.8022, "PPLA", 988000),
    ("Mariupol", "UKR", "Donetsk", 47.0958, 37.5494, "PPL", 481626),
    ("Moscow", "RUS", "Moscow", 55.7522, 37.6156, "PPLC", 10381222),
    ("Gaza", "PSE", "Gaza Strip", 31.5017, 34.4668, "PPLA", 410000),
    ("Jerusalem", "ISR", "Jerusalem", 31.769, 35.2163, "PPLC", 801000),
    ("Beirut", "LBN", "Beyrouth", 33.8933, 35.5016, "PPLC", 1916100),
    ("Sanaa", "YEM", "Amanat Alasimah", 15.3547, 44.2067, "PPLC", 1937451),
    ("Aden", "YEM", "Aden", 12.7794, 45.0367, "PPLA", 550602),
    ("Kabul", "AFG", "Kabul", 34.5281, 69.1723, "PPLC", 4434550),
    ("Kandahar", "AFG", "Kandahar", 31.6133, 65.7101, "PPLA", 391190),
    ("Tripoli", "LBY", "Tripoli", 32.8925, 13.18, "PPLC", 1150989),
    ("Benghazi", "LBY", "Benghazi", 32.1167, 20.0667, "PPLA", 650629),
    ("Khartoum", "SDN", "Khartoum", 15.5518, 32.5324, "PPLC", 1974647),
    ("El Fasher", "SDN", "North Darfur", 13.6279, 25.3494, "PPLA", 252609),
    ("Mogadishu", "SOM", "Banaadir", 2.0371, 45.3438, "PPLC", 2587183),
    ("Bamako", "MLI", "Bamako", 12.65, -8.0, "PPLC", 1297281),
    ("Goma", "COD", "North Kivu", -1.6792, 29.2228, "PPLA", 670000),
    ("Maiduguri", "NGA", "Borno", 11.8464, 13.1603, "PPLA", 1112449),
    ("Caracas", "VEN", "Capital", 10.488, -66.8792, "PPLC", 3000000),
    ("Bogotá", "COL", "Bogota D.C.", 4.6097, -74.0818, "PPLC", 7674366),
    ("Mandalay", "MMR", "Mandalay", 21.9747, 96.0836, "PPLA", 1208099),
    ("Manila", "PHL", "Metro Manila", 14.6042, 120.9822, "PPLC", 1600000),
    ("Port-au-Prince", "HTI", "Ouest", 18.5392, -72.335, "PPLC", 1234742),
)

# actor_id, name, ISO3, sector, mention texts
ACTORS: tuple[tuple[str, str, str | None, str, tuple[str, ...]], ...] = (
    ("TURSPY", "National Intelligence Organization", "TUR", "SPY", ("MİT", "Turkey’s intelligence agency")),
    ("TURMIL", "Turkish Armed Forces", "TUR", "MIL", ("Turkish troops", "the Turkish army")),
    ("SYRMIL", "Syrian Armed Forces", "SYR", "MIL", ("Syrian government forces", "regime troops")),
    ("SYRREB_SDF", "Syrian Democratic Forces", "SYR", "REB", ("the SDF", "Kurdish-led fighters")),
    ("IMGMUSISI", "Islamic State", None, "INS", ("Daesh militants", "Islamic State fighters")),
    ("IRQMIL_PESH", "Peshmerga", "IRQ", "MIL", ("Kurdish Peshmerga fighters", "the Peshmerga")),
    ("IRQGOV", "Government of Iraq", "IRQ", "GOV", ("Baghdad", "the Iraqi government")),
    ("UKRMIL", "Armed Forces of Ukraine", "UKR", "MIL", ("Ukrainian forces", "Kyiv’s troops")),
    ("RUSMIL", "Russian Armed Forces", "RUS", "MIL", ("Russian forces", "Moscow’s army")),
    ("RUSGOV", "Government of Russia", "RUS", "GOV", ("the Kremlin", "Moscow")),
    ("ISRMIL", "Israel Defense Forces", "ISR", "MIL", ("the IDF", "Israeli troops")),
    ("PSEINS_HAMAS", "Hamas", "PSE", "INS", ("Hamas", "Hamas militants")),
    ("YEMREB_HOUTHI", "Houthis", "YEM", "REB", ("Houthi rebels", "Ansar Allah")),
    ("SAUMIL", "Saudi-led coalition", "SAU", "MIL", ("the Saudi-led coalition", "coalition jets")),
    ("AFGINS_TALIBAN", "Taliban", "AFG", "INS", ("the Taliban", "Taliban fighters")),
    ("SDNMIL_RSF", "Rapid Support Forces", "SDN", "MIL", ("the RSF", "paramilitary fighters")),
    ("SOMINS_SHABAAB", "al-Shabaab", "SOM", "INS", ("al-Shabaab", "Shabaab militants")),
    ("IGOUNO", "United Nations", None, "IGO", ("the UN", "United Nations officials")),
    ("CVL_PROT", "protesters", None, "CVL", ("protesters", "demonstrators")),
    ("NGOICRC", "International Committee of the Red Cross", None, "NGO", ("the ICRC", "Red Cross")),
)

VERBS: dict[str, tuple[str, ...]] = {
    "AGREE": ("agreed with", "signed a ceasefire with"), "CONSULT": ("met", "held talks with"),
    "SUPPORT": ("praised", "backed"), "CONCEDE": ("released prisoners held by", "conceded to"),
    "COOPERATE": ("coordinated with", "joined forces with"), "AID": ("delivered aid to", "supplied"),
    "RETREAT": ("withdrew from positions held by", "pulled back from"),
    "REQUEST": ("called on", "urged"), "ACCUSE": ("accused", "blamed"), "REJECT": ("rejected", "refused"),
    "THREATEN": ("threatened", "warned"), "PROTEST": ("rallied against", "demonstrated against"),
    "SANCTION": ("imposed sanctions on", "cut ties with"), "MOBILIZE": ("deployed against", "massed near"),
    "COERCE": ("detained members of", "arrested"), "ASSAULT": ("shelled", "attacked"),
}
CAMEO = {"AGREE": "03", "CONSULT": "04", "SUPPORT": "05", "CONCEDE": "08", "COOPERATE": "06", "AID": "07",
         "RETREAT": "08", "REQUEST": "02", "ACCUSE": "11", "REJECT": "12", "THREATEN": "13",
         "PROTEST": "14", "SANCTION": "16", "MOBILIZE": "15", "COERCE": "17", "ASSAULT": "19"}
OUTLETS = ("Reuters", "AFP", "Hürriyet Daily News", "Al Jazeera", "the Associated Press", "SANA")
MODALITY_WEIGHTS = (("asserted", 50), ("reported", 20), ("claimed", 12), ("possible", 6),
                    ("planned", 5), ("negated", 4), ("historical", 3))
TYPE_WEIGHTS = (5, 6, 4, 2, 4, 3, 2, 5, 7, 4, 5, 6, 3, 4, 8, 20)
COPY_WEIGHTS = (60, 25, 10, 5)  # how many other outlets also carry a story: 0, 1, 2, 3
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


def _places(rng: random.Random) -> list[Place]:
    """Each city plus nearby districts (so map queries see realistic spread)."""
    out = []
    for name, iso, admin1, lat, lon, fcode, pop in CITIES:
        out.append(Place(zlib.crc32(name.encode()) % 10_000_000, name, iso, admin1, lat, lon, fcode, "city",
                         None, pop))
        for k in range(12):
            out.append(Place(None, f"{name} district {k + 1}", iso, admin1,
                             round(lat + rng.uniform(-0.6, 0.6), 4), round(lon + rng.uniform(-0.6, 0.6), 4),
                             "PPLX", "sub-city", None, 0))
    return out


class _Text:
    """Builds article text while recording span offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.n = 0

    def add(self, s: str) -> tuple[int, int]:
        start = self.n
        self.parts.append(s)
        self.n += len(s)
        return start, self.n

    def text(self) -> str:
        return "".join(self.parts)


def _date_phrase(rng: random.Random, published: date) -> tuple[str | None, str, str]:
    """(text or None, value, precision) for an event date near ``published``."""
    r = rng.random()
    d = published - timedelta(days=rng.randint(0, 20))
    if r < 0.65:
        return f"{MONTHS[d.month - 1]} {d.day}", d.isoformat(), "day"
    if r < 0.75:
        return f"in {MONTHS[d.month - 1]} {d.year}", f"{d.year}-{d.month:02d}", "month"
    if r < 0.80:
        y, w, _ = d.isocalendar()
        return "last week", f"{y}-W{w:02d}", "week"
    if r < 0.84:
        return f"in {d.year - 1}", str(d.year - 1), "year"
    return None, published.isoformat(), "published"


def synthetic_articles(n_events: int, seed: int = 0, per_article: int = 5) -> Iterator[AnalyzedArticle]:
    """``n_events`` events in ``ceil(n_events / per_article)`` articles (deterministic, lazy)."""
    rng = random.Random(seed)
    places = _places(rng)
    modalities = [m for m, _ in MODALITY_WEIGHTS]
    mod_w = [w for _, w in MODALITY_WEIGHTS]
    start_day = date(2010, 1, 1).toordinal()
    span_days = date(2024, 12, 31).toordinal() - start_day
    copies = random.Random(seed + 7919)  # a second stream: the originals stay as they were
    made = 0
    i = 0
    while made < n_events:
        k = min(per_article, n_events - made)
        published = date.fromordinal(start_day + rng.randint(0, span_days))
        outlet = rng.choice(OUTLETS)
        aid = f"syn-{seed}-{i:07d}"
        buf = _Text()
        sents, mentions, topos, timexes, drafts = [], [], [], [], []
        home = rng.choice(places)
        for j in range(k):
            etype = rng.choices(PLOVER_TYPES, weights=TYPE_WEIGHTS)[0]
            src_a, tgt_a = rng.sample(ACTORS, 2)
            place = home if rng.random() < 0.6 else rng.choice(places)
            s0 = buf.n
            attrib = ()
            if rng.random() < 0.3:
                buf.add("According to ")
                a0, a1 = buf.add(outlet)
                attrib = (Attribution(outlet, a0, a1, None, "reporter"),)
                buf.add(", ")
            src_text = rng.choice(src_a[4])
            ms = buf.add(src_text)
            buf.add(" ")
            verb = rng.choice(VERBS[etype])
            ts = buf.add(verb)
            buf.add(" ")
            tgt_text = rng.choice(tgt_a[4])
            mt = buf.add(tgt_text)
            buf.add(" in ")
            ps = buf.add(place.name)
            when_text, value, precision = _date_phrase(rng, published)
            if when_text:
                buf.add(" ")
                ws = buf.add(when_text)
            buf.add(rng.choice((".", " 💥.", ", officials said.", ", witnesses told “local media”.")))
            sent = Sentence(j, s0, buf.n)
            buf.add(" ")
            src = Mention(src_text, *ms, Actor(src_a[0], src_a[1], src_a[2], src_a[3], True), 0, 1, 0)
            tgt = Mention(tgt_text, *mt, Actor(tgt_a[0], tgt_a[1], tgt_a[2], tgt_a[3], True), 2, 3, 2)
            located = rng.random() < 0.9
            topo = Toponym(place.name, *ps, place if located else None, 4, 5, rng.random())
            if when_text:
                timex = TimeExpr(when_text, *ws, value, precision, "date", 6, 7)
                timexes.append(timex)
            else:
                timex = TimeExpr(None, None, None, value, precision, "published")
            sents.append(sent)
            mentions += [src, tgt]
            topos.append(topo)
            drafts.append((sent, etype, Span(verb, *ts), src, tgt, topo if located else None, timex, attrib))
        text = buf.text().rstrip()
        title = f"{drafts[0][3].actor.name} {drafts[0][2].text} {drafts[0][4].actor.name}"
        article = Article(aid, text, url=f"https://news.example.org/{aid}", title=title, source=outlet,
                          published=published, origin="synthetic")
        events = []
        for j, (sent, etype, trig, src, tgt, loc, timex, attrib) in enumerate(drafts):
            modality = "reported" if attrib else rng.choices(modalities, weights=mod_w)[0]
            events.append(Event(
                f"ev_{aid}_{j}", article, sent, etype, None,
                ("military",) if etype in ("ASSAULT", "MOBILIZE", "RETREAT") else (),
                CAMEO[etype], trig, (src,), (tgt,), loc, timex, modality, attrib,
                round(rng.betavariate(5, 2), 4), incident=f"inc_{aid}_{j}",
            ))
        original = AnalyzedArticle(article, tuple(sents), tuple(mentions), tuple(topos), tuple(timexes),
                                   tuple(events))
        yield original
        made += k
        i += 1
        # other outlets' copies of the story (same events: the same incidents), a day or two later
        for _ in range(copies.choices((0, 1, 2, 3), weights=COPY_WEIGHTS)[0]):
            if made >= n_events:
                break
            copy = _copy(original, f"syn-{seed}-{i:07d}", copies, n_events - made)
            yield copy
            made += len(copy.events)
            i += 1


def _copy(an: AnalyzedArticle, aid: str, rng: random.Random, most: int) -> AnalyzedArticle:
    """Another outlet's copy of ``an`` (same text and events, published 0-2 days later), at most
    ``most`` events; its events belong to the original's incidents."""
    art = an.article
    outlet = rng.choice([o for o in OUTLETS if o != art.source])
    published = art.published + timedelta(days=rng.randint(0, 2)) if art.published else None
    article = replace(art, id=aid, url=f"https://news.example.org/{aid}", source=outlet,
                      published=published)
    events = tuple(replace(e, id=f"ev_{aid}_{j}", article=article)
                   for j, e in enumerate(an.events[:most]))
    return replace(an, article=article, events=events)


def seed_synthetic(store: Store, n: int, seed: int = 0, batch: int = 500) -> int:
    """Add ``n`` synthetic events to ``store`` in batched transactions (``batch`` articles each);
    returns the number of events added (0 when this seed is already stored)."""
    before = store.count_events()
    arts = synthetic_articles(n, seed)
    while chunk := list(islice(arts, batch)):
        store.add_many(chunk)
    store.optimize()
    return store.count_events() - before

"""Toponym resolution: pick the GeoNames entry each place name refers to, using the article as context.

Score of a candidate = prior (feature type, population, main vs alternate name)
  + article country evidence (countries named, demonyms, countries of unambiguous places)
  + admin evidence (an admin1 named in the article contains the candidate; other places in the same admin1)
  + local cues: "Paris, Texas" (the next name contains it), "Syria’s town of X" (possessive country),
    "the Turkish cities of X" (demonym), "X province" (admin level), "the city of X" (the city, strongly:
    "the city of Nabatieh" is not the governorate)
  + spatial coherence: a reading inside an admin1 where other names of the article can also lie
    ("Cook" among Minnesota towns is Cook, Minnesota), except against a big national capital's name, whose
    namesakes also get no country evidence unless their own state is named ("Paris" in a Californian story
    is Paris, France; "Athens" in a Texas story with Tyler and Palestine is Athens, Texas)
  + "in Becker, Clay and Wilkin counties": every listed name gets the admin cue
  - namesake penalty: a province named like its own capital ("Aleppo") is the city unless "province" is said;
    a county only yields to its own seat; an alias country ("England" -> UK) yields to the admin1 it names.
Nationality words and residents' nouns given as spans resolve to their country/state ("German" -> Germany,
"Canadian" -> Canada, never Canadian County or Spanish, Ontario).
One sense per discourse: every mention of the same name shares the answer unless a local cue disagrees.
Evaluation on the shipped gold (GeoVirus, Wikinews toponym gold) and the error classes behind these rules:
docs/geo-eval.md.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from spacy.tokens import Doc

from wirewatch.geo.gazetteer import AREA_RESOLUTIONS, Entry, Gazetteer, normalize, prior
from wirewatch.geo.recognize import ADMIN_NOUNS, Candidate, Recognized, demonym_country
from wirewatch.records import Toponym

MAX_CANDIDATES = 40
CONTINENT_ADJECTIVES = {"african": "Africa", "european": "Europe", "asian": "Asia", "american": "America",
                        "latin american": "Latin America", "middle eastern": "Middle East"}
PLURAL_ADMIN_NOUNS = frozenset(("counties", "provinces", "states", "districts", "regions", "governorates",
                                "prefectures", "oblasts", "departments", "parishes", "cantons"))
# coherence: weight and cap of the bonus for a reading inside an admin1 where other names of the article
# can also lie (each other name weighted by 1/sqrt(number of admin1 units its readings span))
COHERENCE_WEIGHT = 1.5
COHERENCE_CAP = 2.5
NAMED_ADMIN1 = 1.0  # extra support for an admin1 the article names ("Minnesota")
COHERENCE_POWER = 0.5
NONPRIMARY_COHERENCE = 0.3  # share of the bonus for a reading by alternate name ("Washington" County)
CITY_NOUNS = frozenset(("city", "town", "village", "cities", "towns", "villages", "capital", "port",
                        "hamlet", "suburb", "outskirts"))


@dataclass
class _Mention:
    cand: Candidate
    key: str
    entries: list[Entry]
    local: list[float]
    variant: bool = False  # entries are spelling variants (Gazetteer.similar), not the name itself


def _listed_before_admin_noun(doc: Doc, mentions_at: dict[int, list[Entry]]) -> set[int]:
    """Tokens of the names listed before a plural admin noun: "in Becker, Clay and Wilkin counties"."""
    out: set[int] = set()
    for tok in doc:
        if tok.lower_ not in PLURAL_ADMIN_NOUNS:
            continue
        i = tok.i - 1
        while i >= 0 and (i in mentions_at or doc[i].text in (",", "and", "or", "&")):
            if i in mentions_at:
                out.add(i)
            i -= 1
    return out


def _local_cues(doc: Doc, c: Candidate, entries: list[Entry], mentions_at: dict[int, list[Entry]],
                listed: frozenset[int] | set[int] = frozenset()) -> list[float]:
    """Per-candidate bonus from the words right around one mention."""
    bonus = [0.0] * len(entries)
    s, e = c.start, c.end
    sent_start = doc[s].sent.start
    # "Paris, Texas" / "Tripoli, Lebanon": the following name contains it
    if e + 1 < len(doc) and doc[e].text == ",":
        nxt = mentions_at.get(e + 1)
        if nxt:
            # sorted: the most specific container (an admin1) first, so the bonus never depends on set order
            containers = sorted({(x.alpha2, x.admin1_code if x.place.resolution == "admin1" else "")
                                 for x in nxt if x.place.resolution in ("country", "admin1")},
                                key=lambda c: (not c[1], c))
            for i, x in enumerate(entries):
                for a2, a1 in containers:
                    if (x.alpha2 == a2 and (not a1 or x.admin1_code == a1)
                            and x.place.resolution not in AREA_RESOLUTIONS):
                        bonus[i] += 8.0 if a1 else 6.0
                        break
    # "Atlanta, Georgia": the container of the name just before
    if s >= 2 and doc[s - 1].text == ",":
        prev = mentions_at.get(s - 2)
        if prev:
            inner = {(x.alpha2, x.admin1_code) for x in prev[:5] if x.place.resolution in ("city", "admin2")}
            for i, x in enumerate(entries):
                r = x.place.resolution
                if any(a2 == x.alpha2 and (r == "country" or (r == "admin1" and a1 == x.admin1_code))
                       for a2, a1 in inner):
                    bonus[i] += 8.0
    window = doc[max(sent_start, s - 6):s]
    for tok in window:
        # "Syria’s border town of Kobani": a possessive country before it
        prev = mentions_at.get(tok.i)
        if prev and tok.i + 1 < len(doc) and doc[tok.i + 1].text in ("'s", "’s", "’", "'"):
            countries = {x.alpha2 for x in prev[:3] if x.place.resolution in ("country", "admin1")}
            for i, x in enumerate(entries):
                if x.alpha2 in countries and x.place.resolution not in AREA_RESOLUTIONS:
                    bonus[i] += 4.0
        # "the Turkish cities of Ankara": a demonym just before
        iso = demonym_country(tok.text) if tok.text[:1].isupper() and tok.ent_type_ not in ("GPE",) else None
        if iso:
            for i, x in enumerate(entries):
                if x.place.country == iso:
                    bonus[i] += 3.0
    before = doc[s - 1].lower_ if s >= 1 else ""
    before2 = doc[s - 2].lower_ if s >= 2 else ""
    after = doc[e].lower_ if e < len(doc) else ""
    admin_cue = after in ADMIN_NOUNS or (before == "of" and before2 in ADMIN_NOUNS) or s in listed
    city_of = before == "of" and before2 in CITY_NOUNS  # "the city of Nabatieh": the city, not the province
    city_cue = after in CITY_NOUNS or city_of or before2 in CITY_NOUNS
    for i, x in enumerate(entries):
        r = x.place.resolution
        if admin_cue and r in ("admin1", "admin2"):
            bonus[i] += 8.0
        if city_cue and r == "city":
            bonus[i] += 6.0 if city_of and not admin_cue else 2.5
    return bonus


def resolve(doc: Doc, rec: Recognized, gazetteer: Gazetteer) -> list[Toponym]:
    """Resolve recognised spans to places; unknown names get ``place=None``."""
    mentions: list[_Mention] = []
    mentions_at: dict[int, list[Entry]] = {}
    for c in rec.spans:
        text = c.text(doc)
        entries = gazetteer.entries(text)[:MAX_CANDIDATES]
        demonym = _demonym_entries(gazetteer, text)
        if demonym and not any(x.primary and (x.place.resolution in AREA_RESOLUTIONS | {"admin1"}
                                              or x.place.population >= 100_000) for x in entries):
            # "German" is a demonym, not the alternate name of San Germán; "Canadian" is Canada, not
            # Canadian County, Oklahoma; "Spanish" is Spain, not Spanish, Ontario
            entries = demonym + [x for x in entries if x not in demonym]
        variant = False
        if not entries and not demonym:
            entries = _fallback_entries(gazetteer, text)
            if not entries and text[:1].isupper():
                # "Daqahliya", "Lousiana": a spelling GeoNames lacks; kept only where the article names
                # the variant's country (below)
                entries, variant = gazetteer.similar(text)[:MAX_CANDIDATES], True
        mentions.append(_Mention(c, normalize(text), entries, [], variant))
        if entries:
            for t in range(c.start, c.end):
                mentions_at[t] = entries
    listed = _listed_before_admin_noun(doc, mentions_at)
    for m in mentions:
        m.local = _local_cues(doc, m.cand, m.entries, mentions_at, listed) if m.entries else []

    # first pass: country / admin1 evidence from the most plausible reading of each name (per name, so
    # that a name is not its own evidence)
    base_country: Counter[str] = Counter(rec.demonym_countries)
    ev_by_key: dict[str, tuple[Counter[str], Counter[str]]] = {}
    for m in mentions:
        if not m.entries or m.variant:
            continue
        best = max(range(len(m.entries)), key=lambda i: prior(m.entries[i]) + m.local[i])
        x = m.entries[best]
        cev, aev = ev_by_key.setdefault(m.key, (Counter(), Counter()))
        if x.place.country:
            cev[x.place.country] += 1.0 if x.place.resolution in ("country", "admin1") else 0.6
        if x.place.resolution in ("admin1", "admin2"):
            aev[x.admin1_code] += 1.0
        elif x.place.resolution == "city" and x.admin1_code:
            aev[x.admin1_code] += 0.5
    all_country: Counter[str] = Counter(base_country)
    all_admin: Counter[str] = Counter()
    for cev, aev in ev_by_key.values():
        all_country.update(cev)
        all_admin.update(aev)

    # one sense per discourse: sum local cues over the mentions of a name
    by_key: dict[str, list[_Mention]] = defaultdict(list)
    for m in mentions:
        by_key[m.key].append(m)
    support, support_by_key = _coherence(by_key)
    chosen: dict[int, tuple[int, float]] = {}
    for group in by_key.values():
        entries = group[0].entries
        if not entries:
            continue
        shared = [0.0] * len(entries)
        for m in group:
            for i, b in enumerate(m.local):
                shared[i] = max(shared[i], b)
        own = ev_by_key.get(group[0].key)
        country_ev, admin_ev = Counter(all_country), Counter(all_admin)
        if own:
            country_ev.subtract(own[0])
            admin_ev.subtract(own[1])
        coherent = Counter(support)
        coherent.subtract(support_by_key.get(group[0].key, {}))
        total = sum(v for v in country_ev.values() if v > 0) or 1.0
        # a national capital's name ("Washington", "Paris") keeps its main sense unless a local cue says
        # otherwise: co-location alone does not make it "Washington, Iowa"
        capital = any(x.primary and x.place.feature_code == "PPLC" and x.place.population >= 100_000
                      for x in entries)
        base = [_global(x, country_ev, admin_ev, total, entries,
                        weak_country=capital and x.place.feature_code != "PPLC")
                + (0.0 if capital else _coherence_bonus(x, coherent)) for x in entries]
        if group[0].variant:  # a spelling variant counts only in a country the article is about
            for i, x in enumerate(entries):
                if country_ev.get(x.place.country or "", 0.0) <= 0.01:
                    base[i] = -math.inf
            if all(b == -math.inf for b in base):
                continue
        for m in group:
            scores = [base[i] + max(m.local[i], 0.5 * shared[i]) for i in range(len(entries))]
            order = sorted(range(len(entries)), key=lambda i: -scores[i])
            margin = scores[order[0]] - scores[order[1]] if len(order) > 1 else 5.0
            chosen[id(m)] = (order[0], 1.0 / (1.0 + math.exp(-margin)))

    out: list[Toponym] = []
    for m in mentions:
        span = doc[m.cand.start:m.cand.end]
        pick = chosen.get(id(m))
        place = m.entries[pick[0]].place if pick else None
        text, start, end = span.text, span.start_char, span.end_char
        inner = span.text.find(m.cand.name) if m.cand.name and m.cand.name != span.text else -1
        if inner >= 0:  # "U.S." inside the token "U.S.-Mexican": the toponym is the name only
            text, start, end = m.cand.name, start + inner, start + inner + len(m.cand.name)
        out.append(Toponym(text=text, start=start, end=end, place=place,
                           token_start=m.cand.start, token_end=m.cand.end,
                           score=round(pick[1], 4) if pick else 0.0))
    return out


def _namesake_seat(unit: Entry, city: Entry) -> bool:
    """The city is the namesake seat of an admin unit: in the same admin1, or (admin1) a big city of the
    same country, or (admin2) a city at the unit's own point."""
    if city.admin1_code == unit.admin1_code:
        return True
    if city.alpha2 != unit.alpha2:
        return False
    if unit.place.resolution == "admin1":
        return city.place.population >= 0.1 * unit.place.population
    a, b = unit.place, city.place
    return (a.lat is not None and b.lat is not None
            and abs(a.lat - b.lat) < 0.5 and abs((a.lon or 0.0) - (b.lon or 0.0)) < 0.5)


def _coherence(by_key: dict[str, list[_Mention]]) -> tuple[Counter[str], dict[str, dict[str, float]]]:
    """Support of each admin1 unit: how many of the article's names have a reading in it (a name weighted by
    1/sqrt(number of admin1 units its readings span), an admin1 the article names counting extra)."""
    support: Counter[str] = Counter()
    by: dict[str, dict[str, float]] = {}
    for key, group in by_key.items():
        entries = group[0].entries
        codes = sorted({x.admin1_code for x in entries if x.admin1_code and x.place.resolution != "country"})
        if not codes:
            continue
        w = 1.0 / len(codes) ** COHERENCE_POWER
        contrib = dict.fromkeys(codes, w)
        local = [max(m.local[i] for m in group) for i in range(len(entries))]
        best = max(range(len(entries)), key=lambda i: prior(entries[i]) + local[i])
        code = entries[best].admin1_code
        if entries[best].place.resolution == "admin1" and entries[best].primary and code in contrib:
            contrib[code] += NAMED_ADMIN1  # (a region without an admin1 code, "Sinai", names no admin1)
        by[key] = contrib
        support.update(contrib)
    return support, by


def _coherence_bonus(x: Entry, coherent: Counter[str]) -> float:
    if x.place.resolution == "country" or not x.admin1_code:
        return 0.0
    bonus = COHERENCE_WEIGHT * min(max(coherent.get(x.admin1_code, 0.0), 0.0), COHERENCE_CAP)
    return bonus if x.primary else NONPRIMARY_COHERENCE * bonus


def _demonym_entries(gazetteer: Gazetteer, text: str) -> list[Entry]:
    """The country of a nationality word ("German" -> Germany), or the admin1 of a residents' noun
    ("Minnesotans" -> Minnesota); [] for other words."""
    iso = demonym_country(text)
    if iso:
        from wirewatch.geo.gazetteer import countries

        name = countries().get(iso, {}).get("name")
        return [x for x in gazetteer.entries(name) if x.place.resolution == "country"][:1] if name else []
    if text[:1].isupper() and len(text) > 5:
        for suffix in ("ns", "ans"):
            if text.endswith(suffix):
                hits = [x for x in gazetteer.entries(text[:-len(suffix)])
                        if x.primary and x.place.resolution in ("country", "admin1")]
                if hits:
                    return hits[:1]
    return []


def _fallback_entries(gazetteer: Gazetteer, text: str) -> list[Entry]:
    """For a span the gazetteer lacks: a demonym's country ("Turkish" -> Turkey), or the name without a
    trailing admin/place noun ("Aleppo province" -> Aleppo)."""
    continent = CONTINENT_ADJECTIVES.get(text.lower().rstrip("s"))
    if continent:
        return gazetteer.entries(continent)[:1]
    iso = demonym_country(text)
    if iso:
        from wirewatch.geo.gazetteer import countries

        name = countries().get(iso, {}).get("name")
        if name:
            return [x for x in gazetteer.entries(name) if x.place.resolution == "country"][:1]
    # the bare name must be a place's main name: "Gay Village" (Toronto) is not Gaya, India
    words = text.split()
    if len(words) > 1 and words[-1].lower() in ADMIN_NOUNS | CITY_NOUNS:
        return [x for x in gazetteer.entries(" ".join(words[:-1])) if x.primary][:MAX_CANDIDATES]
    if len(words) > 2 and words[0].lower() in ADMIN_NOUNS | CITY_NOUNS and words[1].lower() == "of":
        return [x for x in gazetteer.entries(" ".join(words[2:])) if x.primary][:MAX_CANDIDATES]
    return []


def _global(x: Entry, country_ev: Counter[str], admin_ev: Counter[str], total: float,
            entries: list[Entry], weak_country: bool = False) -> float:
    score = prior(x)
    n = country_ev.get(x.place.country or "", 0.0)
    if weak_country and admin_ev.get(x.admin1_code, 0) <= 0.01:
        n = 0.0  # a capital's namesake needs its own state named: "Paris" in a Californian story is Paris

    if n > 0.01:
        score += 1.0 + 3.0 * n / total
    if x.place.resolution in ("city", "admin2") and admin_ev.get(x.admin1_code, 0) > 0.01:
        score += 1.0 + 0.5 * min(admin_ev[x.admin1_code], 3)
    if x.place.resolution == "country" and not x.primary and any(
            y.primary and y.place.resolution == "admin1" and y.alpha2 == x.alpha2 for y in entries):
        score -= 3.0  # "England": the constituent country, not the United Kingdom it is an alias of
    if x.place.resolution in ("admin1", "admin2"):
        # a province named like its capital city ("Aleppo", "Ankara"): the city, unless cued; a county
        # yields only to its own namesake seat (same state, or at the county's own point: "Erbil"), not to
        # a "Douglas" or "Clay" elsewhere in the country
        for y in entries:
            if (y.place.resolution == "city" and (y.primary or y.place.name == x.place.name)
                    and y.place.population >= 1000 and _namesake_seat(x, y)):
                score -= 6.0
                break
    return score

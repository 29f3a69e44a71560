"""Toponym recognition: spaCy GPE/LOC/FAC entities, corrected and completed with the gazetteer.

- entity spans are trimmed of a leading "the" and a trailing possessive ("Syria’s" -> "Syria");
- known non-places the small model tags GPE (Daesh, ISIS, ...) are dropped;
- demonyms and nationality adjectives ("Turkish") are not toponyms, but count as country evidence;
- a name the model tags ORG/PERSON/NORP, or misses, is a toponym when the gazetteer knows it and the
  context says place ("the town of X", "in X", "X province", or X tagged GPE/LOC elsewhere in the article).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from wirewatch.geo.gazetteer import Gazetteer, countries, normalize

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
OTHER_LABELS = frozenset({"ORG", "PERSON", "NORP", "WORK_OF_ART", "PRODUCT", "EVENT"})
NOT_PLACES = frozenset(normalize(n) for n in (
    "Daesh", "Daish", "ISIS", "ISIL", "IS", "Islamic State", "Islamic State of Iraq and the Levant",
    "Islamic State of Iraq and Syria", "al-Qaeda", "al Qaeda", "Al-Qaida", "al-Shabaab", "Boko Haram",
    "Hezbollah", "Hamas", "Taliban", "al-Nusra", "Nusra Front", "Jabhat al-Nusra", "YPG", "PKK", "PYD",
    "SDF", "NATO", "EU", "UN", "U.N.", "Kremlin", "White House", "Pentagon", "Downing Street",
    "Capitol Hill", "Wall Street", "Hollywood", "Sunni", "Shia", "Shiite", "God", "Allah", "Twitter",
    "Facebook", "Reuters", "AP", "AFP", "Interior", "Defence", "Defense", "State", "Congress", "Parliament",
    "Senate", "Republican", "Democrat", "Brexit", "Internet", "Earth", "World",
))
PLACE_NOUNS = frozenset((
    "town", "city", "village", "province", "region", "district", "county", "state", "capital", "port",
    "governorate", "area", "suburb", "outskirts", "neighborhood", "neighbourhood", "enclave", "island",
    "municipality", "hamlet", "settlement", "camp", "countryside", "border", "country", "republic",
    "cities", "towns", "villages", "provinces", "regions", "districts", "states", "countries", "islands",
))
ADMIN_NOUNS = frozenset(("province", "provinces", "governorate", "region", "state", "county", "district",
                         "oblast", "prefecture", "department", "canton", "emirate"))
LOC_PREPS = frozenset(("in", "near", "at", "outside", "around", "across", "into", "inside", "to", "toward",
                       "towards", "through", "throughout", "within", "from", "on", "between", "via",
                       "off", "along", "over", "beyond", "of"))
PROPN_PREPS = frozenset(("at", "from", "to", "into", "toward", "towards", "via"))
_TRIM_HEAD = frozenset(("the", "The"))
_POSSESSIVE = frozenset(("'s", "’s", "'", "’"))


@dataclass(frozen=True)
class Candidate:
    """A recognised place-name span (token indices into the Doc)."""

    start: int  # token index
    end: int  # token index, exclusive
    label: str  # spaCy label or "GAZ"
    name: str | None = None  # the name to look up when it is not the tokens' text ("U.S." in "U.S.-led")

    def text(self, doc: Doc) -> str:
        return self.name if self.name is not None else doc[self.start:self.end].text


@dataclass(frozen=True)
class Recognized:
    """What recognition hands to resolution."""

    spans: tuple[Candidate, ...]
    demonym_countries: tuple[str, ...]  # alpha-3 of each demonym mention ("Turkish" -> TUR), in order


def _demonyms() -> dict[str, str]:
    out: dict[str, str] = {}
    for iso3, c in countries().items():
        for d in c.get("demonyms", ()):
            out.setdefault(normalize(d), iso3)
    out.update({"american": "USA", "british": "GBR", "turkish": "TUR", "iraqi": "IRQ", "syrian": "SYR",
                "russian": "RUS", "french": "FRA", "german": "DEU", "chinese": "CHN", "israeli": "ISR",
                "palestinian": "PSE", "lebanese": "LBN", "libyan": "LBY", "egyptian": "EGY", "iranian": "IRN",
                "afghan": "AFG", "pakistani": "PAK", "indian": "IND", "ukrainian": "UKR", "saudi": "SAU",
                "yemeni": "YEM", "georgian": "GEO", "dutch": "NLD", "belgian": "BEL", "moroccan": "MAR",
                "nigerian": "NGA", "kenyan": "KEN", "somali": "SOM", "sudanese": "SDN", "malian": "MLI",
                "jordanian": "JOR", "qatari": "QAT", "emirati": "ARE", "kuwaiti": "KWT", "turk": "TUR",
                "canadian": "CAN", "mexican": "MEX", "japanese": "JPN", "korean": "KOR", "spanish": "ESP",
                "italian": "ITA", "greek": "GRC", "bulgarian": "BGR", "chechen": "RUS", "australian": "AUS"})
    out.pop("", None)
    return out


_DEMONYMS: dict[str, str] | None = None


def demonym_country(text: str) -> str | None:
    """alpha-3 of a demonym/nationality adjective ("Turkish" -> "TUR"), else None."""
    global _DEMONYMS
    if _DEMONYMS is None:
        _DEMONYMS = _demonyms()
    key = normalize(text)
    hit = _DEMONYMS.get(key)
    if hit is None and key.endswith("s"):
        hit = _DEMONYMS.get(key[:-1])
    return hit


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    while start < end and (doc[start].text in _TRIM_HEAD or doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].text in _POSSESSIVE or doc[end - 1].is_punct
                           or doc[end - 1].is_space):
        end -= 1
    # "Nyanza province", "Idlib governorate": the lower-case admin noun is not part of the name (the
    # resolver reads it as a cue); "Jefferson Parish", "Orange County" keep theirs
    if end - start >= 2 and doc[end - 1].text.islower() and doc[end - 1].text in ADMIN_NOUNS:
        end -= 1
    return start, end


def _conjoined_with_place(doc: Doc, start: int, end: int, taken: set[int]) -> bool:
    """"Aleppo and Homs": coordinated with a recognised place."""
    root = doc[start:end].root
    if root.dep_ == "conj" and root.head.i in taken:
        return True
    return any(child.dep_ == "conj" and child.i in taken for child in root.children)


def place_context(doc: Doc, start: int, end: int, preps: frozenset[str] | None = None) -> bool:
    """True when the words around tokens [start, end) say they name a place."""
    if preps and start >= 1 and doc[start - 1].lower_ in preps:
        return True
    if start >= 2 and doc[start - 1].lower_ == "of" and doc[start - 2].lower_ in PLACE_NOUNS:
        return True
    if start >= 1 and doc[start - 1].lower_ in ("in", "near", "outside", "around", "across", "inside"):
        return True
    if end < len(doc) and doc[end].lower_ in ADMIN_NOUNS | {"city", "town", "village"}:
        return True
    return start >= 1 and doc[start - 1].lower_ in PLACE_NOUNS


def prominent(gazetteer: Gazetteer, text: str, min_population: int = 100_000) -> bool:
    """A name whose main reading is a well-known place: a country, a province or a big city."""
    entries = gazetteer.entries(text)
    if not entries or not text[:1].isupper():
        return False
    top = entries[0]
    if not top.primary and top.place.resolution == "city":
        return False
    return (top.place.resolution in ("continent", "region", "feature", "country", "admin1")
            or top.place.population >= min_population)


def recognize(doc: Doc, gazetteer: Gazetteer) -> Recognized:
    """Find place-name spans and demonym country evidence in a parsed document."""
    spans: list[Candidate] = []
    demonyms: list[str] = []
    taken: set[int] = set()
    place_names: set[str] = set()
    pending: list[Span] = []
    for ent in doc.ents:
        if ent.label_ in PLACE_LABELS:
            s, e = _trim(doc, ent.start, ent.end)
            if s < e:
                place_names.add(normalize(doc[s:e].text))
    for ent in doc.ents:
        s, e = _trim(doc, ent.start, ent.end)
        if s >= e:
            continue
        text = doc[s:e].text
        key = normalize(text)
        iso = demonym_country(text)
        if iso and (ent.label_ == "NORP" or not gazetteer.has(text)):
            demonyms.append(iso)
            continue
        if key in NOT_PLACES:
            continue
        if ent.label_ in PLACE_LABELS:
            if ent.label_ == "GPE" and e - s == 1 and demonym_country(text) and not gazetteer.has(text):
                continue
            spans.append(Candidate(s, e, ent.label_))
            taken.update(range(s, e))
        elif ent.label_ in OTHER_LABELS:
            pending.append(ent)
    for ent in pending:
        s, e = _trim(doc, ent.start, ent.end)
        text = doc[s:e].text
        key = normalize(text)
        if not gazetteer.has(text) or (ent.label_ == "ORG" and e - s >= 2
                                       and _place_prefix(doc, s, e, gazetteer, place_names)):
            continue
        if text.isupper() and len(text) <= 5 and key not in place_names:
            continue  # acronyms tagged ORG (MİT, PKK) are organisations
        single = e - s == 1
        if (key in place_names or place_context(doc, s, e) or _conjoined_with_place(doc, s, e, taken)
                or (ent.label_ != "PERSON" and prominent(gazetteer, text))
                or (e - s >= 2 and doc[e - 1].lower_ in ADMIN_NOUNS | {"parish"})
                or (single and not doc[s].dep_.startswith("nsubj") and prominent(gazetteer, text, 500_000))):
            spans.append(Candidate(s, e, "GAZ"))
            taken.update(range(s, e))
    for ent in pending:
        # the place an institution is named after: "the Mansfield Police Department", "Texas A&M University"
        s, e = _trim(doc, ent.start, ent.end)
        if ent.label_ == "ORG" and e - s >= 2 and not taken.intersection(range(s, e)):
            hit = _place_prefix(doc, s, e, gazetteer, place_names)
            if hit:
                spans.append(Candidate(s, hit, "GAZ"))
                taken.update(range(s, hit))
                continue
            first = _place_suffix(doc, s, e, gazetteer, place_names)
            if first is not None:
                spans.append(Candidate(first, e, "GAZ"))
                taken.update(range(first, e))
    spans.extend(_missed(doc, gazetteer, taken, place_names))
    spans.extend(_hyphenated(doc, gazetteer, taken))
    spans.extend(_variants(doc, gazetteer, pending, spans, taken))
    spans.extend(_same_name_again(doc, gazetteer, pending, spans, taken))
    spans.extend(_datelines(doc, gazetteer, taken))
    spans = _postal_codes(doc, gazetteer, spans)
    spans = _not_person_names(doc, spans)
    spans.sort(key=lambda c: c.start)
    return Recognized(tuple(spans), tuple(demonyms))


def _same_name_again(doc: Doc, gazetteer: Gazetteer, pending: list[Span], spans: list[Candidate],
                     taken: set[int]) -> list[Candidate]:
    """Entities tagged ORG/PERSON/NORP that repeat a name recognised as a place elsewhere in the article
    ("the mayor of Dogubayazit" after "officials in Dogubayazit"), or that are coordinated with one found
    after them ("in the Temryuk and Anapa")."""
    keys = {normalize(c.text(doc)) for c in spans}
    out: list[Candidate] = []
    for ent in pending:
        s, e = _trim(doc, ent.start, ent.end)
        if s >= e or taken.intersection(range(s, e)):
            continue
        text = doc[s:e].text
        key = normalize(text)
        if (key in NOT_PLACES or demonym_country(text) or (text.isupper() and len(text) <= 5)
                or not gazetteer.has(text)):
            continue
        if key in keys or _conjoined_with_place(doc, s, e, taken):
            out.append(Candidate(s, e, "GAZ"))
            taken.update(range(s, e))
    return out


def _variants(doc: Doc, gazetteer: Gazetteer, pending: list[Span], spans: list[Candidate],
              taken: set[int]) -> list[Candidate]:
    """One-word names the gazetteer does not know, tagged ORG/PERSON/NORP after "in"/"from"/"near", that are
    a spelling variant (:meth:`Gazetteer.similar`) of a place in a country the article names elsewhere:
    "a woman from Daqahliya" in an Egyptian story (the resolver keeps the same restriction)."""
    out: list[Candidate] = []
    named: set[str] | None = None
    for ent in pending:
        s, e = _trim(doc, ent.start, ent.end)
        if e - s != 1 or s in taken or s < 1 or doc[s - 1].lower_ not in ("in", "from", "near", "of"):
            continue
        text = doc[s].text
        if not text[:1].isupper() or text.isupper() or gazetteer.has(text) or demonym_country(text):
            continue
        variants = gazetteer.similar(text)
        if not variants:
            continue
        if named is None:
            named = {x.place.country for c in spans for x in gazetteer.entries(c.text(doc))[:1]
                     if x.place.country and x.place.resolution in ("country", "admin1", "city")}
        if any(v.place.country in named for v in variants):
            out.append(Candidate(s, e, "GAZ"))
            taken.add(s)
    return out


def _not_person_names(doc: Doc, spans: list[Candidate]) -> list[Candidate]:
    """Drop one-word spans that are a name of a person the article names in full ("Mendez" after "Tony
    Mendez", "Pelosi" after "Nancy Pelosi"), unless the words around them say place ("in Mendez", "Mendez,
    Cavite", "Mendez town")."""
    names = {t.lower_ for ent in doc.ents if ent.label_ == "PERSON" and len(ent) >= 2 for t in ent
             if t.text[:1].isupper()}
    if not names:
        return spans
    out = []
    for c in spans:
        comma_place = c.end + 1 < len(doc) and doc[c.end].text == "," and doc[c.end + 1].text[:1].isupper()
        if (c.end - c.start == 1 and c.name is None and doc[c.start].lower_ in names
                and not place_context(doc, c.start, c.end) and not comma_place):
            continue
        out.append(c)
    return out


def _place_prefix(doc: Doc, s: int, e: int, gazetteer: Gazetteer, place_names: set[str]) -> int | None:
    """End of the place name an organisation's name starts with ("Minnesota" in "the Minnesota Department of
    Transportation"): a name the article also uses as a place, or a country, state or big city; None when
    the organisation's name does not start with one."""
    for end in range(min(e - 1, s + 3), s, -1):
        if not all(t.text[:1].isupper() for t in doc[s:end]) or not doc[end].text[:1].isupper():
            continue
        if _named_place(doc[s:end].text, gazetteer, place_names):
            return end
    return None


def _named_place(text: str, gazetteer: Gazetteer, place_names: set[str]) -> bool:
    """``text`` inside an organisation's name is a place: no demonym, in the gazetteer, and either used as a
    place elsewhere in the article or well known."""
    if demonym_country(text) or normalize(text) in NOT_PLACES or not gazetteer.has(text):
        return False
    return normalize(text) in place_names or well_known(gazetteer, text)


def well_known(gazetteer: Gazetteer, text: str) -> bool:
    """A name one of whose five most prominent readings is a country (by its main name or an upper-case
    abbreviation: "US", "U.K."), or, by its main name, an area, a province or a city of 100,000+ people in
    the country of the first reading ("Beijing", whose first reading is the alternate name of Beijing Shi;
    not "Beni", first El Beni, Bolivia, then Beni, Congo)."""
    entries = gazetteer.entries(text)[:5]
    if not text[:1].isupper() or not entries:
        return False
    for x in entries:
        r = x.place.resolution
        if r == "country" and (x.primary or text.replace(".", "").isupper()):
            return True
        if x.primary and x.alpha2 == entries[0].alpha2 and (
                r in ("continent", "region", "feature", "admin1") or x.place.population >= 100_000):
            return True
    return False


def _place_suffix(doc: Doc, s: int, e: int, gazetteer: Gazetteer, place_names: set[str]) -> int | None:
    """Start of the place name an organisation's name ends with after "of": "the Federal Aviation Office of
    Germany", "the Parliament of the United Kingdom"; None when there is none."""
    for start in range(max(s + 2, e - 3), e):
        if doc[start - 1].lower_ not in ("of", "the") or not doc[start].text[:1].isupper():
            continue
        if doc[start - 1].lower_ == "the" and (start < 2 or doc[start - 2].lower_ != "of"):
            continue
        if _named_place(doc[start:e].text, gazetteer, place_names):
            return start
    return None


def _hyphenated(doc: Doc, gazetteer: Gazetteer, taken: set[int]) -> list[Candidate]:
    """Country names inside a hyphenated token: "the U.S.-Mexican border", "then-U.S.-president", "the
    Iran–Iraq War" (the toponym covers the name only)."""
    out: list[Candidate] = []
    for tok in doc:
        if tok.i in taken or not any(d in tok.text for d in "-–") or len(tok.text) < 5:
            continue
        for part in tok.text.replace("–", "-").split("-"):
            if len(part) < 2 or demonym_country(part) or normalize(part) in NOT_PLACES:
                continue
            if any(x.place.resolution == "country" for x in gazetteer.entries(part)[:5]) and well_known(
                    gazetteer, part):
                out.append(Candidate(tok.i, tok.i + 1, "GAZ", part))
                taken.add(tok.i)
                break
    return out


DATELINE_MARKS = frozenset(("-", "—", "–", "--", "("))
US_POSTAL = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
    "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico",
}


def _postal_codes(doc: Doc, gazetteer: Gazetteer, spans: list[Candidate]) -> list[Candidate]:
    """US postal codes only in context: "Seattle, WA" -> Washington (the state), when the name before the
    comma has a US reading; elsewhere "WA" is not made a US state (nor, after a US town, Wa, Ghana)."""
    by_start = {c.start: i for i, c in enumerate(spans)}
    out = list(spans)
    for c in spans:
        k = c.end + 1
        if c.end >= len(doc) or doc[c.end].text != "," or k >= len(doc) or doc[k].text not in US_POSTAL:
            continue
        if not any(e.alpha2 == "US" and e.place.resolution in ("city", "admin2")
                   for e in gazetteer.entries(c.text(doc))):
            continue
        state = Candidate(k, k + 1, "GAZ", US_POSTAL[doc[k].text])
        if k in by_start and spans[by_start[k]].end == k + 1:
            out[by_start[k]] = replace(spans[by_start[k]], name=state.name)
        elif not any(x.start <= k < x.end for x in spans):
            out.append(state)
    return out


def _datelines(doc: Doc, gazetteer: Gazetteer, taken: set[int]) -> list[Candidate]:
    """An upper-case place name opening a line and followed by a dash or "(Agency)": "TORONTO -",
    "KABUL (Reuters) -" (the small model misses upper-case names)."""
    out: list[Candidate] = []
    for i, tok in enumerate(doc):
        if i in taken or not tok.is_upper or len(tok.text) < 3 or not tok.is_alpha:
            continue
        if i > 0 and "\n" not in doc[i - 1].text_with_ws and not doc[i - 1].is_space:
            continue
        j = i
        while j < len(doc) and j - i < 3 and doc[j].is_upper and doc[j].is_alpha and j not in taken:
            j += 1
        if j >= len(doc) or doc[j].text not in DATELINE_MARKS and doc[j].text != ",":
            continue
        name = doc[i:j].text.title()
        if normalize(name) not in NOT_PLACES and gazetteer.has(name):
            out.append(Candidate(i, j, "GAZ", name))
            taken.update(range(i, j))
    return out


def _missed(doc: Doc, gazetteer: Gazetteer, taken: set[int], place_names: set[str]) -> list[Candidate]:
    """Proper-noun runs outside any entity that the gazetteer knows and the context marks as places."""
    out: list[Candidate] = []
    i, n = 0, len(doc)
    while i < n:
        tok: Token = doc[i]
        if tok.ent_type_ or i in taken or tok.pos_ != "PROPN" or not tok.text[:1].isupper():
            i += 1
            continue
        j = i
        while j < n and j - i < 4 and doc[j].pos_ == "PROPN" and not doc[j].ent_type_ and j not in taken:
            j += 1
        inside = i > 0 and doc[i - 1].pos_ == "PROPN" and not doc[i - 1].ent_type_  # a later start in a run
        for e in range(j, i, -1):
            text = doc[i:e].text
            key = normalize(text)
            if key in NOT_PLACES or not gazetteer.has(text):
                continue
            if inside:
                if key in place_names or well_known(gazetteer, text):
                    out.append(Candidate(i, e, "GAZ"))
                    i = e
                    break
                continue
            in_the = i >= 2 and doc[i - 1].lower_ == "the" and doc[i - 2].lower_ in ("in", "near")
            if (key in place_names or place_context(doc, i, e, PROPN_PREPS) or prominent(gazetteer, text)
                    or in_the or _conjoined_with_place(doc, i, e, taken)):
                out.append(Candidate(i, e, "GAZ"))
                i = e
                break
        else:
            i += 1  # "Marriage Equality Coalition Taiwan": a later start within the run
    return out

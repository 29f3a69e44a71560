"""The event filter shared by the CLI ``events`` command, the exporters and the REST API.

:class:`EventFilter` is a frozen dataclass with typed, validated fields; every field is optional and
the fields combine with AND. :meth:`EventFilter.from_params` parses the strings a user types (CLI
options, query-string parameters) and raises :class:`~wirewatch.errors.UserError` with a one-line
message for bad values. The store (``wirewatch.store``) turns a filter into SQL.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from wirewatch.errors import UserError
from wirewatch.limits import MAX_PARAM_CHARS
from wirewatch.periods import period_bounds
from wirewatch.records import MODALITIES, PLOVER_TYPES
from wirewatch.textnorm import strip_accents

BBox = tuple[float, float, float, float]

_PARAM_ALIASES = {
    "type": "types",
    "event_type": "types",
    "event_types": "types",
    "since": "date_from",
    "from": "date_from",
    "start": "date_from",
    "until": "date_to",
    "to": "date_to",
    "end": "date_to",
    "modalities": "modality",
    "q": "text",
    "article": "article_id",
    "location_country": "country",
}


def fold(text: str) -> str:
    """Case- and accent-insensitive form used for actor matching ("MİT" -> "mit", "Kobanî" -> "kobani")."""
    return strip_accents(text.casefold())


date_range = period_bounds  # first and last day of a date value (``2014-10`` -> the month)


@dataclass(frozen=True)
class EventFilter:
    """Which stored events to return. Unset (None / empty) fields do not filter.

    - ``types``: PLOVER event types; ``modality``: modalities (any of them matches).
    - ``actor``: matched against source/target actor id, actor name and mention text (case- and
      accent-insensitive substring); ``actor_country``: ISO3 of a source/target actor.
    - ``country``: ISO3 of the event *location* (several: "SYR,IRQ"; so for ``actor_country``);
      ``bbox``: (west, south, east, north) in degrees (west > east crosses the antimeridian).
    - ``date_from``/``date_to``: inclusive; an event matches when its date *period* overlaps the range
      (a month-precision "2014-10" event matches 2014-10-15..2014-10-20).
    - ``min_confidence``: confidence >= value; ``text``: full-text search over article title + text;
      ``article_id``: events of one article.
    """

    types: tuple[str, ...] = ()
    actor: str | None = None
    actor_country: str | None = None
    country: str | None = None
    bbox: BBox | None = None
    date_from: date | None = None
    date_to: date | None = None
    modality: tuple[str, ...] = ()
    min_confidence: float | None = None
    text: str | None = None
    article_id: str | None = None

    def __post_init__(self) -> None:
        # Accept a bare string where a tuple is expected (EventFilter(types="ASSAULT")).
        if isinstance(self.types, str):
            object.__setattr__(self, "types", (self.types,))
        if isinstance(self.modality, str):
            object.__setattr__(self, "modality", (self.modality,))
        if self.bbox is not None:
            object.__setattr__(self, "bbox", tuple(float(x) for x in self.bbox))

    def is_empty(self) -> bool:
        """True when the filter matches every event."""
        return all(not getattr(self, f.name) and getattr(self, f.name) != 0 for f in fields(self))

    def to_params(self) -> dict[str, str]:
        """The inverse of :meth:`from_params`: non-empty fields as strings (for URLs, logs)."""
        out: dict[str, str] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if v is None or v == ():
                continue
            if isinstance(v, tuple):
                out[f.name] = ",".join(str(x) for x in v)
            elif isinstance(v, date):
                out[f.name] = v.isoformat()
            else:
                out[f.name] = str(v)
        return out

    @classmethod
    def from_params(cls, **params: Any) -> EventFilter:
        """Build a filter from user strings, e.g. ``from_params(type="ASSAULT,PROTEST",
        country="syr", bbox="35,32,43,38", date_from="2014-10", date_to="2015", min_confidence="0.5")``.

        Lists are comma-separated strings or sequences of strings; None and "" are ignored; dates may
        be ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (``date_from`` takes the period's first day,
        ``date_to`` its last). Aliases: type, since/until, q (text). Raises UserError on bad values.
        """
        known = {f.name for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for raw_key, value in params.items():
            key = _PARAM_ALIASES.get(raw_key, raw_key)
            if key not in known:
                raise UserError(
                    f"unknown event filter {raw_key!r}; use one of: {', '.join(sorted(known))}"
                )
            if value is None or value == "" or value == () or value == []:
                continue
            kwargs[key] = _PARSERS[key](value)
        flt = cls(**kwargs)
        if flt.date_from and flt.date_to and flt.date_from > flt.date_to:
            raise UserError(
                f"date_from {flt.date_from} is after date_to {flt.date_to}; swap them"
            )
        return flt


def _items(value: Any) -> list[str]:
    if isinstance(value, str):
        parts: Iterable[Any] = value.split(",")
    elif isinstance(value, Iterable):
        parts = [p for v in value for p in (v.split(",") if isinstance(v, str) else [v])]
    else:
        parts = [value]
    return [str(p).strip() for p in parts if str(p).strip()]


def _parse_choices(value: Any, allowed: tuple[str, ...], what: str, sep: str) -> tuple[str, ...]:
    """Items of a list value, each one of ``allowed`` (case-insensitive), deduplicated in order."""
    by_fold = {a.casefold(): a for a in allowed}
    out = []
    for item in _items(value):
        if item.casefold() not in by_fold:
            raise UserError(f"unknown {what} {item!r}; use one of: {sep.join(allowed)}")
        out.append(by_fold[item.casefold()])
    return tuple(dict.fromkeys(out))


def _parse_types(value: Any) -> tuple[str, ...]:
    return _parse_choices(value, PLOVER_TYPES, "event type", " ")


def _parse_modality(value: Any) -> tuple[str, ...]:
    return _parse_choices(value, MODALITIES, "modality", ", ")


def _country_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(name)).strip()


@lru_cache(maxsize=1)
def country_index() -> dict[str, str]:
    """Folded ISO3 code, ISO2 code and English names (short, official, common) -> ISO3 code.

    The codes are those of the shipped gazetteer (``wirewatch/data/geo/countries.json``, the codes
    events carry); pycountry adds official and common names ("Syrian Arab Republic", "Türkiye").
    """
    path = resources.files("wirewatch") / "data" / "geo" / "countries.json"
    table = json.loads(path.read_text(encoding="utf-8"))
    index: dict[str, str] = {}
    for iso3, info in table.items():
        for name in (iso3, info.get("alpha2"), info.get("name")):
            if name:
                index.setdefault(_country_key(name), iso3)
    try:
        import pycountry

        for c in pycountry.countries:
            if c.alpha_3 in table:
                for attr in ("name", "official_name", "common_name"):
                    if name := getattr(c, attr, None):
                        index.setdefault(_country_key(name), c.alpha_3)
    except ImportError:  # pragma: no cover - pycountry is a dependency
        pass
    for name, iso3 in _COUNTRY_ALIASES.items():
        index.setdefault(_country_key(name), iso3)
    return index


# names in everyday use that are neither codes nor in the tables above
_COUNTRY_ALIASES = {"UK": "GBR", "Britain": "GBR", "Great Britain": "GBR", "America": "USA",
                    "DR Congo": "COD", "DRC": "COD", "Burma": "MMR", "Holland": "NLD"}


def country_code(value: str) -> str:
    """The ISO3 code for an ISO3 code, ISO2 code or English country name (case- and
    accent-insensitive): "SYR", "sy", "Syria", "Syrian Arab Republic" -> "SYR". UserError otherwise,
    with the closest known names."""
    index = country_index()
    code = index.get(_country_key(value))
    if code:
        return code
    from rapidfuzz import process

    table = json.loads((resources.files("wirewatch") / "data" / "geo" / "countries.json")
                       .read_text(encoding="utf-8"))
    names = {f"{info['name']} ({iso3})": _country_key(info["name"]) for iso3, info in table.items()}
    close = process.extract(_country_key(value), names, limit=3, score_cutoff=60)
    hint = f"did you mean {', '.join(c[2] for c in close)}? " if close else ""
    raise UserError(
        f"unknown country {value!r}; {hint}use an ISO 3166-1 code (alpha-3 SYR or alpha-2 SY) or an "
        f"English name (Syria); {len(table)} countries are known"
    )


def _parse_countries(value: Any) -> str:
    codes = [country_code(c) for c in _items(value)]
    if not codes:
        raise UserError(f"bad country {value!r}; use an ISO 3166-1 code like SYR or a name like Syria")
    return ",".join(dict.fromkeys(codes))


def countries(value: str | None) -> list[str]:
    """The ISO3 codes of a ``country``/``actor_country`` field ("SYR" or "SYR,IRQ")."""
    return [c.strip().upper() for c in value.split(",") if c.strip()] if value else []


def check_user_string(value: str, what: str) -> str:
    """``value`` unless it is over ``MAX_PARAM_CHARS``, holds a control character (NUL, ESC, ...)
    or is not valid Unicode (a lone surrogate from undecodable command-line bytes): UserError."""
    if len(value) > MAX_PARAM_CHARS:
        raise UserError(f"{what} is {len(value)} characters long; the limit is {MAX_PARAM_CHARS}")
    for ch in value:
        cat = unicodedata.category(ch)
        if cat == "Cs":
            raise UserError(f"{what} is not valid UTF-8 (undecodable byte U+{ord(ch):04X}); retype it")
        if cat == "Cc" and ch not in "\t\n\r":
            raise UserError(f"{what} contains the control character U+{ord(ch):04X}; remove it")
    return value


def _parse_text(value: Any) -> str:
    s = check_user_string(str(value), "search text").strip()
    if not s:
        raise UserError("empty search text; give at least one word")
    return s


def _parse_actor(value: Any) -> str:
    s = check_user_string(str(value), "actor").strip()
    if not s:
        raise UserError("empty actor filter; give an actor name, id or mention text")
    return s


def _parse_bbox(value: Any) -> BBox:
    items = _items(value)
    if len(items) != 4:
        raise UserError(f"bad bbox {value!r}; use west,south,east,north in degrees, e.g. 35,32,43,38")
    try:
        w, s, e, n = (float(x) for x in items)
    except ValueError:
        raise UserError(f"bad bbox {value!r}; the four values must be numbers") from None
    if not (-180 <= w <= 180 and -180 <= e <= 180):
        raise UserError(f"bad bbox {value!r}; longitudes must be within -180..180")
    if not (-90 <= s <= 90 and -90 <= n <= 90) or s > n:
        raise UserError(f"bad bbox {value!r}; latitudes must be within -90..90 with south <= north")
    return (w, s, e, n)


def _parse_date(value: Any, *, last: bool) -> date:
    if isinstance(value, date):
        return value
    s = str(value).strip()
    rng = date_range(s) if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", s) else None
    if rng is None:
        raise UserError(f"bad date {value!r}; use YYYY-MM-DD, YYYY-MM or YYYY")
    return rng[1] if last else rng[0]


def _parse_confidence(value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise UserError(f"bad min_confidence {value!r}; use a number between 0 and 1") from None
    if not 0.0 <= x <= 1.0:
        raise UserError(f"bad min_confidence {value!r}; use a number between 0 and 1")
    return x


_PARSERS: dict[str, Any] = {
    "types": _parse_types,
    "actor": _parse_actor,
    "actor_country": _parse_countries,
    "country": _parse_countries,
    "bbox": _parse_bbox,
    "date_from": lambda v: _parse_date(v, last=False),
    "date_to": lambda v: _parse_date(v, last=True),
    "modality": _parse_modality,
    "min_confidence": _parse_confidence,
    "text": _parse_text,
    "article_id": lambda v: check_user_string(str(v), "article_id").strip(),
}


# ---- the one filter vocabulary of the CLI and the API -------------------------------------------
@dataclass(frozen=True)
class FilterParam:
    """One event filter as users spell it: API query parameter ``name`` = CLI option ``--name``
    (underscores as dashes). A ``multiple`` parameter may be repeated and its values add up (OR);
    a single-valued one given twice is an error. ``aliases`` are older spellings, accepted in both."""

    name: str
    field: str
    help: str
    metavar: str
    multiple: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def option(self) -> str:
        """The CLI spelling: ``--date-from``."""
        return "--" + self.name.replace("_", "-")

    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


FILTER_PARAMS: tuple[FilterParam, ...] = (
    FilterParam("type", "types", "PLOVER event type; repeat (or comma-separate) for several", "TYPE",
                multiple=True),
    FilterParam("actor", "actor", "actor name, actor id or mention text (source or target)", "TEXT"),
    FilterParam("actor_country", "actor_country",
                "country of a source/target actor: ISO3, ISO2 or English name; repeatable", "COUNTRY",
                multiple=True),
    FilterParam("country", "country",
                "country of the event location: ISO3 (SYR), ISO2 (SY) or English name; repeatable",
                "COUNTRY", multiple=True),
    FilterParam("bbox", "bbox", "bounding box in degrees: west,south,east,north", "W,S,E,N"),
    FilterParam("date_from", "date_from", "events dated on or after (YYYY, YYYY-MM or YYYY-MM-DD)",
                "DATE", aliases=("since",)),
    FilterParam("date_to", "date_to", "events dated on or before (YYYY, YYYY-MM or YYYY-MM-DD)", "DATE",
                aliases=("until",)),
    FilterParam("modality", "modality", "modality (" + ", ".join(MODALITIES) + "); repeatable",
                "MODALITY", multiple=True),
    FilterParam("min_confidence", "min_confidence", "lowest confidence to keep (0..1)", "X"),
    FilterParam("text", "text", "full-text search over article title and text (words ANDed)", "WORDS"),
    FilterParam("article_id", "article_id", "only this article's events", "ID"),
)


def filter_from_values(values: Mapping[str, Sequence[Any] | None], cli: bool = False) -> EventFilter:
    """The :class:`EventFilter` for filter values as the user gave them, keyed by parameter name or
    alias (``{"country": ["MLI", "TUR"], "since": ["2015"]}``); what the API and the CLI both call.

    Repeated values of a ``multiple`` parameter add up; a single-valued parameter given more than
    once, or an unknown key, is a UserError (names spelt as CLI options when ``cli``)."""
    by_spelling = {s: p for p in FILTER_PARAMS for s in p.spellings()}

    def shown(name: str) -> str:
        return "--" + name.replace("_", "-") if cli else name

    params: dict[str, Any] = {}
    given: dict[str, str] = {}
    for key, raw in values.items():
        if key not in by_spelling:
            names = ", ".join(shown(p.name) for p in FILTER_PARAMS)
            raise UserError(f"unknown filter {shown(key)!r}; use one of: {names}")
        items = [v for v in (raw or ()) if v is not None and str(v).strip() != ""]
        if not items:
            continue
        p = by_spelling[key]
        if p.field in given or (not p.multiple and len(items) > 1):
            first = given.get(p.field, key)
            what = shown(first) if first == key else f"{shown(first)} and {shown(key)}"
            raise UserError(f"{what} given more than once; {shown(p.name)} takes one value")
        given[p.field] = key
        params[p.field] = items if p.multiple else items[0]
    return EventFilter.from_params(**params)

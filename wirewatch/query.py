"""The event filter shared by the CLI ``events`` command, the exporters and the REST API.

:class:`EventFilter` is a frozen dataclass with typed, validated fields; every field is optional and
the fields combine with AND. :meth:`EventFilter.from_params` parses the strings a user types (CLI
options, query-string parameters) and raises :class:`~wirewatch.errors.UserError` with a one-line
message for bad values. The store (``wirewatch.store``) turns a filter into SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from wirewatch.errors import UserError
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


def _parse_iso3(value: Any) -> str:
    codes = [c.upper() for c in _items(value)]
    for c in codes:
        if not re.fullmatch(r"[A-Z]{3}", c):
            raise UserError(f"bad country code {c!r}; use an ISO 3166-1 alpha-3 code like SYR or TUR")
    if not codes:
        raise UserError(f"bad country code {value!r}; use an ISO 3166-1 alpha-3 code like SYR or TUR")
    return ",".join(dict.fromkeys(codes))


def countries(value: str | None) -> list[str]:
    """The ISO3 codes of a ``country``/``actor_country`` field ("SYR" or "SYR,IRQ")."""
    return [c.strip().upper() for c in value.split(",") if c.strip()] if value else []


def _parse_text(value: Any) -> str:
    s = str(value).strip()
    if not s:
        raise UserError("empty search text; give at least one word")
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
    "actor": _parse_text,
    "actor_country": _parse_iso3,
    "country": _parse_iso3,
    "bbox": _parse_bbox,
    "date_from": lambda v: _parse_date(v, last=False),
    "date_to": lambda v: _parse_date(v, last=True),
    "modality": _parse_modality,
    "min_confidence": _parse_confidence,
    "text": _parse_text,
    "article_id": lambda v: str(v).strip(),
}

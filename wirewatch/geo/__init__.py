"""Offline geoparsing: toponym recognition, resolution against a GeoNames gazetteer, event location.

```python
geo = Geoparser()
toponyms = geo.toponyms(doc, article)        # every place name, resolved (place None if unknown)
where = geo.locate(doc, draft, toponyms)     # the toponym where the event happened, or None
geo.gazetteer.lookup("Kobani")               # candidate places
```
"""

from __future__ import annotations

from pathlib import Path

from spacy.tokens import Doc

from wirewatch.geo.gazetteer import Gazetteer, haversine_km, normalize
from wirewatch.geo.locate import locate as _locate
from wirewatch.geo.recognize import Candidate, Recognized, recognize
from wirewatch.geo.resolve import resolve
from wirewatch.records import Article, EventDraft, Toponym

__all__ = ["Gazetteer", "Geoparser", "haversine_km", "normalize"]


class Geoparser:
    """Finds and resolves place names in a parsed article, and picks each event's location.

    The gazetteer is loaded lazily on first use (and shared by every Geoparser of the process unless one
    is passed in)."""

    _shared: Gazetteer | None = None

    def __init__(self, gazetteer: Gazetteer | None = None, cache_dir: Path | None = None) -> None:
        if gazetteer is None and cache_dir is not None:
            gazetteer = Gazetteer(cache=cache_dir)
        self._gazetteer = gazetteer

    @property
    def gazetteer(self) -> Gazetteer:
        """The gazetteer (loaded on first lookup)."""
        if self._gazetteer is None:
            if Geoparser._shared is None:
                Geoparser._shared = Gazetteer()
            self._gazetteer = Geoparser._shared
        return self._gazetteer

    def toponyms(self, doc: Doc, article: Article | None = None) -> list[Toponym]:
        """Every place name in ``doc`` (offsets into ``article.text``), resolved with article context."""
        return resolve(doc, recognize(doc, self.gazetteer), self.gazetteer)

    def locate(self, doc: Doc, draft: EventDraft, toponyms: list[Toponym]) -> Toponym | None:
        """Where the event of ``draft`` happened: one of ``toponyms`` of its sentence, or None."""
        return _locate(doc, draft, toponyms)

    def resolve_spans(self, doc: Doc, spans: list[tuple[int, int]]) -> list[Toponym | None]:
        """Resolve given character spans as toponyms (gold-span evaluation), in the given order; None for a
        span that does not align with the Doc's tokens."""
        rec = recognize(doc, self.gazetteer)
        cands: list[Candidate] = []
        where: list[int | None] = []
        for start, end in spans:
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None or len(span) == 0:
                where.append(None)
                continue
            where.append(len(cands))
            name = doc.text[start:end]
            cands.append(Candidate(span.start, span.end, "GOLD", None if name == span.text else name))
        resolved = resolve(doc, Recognized(tuple(cands), rec.demonym_countries), self.gazetteer)
        return [resolved[i] if i is not None else None for i in where]

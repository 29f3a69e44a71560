"""The offline gazetteer: GeoNames places compiled into ``wirewatch/data/geo/places.tsv.gz``.

The shipped file is parsed once on first use and cached as a pickle in ``$WIREWATCH_CACHE`` (default
``~/.cache/wirewatch``), keyed by the data file's size and hash, so later processes load it in well under a
second. Lookups are a dict access on a normalised name (diacritics, apostrophes, hyphens and case folded).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import pickle
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from wirewatch.records import Place

COLUMNS = ("geonameid", "name", "alpha2", "country", "admin1_code", "admin1", "admin2", "lat", "lon",
           "feature_code", "resolution", "population", "alternate_names")
CACHE_VERSION = 2
_ARTICLES = ("al ", "ar ", "as ", "ad ", "an ", "ash ", "at ", "az ", "el ", "ad ")
_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`ʿʾʼ´"), None)
_SPACES = dict.fromkeys(map(ord, "-‐–—_.,"), " ")
RESOLUTION_RANK = {"country": 0, "admin1": 1, "admin2": 2, "city": 3, "sub-city": 4}


def _unescape(line: str) -> str:
    """Undo csv's escapechar (backslash) on one TSV line."""
    return line.replace("\\\\", "\x00").replace("\\", "").replace("\x00", "\\")


def normalize(name: str) -> str:
    """The lookup key of a name: no diacritics, apostrophes or dots, hyphens as spaces, casefolded."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.translate(_APOSTROPHES).translate(_SPACES).casefold()
    s = " ".join(s.split())
    if s.startswith("the "):
        s = s[4:]
    return s


def data_path() -> Path:
    """The shipped compiled gazetteer."""
    return Path(str(resources.files("wirewatch") / "data" / "geo" / "places.tsv.gz"))


def cache_dir() -> Path:
    """``$WIREWATCH_CACHE`` or ``~/.cache/wirewatch``."""
    env = os.environ.get("WIREWATCH_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "wirewatch"


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Entry:
    """A gazetteer row as the resolver sees it: the public :class:`Place` plus internal keys."""

    place: Place
    alpha2: str
    admin1_code: str  # GeoNames "CC.code" of the admin1 containing it (its own code for an admin1)
    primary: bool  # the looked-up name is the place's main name (not an alternate name)


class Gazetteer:
    """Name -> candidate places. Loaded lazily, once, from the shipped data (via the pickle cache)."""

    def __init__(self, path: Path | None = None, cache: Path | None = None) -> None:
        self.path = path or data_path()
        self.cache = cache
        self._rows: list[tuple[Any, ...]] | None = None
        self._index: dict[str, tuple[int, ...]] = {}
        self._primary: dict[str, frozenset[int]] = {}
        self._places: dict[int, Place] = {}
        self._entries: dict[str, tuple[Entry, ...]] = {}
        self.build_seconds = 0.0
        self.loaded_from = ""

    # loading -------------------------------------------------------------------------------------------
    def _cache_file(self) -> Path:
        stat = self.path.stat()
        h = hashlib.sha1(f"{CACHE_VERSION}|{self.path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode())
        return (self.cache or cache_dir()) / f"gazetteer-{h.hexdigest()[:16]}.pickle"

    def load(self) -> None:
        """Load the index (from the pickle cache, else compile it from the shipped TSV and cache it)."""
        if self._rows is not None:
            return
        import time

        t0 = time.perf_counter()
        target = self._cache_file()
        if target.exists():
            try:
                with target.open("rb") as f:
                    self._rows, self._index, self._primary = pickle.load(f)
                self.loaded_from = str(target)
            except (OSError, pickle.UnpicklingError, EOFError, ValueError):
                self._rows = None
        if self._rows is None:
            self._compile()
            self.loaded_from = str(self.path)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
                with os.fdopen(fd, "wb") as f:
                    pickle.dump((self._rows, self._index, self._primary), f, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, target)
            except OSError:
                pass  # a read-only cache dir only costs speed
        self.build_seconds = time.perf_counter() - t0

    def _compile(self) -> None:
        rows: list[tuple[Any, ...]] = []
        index: dict[str, list[int]] = {}
        primary: dict[str, set[int]] = {}
        with gzip.open(self.path, "rt", encoding="utf-8") as f:
            for i, line in enumerate(f):
                c = _unescape(line.rstrip("\n")).split("\t")
                gid, name, a2, a3, a1code, a1, a2name, lat, lon, fcode, res, pop, alts = c
                rows.append((int(gid), name, a2, a3 or None, a1code, a1 or None, a2name or None,
                             float(lat) if lat else None, float(lon) if lon else None, fcode, res,
                             int(pop) if pop else 0))
                key = normalize(name)
                index.setdefault(key, []).append(i)
                primary.setdefault(key, set()).add(i)
                for alt in alts.split("|") if alts else ():
                    k = normalize(alt)
                    if k and k != key:
                        bucket = index.setdefault(k, [])
                        if not bucket or bucket[-1] != i:
                            bucket.append(i)
                for k in [key, *map(normalize, alts.split("|") if alts else ())]:
                    # Arabic article: "Al Qamishli" is also "Qamishli"
                    if k.startswith(_ARTICLES):
                        bare = k.split(" ", 1)[1]
                        bucket = index.setdefault(bare, [])
                        if not bucket or bucket[-1] != i:
                            bucket.append(i)
        self._rows = rows
        self._index = {k: tuple(v) for k, v in index.items()}
        self._primary = {k: frozenset(v) for k, v in primary.items()}

    # lookups -------------------------------------------------------------------------------------------
    def __len__(self) -> int:
        self.load()
        assert self._rows is not None
        return len(self._rows)

    def place(self, row: int) -> Place:
        """The :class:`Place` of row ``row`` (built once)."""
        p = self._places.get(row)
        if p is None:
            assert self._rows is not None
            gid, name, _a2, a3, _code, a1, a2name, lat, lon, fcode, res, pop = self._rows[row]
            p = Place(geonameid=gid if gid > 0 else None, name=name, country=a3, admin1=a1, lat=lat, lon=lon,
                      feature_code=fcode, resolution=res, admin2=a2name, population=pop)
            self._places[row] = p
        return p

    def entries(self, name: str) -> list[Entry]:
        """Candidates for ``name`` with internal keys, most prominent first."""
        key = normalize(name)
        hit = self._entries.get(key)
        if hit is not None:
            return list(hit)
        self.load()
        assert self._rows is not None
        rows = self._index.get(key, ())
        prim = self._primary.get(key, frozenset())
        out = [Entry(self.place(r), self._rows[r][2], self._rows[r][4], r in prim) for r in rows]
        out.sort(key=lambda e: (-prior(e), e.place.geonameid or 0))
        if len(self._entries) < 100_000:
            self._entries[key] = tuple(out)
        return out

    def lookup(self, name: str) -> list[Place]:
        """Candidate places for a name, most prominent first (empty when unknown)."""
        return [e.place for e in self.entries(name)]

    def has(self, name: str) -> bool:
        """True when ``name`` names at least one place."""
        self.load()
        return normalize(name) in self._index


def prior(e: Entry) -> float:
    """Context-free plausibility of a candidate: feature type and population."""
    p = e.place
    base = {"country": 6.0, "admin1": 3.5, "admin2": 1.0, "city": 0.0, "sub-city": -0.5}[p.resolution]
    if p.feature_code == "CONT":
        base = 6.5
    if p.feature_code == "PPLC":
        base += 1.5
    if not e.primary:
        base -= 0.6
    return base + math.log10(p.population + 10) * 0.8


@lru_cache(maxsize=1)
def countries() -> dict[str, dict[str, Any]]:
    """alpha-3 -> {name, alpha2, capital, demonyms, neighbours, geonameid} (shipped countries.json)."""
    path = Path(str(resources.files("wirewatch") / "data" / "geo" / "countries.json"))
    return json.loads(path.read_text(encoding="utf-8"))

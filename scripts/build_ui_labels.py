"""Compile the web map's offline place labels from the shipped gazetteer (wirewatch/data/geo/places.tsv.gz).

Writes wirewatch/ui/static/vendor/labels/labels.json: country, first-level division (admin1) and city
label points with a rank the page uses to show more labels as the map zooms in (GeoNames data, CC BY 4.0).
Usage: python scripts/build_ui_labels.py   (deterministic; a few seconds)
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "wirewatch" / "data" / "geo" / "places.tsv.gz"
OUT = ROOT / "wirewatch" / "ui" / "static" / "vendor" / "labels" / "labels.json"
MIN_CITY_POP = 20_000  # towns below this are not labelled (the map's deepest zoom is 12)
MIN_ADMIN1_POP = 1  # divisions the gazetteer gives no population for are left out


def _row(name: str, lat: str, lon: str, pop: str, *extra: str | int) -> list[str | float | int]:
    return [name, round(float(lat), 2), round(float(lon), 2), int(pop or 0), *extra]


def build() -> dict[str, object]:
    """Read the gazetteer and return the label collections, biggest first."""
    countries, admin1, cities = [], [], []
    with gzip.open(SRC, "rt", encoding="utf-8", newline="") as fh:
        for rec in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            _gid, name, _a2, a3, _a1code, _a1name, _a2name, lat, lon, fcode, _res, pop = rec[:12]
            if not lat or not lon:
                continue
            if fcode == "PCLI":
                countries.append(_row(name, lat, lon, pop, a3))
            elif fcode == "ADM1" and int(pop or 0) >= MIN_ADMIN1_POP:
                admin1.append(_row(name, lat, lon, pop, a3))
            elif fcode in ("PPL", "PPLC") and int(pop or 0) >= MIN_CITY_POP:
                cities.append(_row(name, lat, lon, pop, a3, 1 if fcode == "PPLC" else 0))
    key = lambda r: (-r[3], r[0])  # noqa: E731
    return {
        "source": "GeoNames (geonames.org, CC BY 4.0) via wirewatch/data/geo; scripts/build_ui_labels.py",
        "fields": {"countries": ["name", "lat", "lon", "population", "iso3"],
                   "admin1": ["name", "lat", "lon", "population", "iso3"],
                   "cities": ["name", "lat", "lon", "population", "iso3", "capital"]},
        "countries": sorted(countries, key=key),
        "admin1": sorted(admin1, key=key),
        "cities": sorted(cities, key=key),
    }


def main() -> None:
    data = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(data['countries'])} countries, {len(data['admin1'])} admin1, "
          f"{len(data['cities'])} cities ({OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()

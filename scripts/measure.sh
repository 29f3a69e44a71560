#!/usr/bin/env bash
# Re-measure every figure quoted in README.md in one run: every eval on the shipped gold files, then the
# benchmark. JSON reports land in reports/ (commit them with the README change that quotes them).
set -euo pipefail
cd "$(dirname "$0")/.."
ww=${WIREWATCH:-wirewatch}
out=reports
mkdir -p "$out"
gold=tests/data/gold
run() {  # task, gold file stem
  echo "eval --task $1 $2" >&2
  "$ww" eval "$gold/$2.jsonl" --task "$1" --json > "$out/eval-$2.json"
}
for f in events_news events_gsr_heldout events_petrarch; do [ -f "$gold/$f.jsonl" ] && run events "$f"; done
echo "eval --task events wikinews/test_sentences" >&2  # the held-out real-news split
"$ww" eval "$gold/wikinews/test_sentences.jsonl" --task events --json > "$out/eval-wikinews_test.json"
echo "eval --task events wikinews/test (whole articles)" >&2  # the same split, each article read whole
"$ww" eval "$gold/wikinews/test.jsonl" --task events --json > "$out/eval-wikinews_test_articles.json"
for f in actors_news actors_news_heldout actors_ngec actors_gsr; do run actors "$f"; done
for f in geo_news geo_geovirus geo_wikinews; do run geo "$f"; done
run time time_news
run time time_meantime
python3 scripts/annotation_agreement.py --json > "$out/agreement.json"  # second annotator vs the gold
for f in incidents_meantime incidents_wire incidents_wire_2020; do run incidents "$f"; done
if [ -n "${SKIP_BENCH:-}" ]; then python3 scripts/readme_figures.py; exit 0; fi
echo "bench --articles ${BENCH_ARTICLES:-40} --rounds ${BENCH_ROUNDS:-3} --workers 2" >&2
"$ww" bench --articles "${BENCH_ARTICLES:-40}" --rounds "${BENCH_ROUNDS:-3}" --workers 2 --json > "$out/bench.json"
python3 scripts/readme_figures.py  # rewrite the README section from these reports
python3 - "$out" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
for path in sorted(out.glob("*.json")):
    data = json.loads(path.read_text())
    if "metrics" in data:
        keys = [k for k in data["metrics"] if any(w in k for w in ("f1", "acc", "median", "accuracy"))]
        print(path.stem, {k: round(data["metrics"][k], 3) for k in keys})
    else:
        print(path.stem, {k: round(data[k], 3) for k in ("ratio",)},
              {k: round(v, 1) for k, v in data["stage_pct_of_parse"].items()},
              "spacy art/s", round(data["spacy"]["articles_per_s"], 1),
              "pipeline art/s", round(data["pipeline"]["articles_per_s"], 1))
PY

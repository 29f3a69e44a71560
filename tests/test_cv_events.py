"""scripts/cv_events.py: article-level cross-validation of the trigger classifier (a small run)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"


def test_every_article_is_scored_once_out_of_fold(tmp_path):
    import train_events as te  # scripts/ is on the path (conftest)
    from cv_events import fold_of

    pool = te.wikinews_articles("train") + te.wikinews_articles("dev")
    articles = sorted(pool, key=lambda a: a["doc_id"])[:8]
    gold = sum(len(s["events"]) for a in articles for s in a["sentences"])
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "cv_events.py"), "--folds", "2", "--articles", "8",
         "--synthetic-limit", "40", "--no-geneva", "--detector-mix", "0.5", "--detector-gsr-weight", "2",
         "--shared", str(SHARED)],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["detector_mix"] == 0.5 and out["detector_gsr_weight"] == 2
    assert out["articles"] == 8 and out["gold_events"] == gold > 0  # each held-out article counted once
    assert out["coded"] > 0 and 0.0 < out["average_precision"] <= 1.0
    assert 0.0 < out["best_flat_f1"] <= 1.0 and out["best_flat_f1"] >= out["f1_at_0.5"]
    assert {fold_of(a["doc_id"], 2) for a in articles} == {0, 1}  # both folds hold articles


def test_the_mixed_decision_weighs_the_detector():
    from cv_events import MixedClassifier

    from wirewatch.events.model import EventClassifier

    p = np.array([0.30, 0.45, 0.25])
    base = EventClassifier(np.log(p).reshape(1, 3).astype(np.float32), np.zeros(3, dtype=np.float32),
                           {"f": 0}, ["ASSAULT", "NONE", "PROTEST"], (1.0, 0.0), decision="event")
    mixed = MixedClassifier(base, np.array([np.log(9.0)], dtype=np.float32), 0.0, 0.5)  # detector: 0.9
    label, conf = mixed.predict_many([["f"]])[0]
    assert label == "ASSAULT" and abs(conf - (0.5 * 0.9 + 0.5 * 0.55)) < 1e-4
    assert abs(mixed.event_probability(["f"]) - conf) < 1e-4

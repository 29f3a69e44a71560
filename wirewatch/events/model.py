"""The trigger classifier: sparse features of a candidate -> PLOVER type (or NONE), calibrated.

A multinomial logistic regression trained by ``scripts/train_events.py`` and shipped as
``wirewatch/data/events/model.npz`` (weights) + ``model.json`` (feature vocabulary, classes, Platt
calibration of the winning probability). Scoring is a sum of weight rows: no scikit-learn at run time.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache

import numpy as np
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from wirewatch.events.lexicon import Candidate, Lexicon, data_file, read_json

NONE = "NONE"
CONTENT_POS = {"NOUN", "VERB", "ADJ", "PROPN"}
OBJ_DEPS = {"dobj", "nsubjpass", "attr", "oprd"}
WINDOW = 8  # words this far left/right of the trigger are bag-of-words features
SENTENCE_WORDS = True  # bag of sentence words (without it held-out GSR micro-F1 drops 0.50 -> 0.46)


def features(doc: Doc, sent: SpacySpan, cand: Candidate, lexicon: Lexicon) -> list[str]:
    """Sparse string features of one candidate trigger (shared by training and run time)."""
    tok = doc[cand.token]
    plover = lexicon.to_plover(cand.cameo)
    lex = plover.event_type if plover else ("NULL" if cand.cameo is None else "DROPPED")
    key = cand.key
    feats = [
        "bias", f"lem={key}", f"lex={lex}", f"cam={(cand.cameo or '--')[:2]}", f"pos={tok.pos_}",
        f"dep={tok.dep_}", f"lem|lex={key}|{lex}", f"tag={tok.tag_}",
        f"hd={tok.head.lemma_.lower()}", f"hdd={tok.dep_}|{tok.head.lemma_.lower()}",
    ]
    if cand.key.startswith("n:"):
        feats.append("noun")
    if cand.specific:
        feats += [f"pattern={lex}", f"pattern|lem={key}|{lex}"]
    for child in tok.children:
        dep = child.dep_
        lemma = child.lemma_.lower()
        if dep in OBJ_DEPS:
            feats += [f"obj={lemma}", f"lem|obj={key}|{lemma}"]
        elif dep == "prep":
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            p = f"{child.lower_}_{pobj.lemma_.lower() if pobj is not None else ''}"
            feats += [f"pp={p}", f"lem|pp={key}|{p}", f"prep={child.lower_}"]
        elif dep in ("xcomp", "ccomp"):
            feats += [f"{dep}={lemma}"]
        elif dep == "neg":
            feats.append("neg")
        elif dep in ("nsubj", "agent"):
            ent = child.ent_type_ or child.pos_
            feats += [f"subj={ent}", f"subjl={lemma}"]
        elif dep in ("compound", "amod"):
            feats += [f"mod={lemma}", f"lem|mod={key}|{lemma}"]
        elif dep == "prt":
            feats.append(f"prt={lemma}")
    if SENTENCE_WORDS:
        lo, hi = max(sent.start, tok.i - WINDOW), min(sent.end, tok.i + WINDOW + 1)
        for t in doc[lo:hi]:
            if t.i != tok.i and t.pos_ in CONTENT_POS and not t.is_stop:
                feats.append(f"w={t.lemma_.lower()}")
    return feats


class EventClassifier:
    """Score candidates: ``predict_many`` gives (label, confidence) per candidate.

    ``decision`` is how a candidate becomes an event. ``"event"`` (the shipped model): the label is the
    best event type and the confidence is the probability of *any* event, 1 - P(NONE), so that the
    per-type thresholds tuned on real news decide event or not (a word whose probability mass is
    spread over several event types is still an event). ``"argmax"``: the most probable class, NONE
    included, with its Platt-scaled probability (models trained before the switch)."""

    def __init__(self, weights: np.ndarray, intercept: np.ndarray, vocab: dict[str, int],
                 classes: list[str], platt: tuple[float, float],
                 thresholds: dict[str, float] | None = None,
                 event_platt: tuple[float, float] | None = None, decision: str = "argmax",
                 floor: float = 0.3) -> None:
        self.decision = decision
        self.floor = floor  # the lowest confidence any type may be coded at
        self.weights = weights
        self.event_platt = event_platt  # final event confidence, calibrated on the Wikinews dev split
        self.thresholds = thresholds or {}  # per-type minimum confidence (out-of-fold tuned)
        self.intercept = intercept
        self.vocab = vocab
        self.classes = classes
        self.platt = platt

    def proba(self, feats: list[str]) -> np.ndarray:
        """Class probabilities (softmax of the linear scores)."""
        idx = [self.vocab[f] for f in dict.fromkeys(feats) if f in self.vocab]  # ordered: no hash-seed order
        scores = self.intercept + (self.weights[idx].sum(axis=0) if idx else 0.0)
        scores = scores - scores.max()
        e = np.exp(scores)
        return e / e.sum()

    def predict_many(self, batch: list[list[str]]) -> list[tuple[str, float]]:
        """``predict`` for several candidates with one matrix operation."""
        if not batch:
            return []
        vocab = self.vocab
        rows = [[vocab[f] for f in dict.fromkeys(feats) if f in vocab] for feats in batch]
        flat = [i for r in rows for i in r]
        sums = np.zeros((len(rows), len(self.classes)), dtype=np.float32)
        if flat:
            gathered = self.weights[flat]
            offset = 0
            for n, r in enumerate(rows):
                if r:
                    sums[n] = gathered[offset:offset + len(r)].sum(axis=0)
                offset += len(r)
        scores = sums + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        p = e / e.sum(axis=1, keepdims=True)
        if self.decision == "event":
            none = self.classes.index(NONE)
            p_event = 1.0 - p[:, none]
            p[:, none] = -1.0
            best = p.argmax(axis=1)
            return [(self.classes[int(b)], float(p_event[n])) for n, b in enumerate(best)]
        best = p.argmax(axis=1)
        return [(self.classes[int(b)], self.calibrate(float(p[n, b]))) for n, b in enumerate(best)]

    def event_probability(self, feats: list[str]) -> float:
        """The probability that the candidate is an event of any type, 1 - P(NONE)."""
        return 1.0 - float(self.proba(feats)[self.classes.index(NONE)])

    def predict(self, feats: list[str], exclude_none: bool = False) -> tuple[str, float]:
        """The best label and its Platt-calibrated confidence in [0, 1]."""
        p = self.proba(feats)
        order = np.argsort(-p)
        best = int(order[0])
        if exclude_none and self.classes[best] == NONE:
            best = int(order[1])
        return self.classes[best], self.calibrate(float(p[best]))

    def calibrate(self, p: float) -> float:
        """Platt scaling of a raw probability, fitted on out-of-fold training predictions."""
        return _platt(p, self.platt)

    def calibrate_event(self, p: float) -> float:
        """A coded event's final confidence: Platt scaling fitted on held-out real news (the
        Wikinews dev split), so that 0.8 means right 8 times in 10 there; identity if not fitted."""
        return _platt(p, self.event_platt) if self.event_platt else p


def _platt(p: float, ab: tuple[float, float]) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    a, b = ab
    z = a * math.log(p / (1 - p)) + b
    return 1.0 / (1.0 + math.exp(-z))


@lru_cache(maxsize=1)
def load_classifier() -> EventClassifier:
    """The shipped classifier (loaded once)."""
    meta = read_json("model.json")
    raw = data_file("model.npz").read_bytes()
    with np.load(io.BytesIO(raw)) as arrays:
        weights = arrays["weights"].astype(np.float32)
        intercept = arrays["intercept"].astype(np.float32)
    vocab = {f: i for i, f in enumerate(meta["features"])}
    event_platt = tuple(meta["event_platt"]) if meta.get("event_platt") else None
    return EventClassifier(weights, intercept, vocab, meta["classes"], tuple(meta["platt"]),
                           meta.get("thresholds"), event_platt, meta.get("decision", "argmax"),
                           meta.get("floor", 0.3))

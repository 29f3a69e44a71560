"""scripts/annotation_agreement.py on tiny hand-made article files (every number checkable by hand)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load():
    path = ROOT / "scripts" / "annotation_agreement.py"
    spec = importlib.util.spec_from_file_location("annotation_agreement", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["annotation_agreement"] = mod
    spec.loader.exec_module(mod)
    return mod


agr = _load()

TEXT = "Police arrested two men. It rained. Protesters marched."
SENTS = ["Police arrested two men.", "It rained.", "Protesters marched."]


def span(word: str, country: str | None = None, sector: str | None = None, role: str | None = None
         ) -> dict[str, Any]:
    start = TEXT.index(word)
    out: dict[str, Any] = {"text": word, "start": start, "end": start + len(word)}
    if role:
        out["role"] = role
    else:
        out["country"], out["sector"] = country, sector
    return out


def event(typ: str, mode: str | None, trigger: str, src=(), tgt=(), modality="asserted", attr=()):
    return {"event_type": typ, "mode": mode, "contexts": [], "trigger": span(trigger),
            "source": list(src), "target": list(tgt), "modality": modality, "attribution": list(attr)}


def article(events: dict[int, list[dict[str, Any]]], doc_id: str = "Doc") -> dict[str, Any]:
    sents, pos = [], 0
    for i, s in enumerate(SENTS):
        start = TEXT.index(s, pos)
        sents.append({"index": i, "start": start, "end": start + len(s), "annotated": True,
                      "events": events.get(i, [])})
        pos = start + len(s)
    return {"doc_id": doc_id, "url": "u", "published": "2020-01-01", "title": "t", "text": TEXT,
            "annotator": "X", "status": "done", "sentences": sents}


# A: s0 arrest (Police -> men, USA), s1 none, s2 protest (Protesters).
ART_A = article({0: [event("COERCE", "arrest", "arrested", [span("Police", "USA", "COP")],
                           [span("men", "USA", "CRM")])],
                 2: [event("PROTEST", "demo", "marched", [span("Protesters", "USA", "CVL")])]})
# B: s0 the same arrest but the target's country unknown, s1 an extra event, s2 none.
ART_B = article({0: [event("COERCE", "arrest", "arrested", [span("Police", "USA", "COP")],
                           [span("two men", None, "CRM")])],
                 1: [event("ASSAULT", None, "rained")]})


def test_kappa_and_prf_by_hand():
    # po = 3/4, pe = 1/2*1/4 + 1/2*3/4 = 1/2 -> kappa = (3/4 - 1/2) / (1/2) = 0.5
    assert agr.cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]) == 0.5
    assert agr.cohen_kappa(["a", "a"], ["a", "a"]) == 1.0  # chance agreement 1, all agree
    assert agr.prf(1, 2, 4) == {"p": 0.5, "r": 0.25, "f1": 0.3333, "tp": 1, "n_b": 2, "n_a": 4}


def test_compare_tiny_articles():
    res = agr.compare({"Doc": ART_A}, {"Doc": ART_B})
    assert res["articles"] == 1 and res["sentences"] == 3
    # detection: A [T, F, T], B [T, T, F]: tp 1, P = R = 1/2; po = 1/3, pe = 5/9 -> kappa -0.5
    det = res["detection"]
    assert (det["p"], det["r"], det["f1"], det["kappa"]) == (0.5, 0.5, 0.5, -0.5)
    # events: B 2 (arrest, extra), A 2 (arrest, protest); 1 trigger match of the same type
    assert res["trigger"]["f1"] == 0.5 and res["type_micro"]["f1"] == 0.5
    assert res["type_per_type"]["COERCE"]["f1"] == 1.0
    assert res["type_per_type"]["PROTEST"] == {"p": 0.0, "r": 0.0, "f1": 0.0, "tp": 0, "n_b": 0, "n_a": 1}
    assert res["type_per_type"]["ASSAULT"]["n_b"] == 1 and res["type_per_type"]["ASSAULT"]["p"] == 0.0
    args = res["arguments"]
    # on the matched arrest: source Police = Police; target "two men" overlaps "men", country null != USA
    assert args["source|matched"]["f1"] == 1.0
    assert args["target|matched"]["f1"] == 1.0
    assert args["target+country|matched"]["f1"] == 0.0
    # over all events A has one more source (Protesters): P 1/1, R 1/2, F1 2/3
    assert args["source|all"] == {"p": 1.0, "r": 0.5, "f1": 0.6667, "tp": 1, "n_b": 1, "n_a": 2}
    # source+target on matched events: tp 2 of 2 / 2
    assert args["source+target|matched"]["f1"] == 1.0
    assert args["source+target+country|matched"]["f1"] == 0.5
    assert res["mode"] == {"pairs": 1, "accuracy": 1.0}
    assert res["modality"] == {"pairs": 1, "accuracy": 1.0, "kappa": 1.0}
    assert res["attribution"]["exact"] == 1.0
    issues = {d["sentence"]: d["issues"] for d in res["disagreements"]}
    assert issues == {0: ["target"], 1: ["extra_in_b"], 2: ["missed_by_b"]}


def test_matching_prefers_the_same_type_and_counts_modality():
    a = [event("PROTEST", "riot", "marched"), event("ASSAULT", None, "marched")]
    b = [event("ASSAULT", None, "marched", modality="claimed", attr=[span("Protesters", role="claimant")])]
    pairs, un_b, un_a = agr.match_events(b, a)
    assert pairs == [(0, 1)] and un_b == [] and un_a == [0]
    res = agr.compare({"Doc": article({2: a})}, {"Doc": article({2: b})})
    assert res["type_micro"] == {"p": 1.0, "r": 0.5, "f1": 0.6667, "tp": 1, "n_b": 1, "n_a": 2}
    # one matched pair, asserted vs claimed: accuracy 0; attribution [] vs [claimant]: not exact, P 0/1
    assert res["modality"]["accuracy"] == 0.0
    assert res["attribution"]["exact"] == 0.0
    assert (res["attribution"]["n_b"], res["attribution"]["n_a"], res["attribution"]["tp"]) == (1, 0, 0)


def test_cli_on_folders(tmp_path, capsys):
    fa, fb = tmp_path / "a", tmp_path / "b"
    for folder, art in ((fa, ART_A), (fb, ART_B)):
        folder.mkdir()
        (folder / "Doc.json").write_text(json.dumps(art), encoding="utf-8")
    assert agr.main(["--a", str(fa), "--b", str(fb), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["detection"]["kappa"] == -0.5
    assert agr.main(["--a", str(fa), "--b", str(fb), "--disagreements", "5"]) == 0
    text = capsys.readouterr().out
    assert "| sentence event detection | 0.500 | 0.500 | 0.500 | 1 | 2 | 2 |" in text
    assert "Doc s1 [extra_in_b]" in text
    assert agr.main(["--a", str(tmp_path / "nope"), "--b", str(fb)]) == 1
    with pytest.raises(SystemExit, match="not done by both"):
        agr.main(["--a", str(fa), "--b", str(fb), "--ids", "Other"])

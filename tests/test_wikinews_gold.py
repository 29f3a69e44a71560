"""The committed Wikinews event gold is valid: every span, code, split and done article checks out."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "gold" / "wikinews"


def _load_tool():
    path = ROOT / "scripts" / "annotate_wikinews.py"
    spec = importlib.util.spec_from_file_location("annotate_wikinews", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["annotate_wikinews"] = mod
    spec.loader.exec_module(mod)
    return mod


aw = _load_tool()


def test_committed_gold_validates():
    errors = aw.validate_all(GOLD / "articles", GOLD / "split.json")
    assert errors == []


def test_split_is_fixed_complete_and_large_enough():
    split = json.loads((GOLD / "split.json").read_text(encoding="utf-8"))
    ids = {p.stem for p in (GOLD / "articles").glob("*.json")}
    listed = split["test"] + split["dev"] + split["train"]
    assert len(ids) == 295 and sorted(listed) == sorted(ids)
    assert len(split["test"]) >= 70 and len(split["dev"]) >= 40
    for name in ("test", "dev", "train"):
        assert set(split["strata"][name]) == {"conflict", "other"}
    arts = {d: aw.load_article(aw.article_path(d, GOLD / "articles")) for d in ids}
    rows = [{"doc_id": d, "title": a["title"], "text": a["text"]} for d, a in arts.items()]
    again = aw.make_split(rows)
    assert {k: again[k] for k in ("test", "dev", "train")} == {k: split[k] for k in ("test", "dev", "train")}


def test_done_articles_cover_every_sentence_and_test_split_comes_first():
    split = json.loads((GOLD / "split.json").read_text(encoding="utf-8"))
    done = aw.done_articles(GOLD / "articles")
    assert done, "no annotated article committed"
    for art in done:
        assert art["annotator"] and all(s["annotated"] for s in art["sentences"])
    test_done = [a for a in done if a["doc_id"] in split["test"]]
    assert len(test_done) == len(done) or len(test_done) == len(split["test"])


def test_a_broken_span_or_code_is_caught(tmp_path):
    done = aw.done_articles(GOLD / "articles")
    art = next(a for a in done if any(s["events"] for s in a["sentences"]))
    base = tmp_path / "articles"
    base.mkdir()
    sent = next(s for s in art["sentences"] if s["events"])
    sent["events"][0]["trigger"]["start"] += 1
    aw.save_article(art, base)
    errors = aw.validate_all(base, tmp_path / "no-split.json")
    assert any("trigger" in e and "!=" in e for e in errors)
    sent["events"][0]["trigger"]["start"] -= 1
    sent["events"][0]["mode"] = "firearms" if sent["events"][0]["event_type"] != "ASSAULT" else "demo"
    aw.save_article(art, base)
    assert any("mode" in e for e in aw.validate_all(base, tmp_path / "no-split.json"))


def test_helper_places_quoted_strings_and_refuses_ambiguity(tmp_path):
    text = "Police arrested two men. The police said the men had attacked police officers."
    art = {"doc_id": "x", "url": "u", "published": "2020-01-01", "title": "t", "text": text, "status": "todo",
           "sentences": [{"index": 0, "start": 0, "end": 24, "annotated": False, "events": []},
                         {"index": 1, "start": 25, "end": len(text), "annotated": False, "events": []}]}
    ev = aw.make_event(art, 0, "COERCE", "arrested", mode="arrest", source=["Police:COP:-"],
                       target=["two men:CRM:-"])
    assert text[ev["trigger"]["start"]:ev["trigger"]["end"]] == "arrested"
    assert ev["source"][0]["start"] == 0 and ev["target"][0]["text"] == "two men"
    with pytest.raises(aw.AnnError, match="occurs 2 times"):
        aw.make_event(art, 1, "ASSAULT", "attacked", source=["men:CRM:-"], target=["police:COP:-"],
                      modality="claimed", attribution=["police:claimant"])
    ev = aw.make_event(art, 1, "ASSAULT", "attacked", source=["men:CRM:-"], target=["police#2:COP:-"],
                       modality="claimed", attribution=["police#1:claimant"])
    assert ev["target"][0]["start"] == text.index("police officers")
    with pytest.raises(aw.AnnError, match="not found"):
        aw.make_event(art, 0, "COERCE", "detained")
    with pytest.raises(aw.AnnError, match="not a COERCE mode"):
        aw.make_event(art, 0, "COERCE", "arrested", mode="firearms")
    with pytest.raises(aw.AnnError, match="needs an attribution"):
        aw.make_event(art, 0, "COERCE", "arrested", modality="reported")
    # whole words only: "men" is not found inside "women"
    art["text"] = text.replace("two men", "two women")
    with pytest.raises(aw.AnnError, match="not found"):
        aw.make_event(art, 0, "COERCE", "arrested", target=["men:CRM:-"])


def test_apply_and_build_round_trip(tmp_path):
    done = aw.done_articles(GOLD / "articles")
    art = done[0]
    base = tmp_path / "articles"
    keep = f"{art['doc_id']}.json"
    shutil.copytree(GOLD / "articles", base, ignore=lambda d, names: [n for n in names if n != keep])
    again = aw.apply_ann(GOLD / "ann" / f"{art['doc_id']}.ann", base)
    assert again["sentences"] == art["sentences"] and again["status"] == "done"
    counts = aw.build(tmp_path, base)
    assert sum(counts.values()) == 1
    name = next(k for k, v in counts.items() if v)
    rows = [json.loads(line) for line in (tmp_path / f"{name}_sentences.jsonl").read_text().splitlines()]
    assert len(rows) == sum(1 for s in art["sentences"] if art["text"][s["start"]:s["end"]].strip())
    assert any(not r["events"] for r in rows)  # no-event sentences are units too
    for r in rows:
        for ev in r["events"]:
            t = ev["trigger"]
            assert r["text"][t["start"]:t["end"]] == t["text"]
    whole = json.loads((tmp_path / f"{name}.jsonl").read_text().splitlines()[0])
    for ev in whole["events"]:
        assert whole["text"][ev["trigger"]["start"]:ev["trigger"]["end"]] == ev["trigger"]["text"]

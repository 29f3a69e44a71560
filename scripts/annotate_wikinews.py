"""The Wikinews event gold: prepare articles, apply annotations, validate, split, build, stats.

    python scripts/annotate_wikinews.py prepare        # one JSON per article (sentences from wirewatch.nlp)
    python scripts/annotate_wikinews.py split          # tests/data/gold/wikinews/split.json (fixed)
    python scripts/annotate_wikinews.py order [--split test]   # the fixed annotation order, with status
    python scripts/annotate_wikinews.py show DOC_ID    # numbered sentences to read and annotate
    python scripts/annotate_wikinews.py apply ANN...   # .ann files (see docs/annotation-guideline.md) -> JSON
    python scripts/annotate_wikinews.py validate       # every span, code and sentence; exit 1 on errors
    python scripts/annotate_wikinews.py build          # <split>.jsonl + <split>_sentences.jsonl (done)
    python scripts/annotate_wikinews.py stats

Stdlib + spaCy (through ``wirewatch.nlp``; only ``prepare`` loads the model). Offsets are code-point
indices into the article text, which is exactly the CSV text. Source: the Wikinews articles in
``../shared/data/news/`` (CC BY 2.5, see tests/data/gold/wikinews/LICENSE.md).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import shlex
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "gold" / "wikinews"
ARTICLES = GOLD / "articles"
ANN = GOLD / "ann"
SPLIT = GOLD / "split.json"
NEWS = ROOT.parent / "shared" / "data" / "news"
CSV_FILES = ("wikinews_2019.csv", "wikinews_2020.csv")

TYPES = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE",
         "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT")
# Modes per type: PLOVER_structured_codebook_updated.csv + event_mode_questions.csv (martial-law).
MODES: dict[str, frozenset[str]] = {
    "AGREE": frozenset(), "SUPPORT": frozenset(), "CONCEDE": frozenset(), "COOPERATE": frozenset(),
    "AID": frozenset(),
    "CONSULT": frozenset({"visit", "third-party", "multilateral", "phone"}),
    "RETREAT": frozenset({"withdraw", "release", "return", "disarm", "ceasefire", "access", "resign"}),
    "REQUEST": frozenset({"assist", "change", "yield", "meet"}),
    "ACCUSE": frozenset({"disapprove", "investigate", "allege"}),
    "REJECT": frozenset({"assist", "change", "yield", "meet"}),
    "THREATEN": frozenset({"restrict", "ban", "arrest", "relations", "rights", "expel", "territory",
                           "violence"}),
    "PROTEST": frozenset({"demo", "riot", "strike", "hunger", "boycott", "obstruct"}),
    "SANCTION": frozenset({"convict", "expel", "withdraw", "discontinue"}),
    "MOBILIZE": frozenset({"troops", "weapons", "police", "militia"}),
    "COERCE": frozenset({"seize", "restrict", "ban", "censor", "curfew", "martial-law", "arrest", "deport",
                         "withhold", "misinformation", "cyber"}),
    "ASSAULT": frozenset({"abduct", "beat", "torture", "execute", "sexual", "assassinate", "destroy",
                          "primitive", "firearms", "explosives", "suicide-attack", "aerial", "drone",
                          "heavy-weapons", "crowd-control", "cleansing", "massacre", "unconventional"}),
}
# Contexts: PLOVER manual Table 2.1 (spaces as "_"), plus "humanitarian" (used in CAMEO2PLOVER-2021.txt).
CONTEXTS = frozenset({
    "military", "intelligence", "executive", "legislative", "election", "political_institutions",
    "pro_democracy", "pro_autocracy", "economic", "legal", "reparations", "human_rights", "rights_freedoms",
    "repression", "human_security", "gender", "lgbt", "religion_ethnicity", "inequality", "diplomatic",
    "territory", "peacekeeping", "health", "asylum", "migration", "disasters", "natural_resource",
    "environment", "technology", "terrorism", "cbrn", "cyber", "misinformation", "crime", "corruption",
    "illegal_drugs", "trafficking", "humanitarian",
})
MODALITIES = ("asserted", "reported", "claimed", "possible", "planned", "negated", "historical")
ROLES = ("reporter", "claimant")
SECTORS = frozenset({
    "GOV", "MIL", "SPY", "COP", "REB", "INS", "OPP", "PTY", "MED", "IGO", "NGO", "CVL", "BUS",
    "JUD", "LEG", "EDU", "REL", "ELI", "CRM", "REF", "LAB", "AGR", "HLH", "HRI", "ENV", "UAF",
    "PRM", "SEP", "DEV", "SOC", "MUS", "CHR", "JEW", "BUD", "HIN", "SIK", "SET", "MOD", "RAD",
    "NGM", "PRE", "ATH",
})  # = wirewatch.actors.codes.SECTORS
COUNTRIES_JSON = ROOT / "wirewatch" / "data" / "geo" / "countries.json"
# Conflict stratum of the split: an article is "conflict" when its title + text has at least
# CONFLICT_MIN_WORDS different words of this list.
CONFLICT_WORDS = frozenset({
    "attack", "attacks", "attacked", "killed", "protest", "protests", "protesters", "police", "military",
    "troops", "soldiers", "army", "war", "arrested", "arrest", "bomb", "bombing", "shooting", "shot",
    "militants", "rebels", "airstrike", "sanctions", "clashes", "riot", "riots", "missile", "terrorist",
})
CONFLICT_MIN_WORDS = 2
SPLIT_QUOTA = {"test": 0.26, "dev": 0.16}  # of each stratum, rounded up; the rest is train
ANNOTATOR_DEFAULT = "A"


class AnnError(ValueError):
    """An annotation that cannot be placed (not found, ambiguous, bad code)."""


# --------------------------------------------------------------------------- ids, files

def doc_id_of(url: str) -> str:
    """Stable id from the URL slug: the unquoted slug, non-alphanumerics as ``_``, at most 90 characters."""
    slug = unquote(url.rstrip("/").rsplit("/wiki/", 1)[-1])
    out = re.sub(r"[^A-Za-z0-9]+", "_", slug).strip("_")
    return out[:90].rstrip("_")


def read_csv_articles(news: Path = NEWS) -> list[dict[str, str]]:
    """All rows of the Wikinews CSVs, each with its doc_id; duplicate ids are an error."""
    rows: list[dict[str, str]] = []
    for name in CSV_FILES:
        with open(news / name, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                rows.append({"doc_id": doc_id_of(row["url"]), "url": row["url"],
                             "published": row["date"][:10], "title": row["title"], "text": row["text"]})
    ids = Counter(r["doc_id"] for r in rows)
    dup = [k for k, n in ids.items() if n > 1]
    if dup:
        raise SystemExit(f"duplicate doc ids: {dup}")
    return rows


def article_path(doc_id: str, base: Path = ARTICLES) -> Path:
    return base / f"{doc_id}.json"


def load_article(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def save_article(art: dict[str, Any], base: Path = ARTICLES) -> Path:
    path = article_path(art["doc_id"], base)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(art, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------- prepare

def segment(text: str, nlp: Any) -> list[dict[str, Any]]:
    """Sentences exactly as the pipeline sees them (``wirewatch.nlp.load_nlp`` marks line breaks);
    whitespace-only sentences are kept (indices match ``Pipeline``) and pre-marked annotated."""
    doc = nlp(text)
    out = []
    for i, s in enumerate(doc.sents):
        blank = not text[s.start_char:s.end_char].strip()
        out.append({"index": i, "start": s.start_char, "end": s.end_char, "annotated": blank, "events": []})
    return out


def prepare(force: bool = False, base: Path = ARTICLES) -> int:
    """Write one JSON per article; an existing file with annotations is kept unless ``force``."""
    from wirewatch.nlp import load_nlp

    nlp = load_nlp()
    written = 0
    for row in read_csv_articles():
        path = article_path(row["doc_id"], base)
        if path.exists() and not force:
            old = load_article(path)
            if old.get("text") != row["text"]:
                raise SystemExit(f"{path}: text differs from the CSV; rerun with --force to rebuild")
            continue
        art = {"doc_id": row["doc_id"], "url": row["url"], "published": row["published"],
               "title": row["title"], "text": row["text"], "annotator": None, "status": "todo",
               "sentences": segment(row["text"], nlp)}
        save_article(art, base)
        written += 1
    return written


# --------------------------------------------------------------------------- split

def conflict_stratum(title: str, text: str) -> str:
    words = set(re.findall(r"[a-z]+", f"{title} {text}".lower()))
    return "conflict" if len(words & CONFLICT_WORDS) >= CONFLICT_MIN_WORDS else "other"


def sha(doc_id: str) -> str:
    return hashlib.sha1(doc_id.encode("utf-8")).hexdigest()


def make_split(rows: Iterable[dict[str, str]]) -> dict[str, Any]:
    """Deterministic, stratified split by article: within each stratum, sorted by sha1(doc_id), the first
    ceil(26 %) go to test, the next ceil(16 %) to dev, the rest to train."""
    import math

    strata: dict[str, list[str]] = {}
    for r in rows:
        strata.setdefault(conflict_stratum(r["title"], r["text"]), []).append(r["doc_id"])
    assign: dict[str, str] = {}
    for ids in strata.values():
        ids.sort(key=sha)
        n_test = math.ceil(SPLIT_QUOTA["test"] * len(ids))
        n_dev = math.ceil(SPLIT_QUOTA["dev"] * len(ids))
        for k, d in enumerate(ids):
            assign[d] = "test" if k < n_test else "dev" if k < n_test + n_dev else "train"
    splits = {s: sorted((d for d, v in assign.items() if v == s), key=sha) for s in ("test", "dev", "train")}
    strat = {d: s for s, ids in strata.items() for d in ids}
    return {
        "about": ("Wikinews event gold split by article. Each stratum (conflict: >= 2 different "
                  "CONFLICT_WORDS of scripts/annotate_wikinews.py in title + text; else other) sorted by "
                  "sha1(doc_id): first 26% test, next 16% dev, rest train. Lists are in sha1 order. The test "
                  "split is never used for training or tuning rules."),
        "counts": {s: len(v) for s, v in splits.items()},
        "strata": {s: dict(Counter(strat[d] for d in v)) for s, v in splits.items()},
        **splits,
    }


def load_split() -> dict[str, Any]:
    return json.loads(SPLIT.read_text(encoding="utf-8"))


def split_of(doc_id: str, split: dict[str, Any]) -> str | None:
    return next((s for s in ("test", "dev", "train") if doc_id in split[s]), None)


LONG_ARTICLE = 8000  # characters; such articles are annotated after the shorter ones of their split


def annotation_order(name: str, base: Path = ARTICLES) -> list[str]:
    """The fixed annotation order of a split: sha1 order (as in split.json), articles longer than
    LONG_ARTICLE characters after all shorter ones."""
    ids = load_split()[name]
    size = {d: len(load_article(article_path(d, base))["text"]) for d in ids}
    return sorted(ids, key=lambda d: (size[d] > LONG_ARTICLE, ids.index(d)))


# --------------------------------------------------------------------------- placing spans

def _split_index(text: str) -> tuple[str, int | None]:
    """``"the police#2"`` -> ("the police", 2): the 2nd occurrence (1-based)."""
    m = re.fullmatch(r"(.*?)#(\d+)", text, flags=re.S)
    return (m.group(1), int(m.group(2))) if m else (text, None)


def _word_occurrences(hay: str, needle: str) -> list[int]:
    """Start offsets of ``needle`` in ``hay`` that are not inside a longer word."""
    out = []
    for m in re.finditer(re.escape(needle), hay):
        a, b = m.start(), m.end()
        left_ok = a == 0 or not (hay[a - 1].isalnum() and needle[0].isalnum())
        right_ok = b == len(hay) or not (hay[b].isalnum() and needle[-1].isalnum())
        if left_ok and right_ok:
            out.append(a)
    return out


def find_span(art: dict[str, Any], sent_index: int, quoted: str, what: str = "span") -> dict[str, Any]:
    """Place a quoted string (optionally ``text#n``) in sentence ``sent_index``: exact, case-sensitive,
    whole words; several occurrences without ``#n`` or none at all is an AnnError."""
    sent = art["sentences"][sent_index]
    needle, nth = _split_index(quoted)
    if not needle.strip() or needle != needle.strip():
        raise AnnError(f"s{sent_index}: {what} {quoted!r} is empty or has outer spaces")
    hay = art["text"][sent["start"]:sent["end"]]
    occ = _word_occurrences(hay, needle)
    if not occ:
        raise AnnError(f"s{sent_index}: {what} {needle!r} not found in: {hay!r}")
    if nth is None and len(occ) > 1:
        raise AnnError(f"s{sent_index}: {what} {needle!r} occurs {len(occ)} times; add #1..#{len(occ)}")
    if nth is not None and not 1 <= nth <= len(occ):
        raise AnnError(f"s{sent_index}: {what} {needle!r} has {len(occ)} occurrence(s), not #{nth}")
    start = sent["start"] + occ[(nth or 1) - 1]
    return {"text": needle, "start": start, "end": start + len(needle)}


def _actor(art: dict[str, Any], si: int, spec: str) -> dict[str, Any]:
    """``text[#n][@S]:SECTOR:ISO3[:name]`` (``-`` for null); ``@S`` places the text in sentence S."""
    parts = spec.split(":")
    if len(parts) < 3:
        raise AnnError(f"s{si}: actor {spec!r} must be TEXT:SECTOR:ISO3[:NAME] (use - for null)")
    text, sector, country = parts[0], parts[1], parts[2]
    name = ":".join(parts[3:]) or None
    text, where = _at(text, si)
    span = find_span(art, where, text, "actor")
    span["country"] = None if country == "-" else country
    span["sector"] = None if sector == "-" else sector
    if name:
        span["name"] = name
    return span


def _at(text: str, si: int) -> tuple[str, int]:
    m = re.fullmatch(r"(.*)@(\d+)", text, flags=re.S)
    return (m.group(1), int(m.group(2))) if m else (text, si)


def make_event(art: dict[str, Any], si: int, event_type: str, trigger: str, *, mode: str | None = None,
               contexts: Iterable[str] = (), source: Iterable[str] = (), target: Iterable[str] = (),
               modality: str = "asserted", attribution: Iterable[str] = (), note: str | None = None
               ) -> dict[str, Any]:
    """One gold event from quoted strings (see ``_actor`` for actor specs; attribution ``text[@S]:role``)."""
    ev: dict[str, Any] = {"event_type": event_type, "mode": mode, "contexts": sorted(contexts),
                          "trigger": find_span(art, si, trigger, "trigger"),
                          "source": [_actor(art, si, a) for a in source],
                          "target": [_actor(art, si, a) for a in target],
                          "modality": modality, "attribution": []}
    for a in attribution:
        text, _, role = a.rpartition(":")
        text, where = _at(text, si)
        span = find_span(art, where, text, "attribution")
        span["role"] = role
        ev["attribution"].append(span)
    if note:
        ev["note"] = note
    errors = check_event(art, si, ev)
    if errors:
        raise AnnError("; ".join(errors))
    return ev


# --------------------------------------------------------------------------- .ann files

def parse_ann(path: Path) -> tuple[str, dict[str, Any], list[tuple[int, list[str]]]]:
    """An .ann file: ``doc DOC_ID``, ``annotator X``, ``status done``, then per line ``S none``,
    ``S-T none`` or ``S TYPE[/mode] "trigger[#n]" key=value ...``. ``#`` starts a comment line."""
    doc_id, meta, lines = None, {}, []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            toks = shlex.split(line)
        except ValueError as exc:
            raise AnnError(f"{path}:{number}: {exc}") from exc
        head = toks[0]
        if head == "doc":
            doc_id = toks[1]
        elif head in ("annotator", "status"):
            meta[head] = toks[1]
        elif re.fullmatch(r"\d+(-\d+)?", head):
            lines.append((number, toks))
        else:
            raise AnnError(f"{path}:{number}: cannot read {line!r}")
    if not doc_id:
        raise AnnError(f"{path}: no 'doc DOC_ID' line")
    return doc_id, meta, lines


def apply_ann(path: Path, base: Path = ARTICLES) -> dict[str, Any]:
    """Rebuild the annotations of one article from its .ann file (all or nothing)."""
    doc_id, meta, lines = parse_ann(path)
    apath = article_path(doc_id, base)
    if not apath.exists():
        raise AnnError(f"{path}: no article {apath}")
    art = load_article(apath)
    n = len(art["sentences"])
    for s in art["sentences"]:
        s["events"] = []
        s["annotated"] = not art["text"][s["start"]:s["end"]].strip()
    for number, toks in lines:
        where = f"{path.name}:{number}"
        a, _, b = toks[0].partition("-")
        lo, hi = int(a), int(b or a)
        if not 0 <= lo <= hi < n:
            raise AnnError(f"{where}: sentence {toks[0]} out of range 0-{n - 1}")
        if len(toks) == 2 and toks[1] == "none":
            for si in range(lo, hi + 1):
                if art["sentences"][si]["events"]:
                    raise AnnError(f"{where}: s{si} has events and is marked none")
                art["sentences"][si]["annotated"] = True
            continue
        if lo != hi or len(toks) < 3:
            raise AnnError(f"{where}: an event line is 'S TYPE[/mode] TRIGGER key=value ...'")
        typ, _, mode = toks[1].partition("/")
        kw: dict[str, list[str]] = {"src": [], "tgt": [], "attr": [], "ctx": [], "mod": [], "note": []}
        for tok in toks[3:]:
            key, eq, val = tok.partition("=")
            if not eq or key not in kw:
                raise AnnError(f"{where}: unknown field {tok!r} (src= tgt= attr= ctx= mod= note=)")
            kw[key].append(val)
        ctx = [c for v in kw["ctx"] for c in v.split(",") if c]
        try:
            ev = make_event(art, lo, typ, toks[2], mode=mode or None, contexts=ctx, source=kw["src"],
                            target=kw["tgt"], modality=(kw["mod"] or ["asserted"])[-1],
                            attribution=kw["attr"], note=" ".join(kw["note"]) or None)
        except AnnError as exc:
            raise AnnError(f"{where}: {exc}") from exc
        sent = art["sentences"][lo]
        sent["events"].append(ev)
        sent["annotated"] = True
    art["annotator"] = meta.get("annotator", ANNOTATOR_DEFAULT)
    art["status"] = meta.get("status", "todo")
    save_article(art, base)
    return art


# --------------------------------------------------------------------------- validate

def _countries() -> frozenset[str]:
    return frozenset(json.loads(COUNTRIES_JSON.read_text(encoding="utf-8")))


_ISO3: frozenset[str] | None = None


def _span_errors(text: str, span: Any, what: str, lo: int, hi: int) -> list[str]:
    if not isinstance(span, dict) or not all(isinstance(span.get(k), int) for k in ("start", "end")):
        return [f"{what}: needs text/start/end"]
    s, e = span["start"], span["end"]
    errs = []
    if text[s:e] != span.get("text"):
        errs.append(f"{what}: text[{s}:{e}]={text[s:e]!r} != {span.get('text')!r}")
    if not lo <= s < e <= hi:
        errs.append(f"{what}: [{s},{e}) outside [{lo},{hi})")
    return errs


def check_event(art: dict[str, Any], si: int, ev: dict[str, Any]) -> list[str]:
    """Every problem with one event of sentence ``si`` (empty list: fine)."""
    global _ISO3
    if _ISO3 is None:
        _ISO3 = _countries()
    text, sent = art["text"], art["sentences"][si]
    w = f"s{si}"
    errs: list[str] = []
    typ, mode = ev.get("event_type"), ev.get("mode")
    if typ not in TYPES:
        errs.append(f"{w}: unknown event_type {typ!r}")
    elif mode is not None and mode not in MODES[typ]:
        errs.append(f"{w}: mode {mode!r} is not a {typ} mode ({', '.join(sorted(MODES[typ])) or 'none'})")
    bad_ctx = [c for c in ev.get("contexts", []) if c not in CONTEXTS]
    if bad_ctx:
        errs.append(f"{w}: unknown contexts {bad_ctx}")
    if ev.get("modality") not in MODALITIES:
        errs.append(f"{w}: modality {ev.get('modality')!r} not in {MODALITIES}")
    errs += _span_errors(text, ev.get("trigger"), f"{w} trigger", sent["start"], sent["end"])
    for role in ("source", "target"):
        actors = ev.get(role)
        if not isinstance(actors, list):
            errs.append(f"{w}: {role} must be a list")
            continue
        for a in actors:
            errs += _span_errors(text, a, f"{w} {role}", 0, len(text))
            if a.get("country") is not None and a["country"] not in _ISO3:
                errs.append(f"{w} {role} {a.get('text')!r}: country {a['country']!r} is not ISO3")
            if a.get("sector") is not None and a["sector"] not in SECTORS:
                errs.append(f"{w} {role} {a.get('text')!r}: unknown sector {a['sector']!r}")
    for a in ev.get("attribution", []):
        errs += _span_errors(text, a, f"{w} attribution", 0, len(text))
        if a.get("role") not in ROLES:
            errs.append(f"{w} attribution {a.get('text')!r}: role {a.get('role')!r} not in {ROLES}")
    if ev.get("modality") in ("reported", "claimed") and not ev.get("attribution"):
        errs.append(f"{w}: modality {ev['modality']} needs an attribution")
    return errs


def validate_article(art: dict[str, Any]) -> list[str]:
    """Every problem with one article file."""
    errs: list[str] = []
    for key in ("doc_id", "url", "published", "title", "text", "sentences"):
        if key not in art:
            errs.append(f"missing {key}")
    if errs:
        return errs
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(art["published"])):
        errs.append(f"published {art['published']!r} is not YYYY-MM-DD")
    text, prev = art["text"], 0
    for i, s in enumerate(art["sentences"]):
        if s.get("index") != i or not prev <= s["start"] < s["end"] <= len(text):
            errs.append(f"s{i}: bad index/offsets")
            continue
        if s.get("text") is not None and text[s["start"]:s["end"]] != s["text"]:
            errs.append(f"s{i}: sentence text does not match its offsets")
        prev = s["end"]
        for ev in s.get("events", []):
            errs += check_event(art, i, ev)
        if s.get("events") and not s.get("annotated"):
            errs.append(f"s{i}: has events but is not marked annotated")
    if art.get("status") == "done":
        todo = [s["index"] for s in art["sentences"] if not s.get("annotated")]
        if todo:
            errs.append(f"status done but sentences not annotated: {todo}")
        if not art.get("annotator"):
            errs.append("status done without annotator")
    return errs


def validate_all(base: Path = ARTICLES, split_path: Path = SPLIT) -> list[str]:
    """Problems across all article files and the split (prefixed with the doc id)."""
    errs: list[str] = []
    paths = sorted(base.glob("*.json"))
    ids = set()
    for path in paths:
        art = load_article(path)
        ids.add(art.get("doc_id"))
        if path.stem != art.get("doc_id"):
            errs.append(f"{path.name}: doc_id {art.get('doc_id')!r} does not match the file name")
        errs += [f"{path.stem}: {e}" for e in validate_article(art)]
    if split_path.exists():
        split = json.loads(split_path.read_text(encoding="utf-8"))
        listed = [d for s in ("test", "dev", "train") for d in split[s]]
        if len(listed) != len(set(listed)):
            errs.append("split: an article is in two splits")
        if set(listed) != ids:
            errs.append(f"split: {len(set(listed) ^ ids)} articles differ between split.json and articles/")
    return errs


# --------------------------------------------------------------------------- build, stats

def _rel(span: dict[str, Any], off: int, lo: int, hi: int) -> dict[str, Any]:
    out = {k: v for k, v in span.items() if k not in ("start", "end")}
    if lo <= span["start"] and span["end"] <= hi:
        out["start"], out["end"] = span["start"] - off, span["end"] - off
    return out


def _sentence_event(ev: dict[str, Any], lo: int, hi: int) -> dict[str, Any]:
    out = dict(ev)
    out["trigger"] = _rel(ev["trigger"], lo, lo, hi)
    for role in ("source", "target", "attribution"):
        out[role] = [_rel(a, lo, lo, hi) for a in ev.get(role, [])]
    return out


def done_articles(base: Path = ARTICLES) -> list[dict[str, Any]]:
    return [a for a in (load_article(p) for p in sorted(base.glob("*.json"))) if a.get("status") == "done"]


def build(out_dir: Path = GOLD, base: Path = ARTICLES) -> dict[str, int]:
    """Write ``<split>.jsonl`` (one article per line, article offsets, every sentence listed) and
    ``<split>_sentences.jsonl`` (one sentence per line, sentence offsets; no-event lines included)."""
    split = load_split()
    by_split: dict[str, list[dict[str, Any]]] = {"test": [], "dev": [], "train": []}
    for art in done_articles(base):
        s = split_of(art["doc_id"], split)
        if s:
            by_split[s].append(art)
    counts = {}
    for name, arts in by_split.items():
        order = {d: i for i, d in enumerate(split[name])}
        arts.sort(key=lambda a: order[a["doc_id"]])
        with open(out_dir / f"{name}.jsonl", "w", encoding="utf-8") as fa, \
                open(out_dir / f"{name}_sentences.jsonl", "w", encoding="utf-8") as fs:
            for art in arts:
                sents = [s for s in art["sentences"] if art["text"][s["start"]:s["end"]].strip()]
                fa.write(json.dumps({
                    "id": art["doc_id"], "url": art["url"], "title": art["title"],
                    "published": art["published"], "text": art["text"],
                    "sentences": [{"index": s["index"], "start": s["start"], "end": s["end"]} for s in sents],
                    "events": [dict(ev, sentence=s["index"]) for s in sents for ev in s["events"]],
                }, ensure_ascii=False) + "\n")
                for s in sents:
                    fs.write(json.dumps({
                        "id": f"{art['doc_id']}#{s['index']}", "article": art["doc_id"],
                        "sentence": s["index"], "offset": s["start"], "published": art["published"],
                        "text": art["text"][s["start"]:s["end"]],
                        "events": [_sentence_event(ev, s["start"], s["end"]) for ev in s["events"]],
                    }, ensure_ascii=False) + "\n")
        counts[name] = len(arts)
    return counts


def stats(base: Path = ARTICLES, only: str | None = None) -> dict[str, Any]:
    """Counts over done articles (of one split if ``only``): per split, sentences, events per
    type/modality, no-event share."""
    split = load_split() if SPLIT.exists() else {"test": [], "dev": [], "train": []}
    arts = [a for a in done_articles(base) if only is None or a["doc_id"] in split.get(only, ())]
    types: Counter[str] = Counter()
    modalities: Counter[str] = Counter()
    per_split: Counter[str] = Counter()
    n_sent = n_none = 0
    for art in arts:
        per_split[split_of(art["doc_id"], split) or "?"] += 1
        for s in art["sentences"]:
            if not art["text"][s["start"]:s["end"]].strip():
                continue
            n_sent += 1
            n_none += not s["events"]
            for ev in s["events"]:
                types[ev["event_type"]] += 1
                modalities[ev["modality"]] += 1
    return {"articles": len(arts), "articles_by_split": dict(per_split), "sentences": n_sent,
            "no_event_sentences": n_none, "no_event_share": round(n_none / n_sent, 4) if n_sent else 0.0,
            "events": sum(types.values()), "events_by_type": dict(types.most_common()),
            "events_by_modality": dict(modalities.most_common())}


# --------------------------------------------------------------------------- CLI

def _show(doc_id: str) -> None:
    art = load_article(article_path(doc_id))
    print(f"{art['doc_id']}  {art['published']}  {art['title']}  [{art.get('status')}]")
    for s in art["sentences"]:
        t = art["text"][s["start"]:s["end"]]
        if t.strip():
            mark = "*" if s.get("annotated") else " "
            print(f"{s['index']:>3}{mark} {t.strip()!s}")
            for ev in s["events"]:
                src = ", ".join(a["text"] for a in ev["source"])
                tgt = ", ".join(a["text"] for a in ev["target"])
                print(f"      -> {ev['event_type']}/{ev['mode']} {ev['trigger']['text']!r} [{src}] -> "
                      f"[{tgt}] {ev['modality']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--force", action="store_true")
    sub.add_parser("split")
    p = sub.add_parser("order")
    p.add_argument("--split", default="test")
    p = sub.add_parser("show")
    p.add_argument("doc_id")
    p = sub.add_parser("apply")
    p.add_argument("ann", nargs="+", type=Path)
    sub.add_parser("validate")
    sub.add_parser("build")
    p = sub.add_parser("stats")
    p.add_argument("--split", choices=("test", "dev", "train"))
    args = ap.parse_args(argv)
    if args.cmd == "prepare":
        print(f"wrote {prepare(args.force)} article files to {ARTICLES}")
    elif args.cmd == "split":
        SPLIT.write_text(json.dumps(make_split(read_csv_articles()), indent=1) + "\n", encoding="utf-8")
        print(json.dumps(load_split()["counts"]))
    elif args.cmd == "order":
        for d in annotation_order(args.split):
            art = load_article(article_path(d))
            print(f"{art.get('status', 'todo'):5} {len(art['sentences']):>4} {len(art['text']):>6} {d}")
    elif args.cmd == "show":
        _show(args.doc_id)
    elif args.cmd == "apply":
        failed = 0
        for path in args.ann:
            try:
                art = apply_ann(path)
                errs = validate_article(art)
                n = sum(len(s["events"]) for s in art["sentences"])
                todo = sum(not s["annotated"] for s in art["sentences"])
                print(f"{art['doc_id']}: {n} events, {todo} sentences not annotated, status {art['status']}"
                      + (f"; {len(errs)} errors: {errs[:3]}" if errs else ""))
                failed += bool(errs)
            except AnnError as exc:
                print(f"error: {exc}", file=sys.stderr)
                failed += 1
        return 1 if failed else 0
    elif args.cmd == "validate":
        errs = validate_all()
        for e in errs:
            print(e)
        print(f"{len(list(ARTICLES.glob('*.json')))} articles, {len(errs)} errors")
        return 1 if errs else 0
    elif args.cmd == "build":
        print(json.dumps(build()))
    elif args.cmd == "stats":
        print(json.dumps(stats(only=args.split), indent=1))
    return 0


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `... | head` ends quietly
    sys.exit(main())

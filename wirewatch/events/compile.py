"""Compile the event trigger lexicon at development time (called by scripts/train_events.py).

Sources: the Phoenix CAMEO 2.0 verb-pattern dictionary (MIT, openeventdata/petrarch2) and
CAMEO2PLOVER-2021 (CC BY-SA 4.0, openeventdata/PLOVER), both under ``shared/data``, plus the event
nouns written below for this project.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

# Event nouns written for wirewatch: noun lemma -> CAMEO code (patterns refine with sentence words).
EVENT_NOUNS: dict[str, str] = {
    # ASSAULT (18-20)
    "attack": "190", "assault": "180", "airstrike": "195", "air strike": "195", "strike": "190",
    "bombing": "183", "bombardment": "195", "shelling": "194", "fighting": "190", "clash": "190",
    "offensive": "190", "ambush": "190", "raid": "190", "massacre": "202", "killing": "1823",
    "assassination": "186", "kidnapping": "181", "abduction": "181", "beheading": "1823",
    "decapitation": "1823", "crucifixion": "1823", "execution": "1823", "shooting": "193",
    "gunfire": "193", "explosion": "183", "blast": "183", "violence": "180", "battle": "190",
    "invasion": "192", "incursion": "190", "torture": "1822", "rape": "1821", "hostilities": "190",
    "firefight": "193", "rocket": "194", "drone": "195",
    # PROTEST (14)
    "protest": "141", "demonstration": "141", "rally": "141", "riot": "145", "march": "141",
    "sit-in": "144", "boycott": "143", "walkout": "143", "hunger strike": "142",
    # COERCE (17)
    "arrest": "173", "detention": "173", "crackdown": "170", "curfew": "1723", "blockade": "191",
    "siege": "191", "deportation": "174", "raid_police": "171", "ban": "1722", "censorship": "1721",
    "cyberattack": "176", "hack": "176", "confiscation": "1711", "seizure": "1711",
    # SANCTION (16)
    "sanction": "163", "embargo": "163", "expulsion": "166",
    # CONSULT (04)
    "talk": "046", "negotiation": "046", "meeting": "040", "summit": "040", "visit": "042",
    "consultation": "040", "call": "041", "mediation": "045",
    # AGREE / SUPPORT (03/05)
    "agreement": "057", "deal": "057", "accord": "057", "treaty": "057", "pledge": "030",
    "offer": "030", "promise": "030", "endorsement": "051", "praise": "051", "recognition": "054",
    "apology": "055", "consensus": "030",
    # COOPERATE / AID (06/07)
    "cooperation": "060", "exercise": "062", "drill": "062", "aid": "070", "assistance": "070",
    "donation": "071", "loan": "071", "asylum": "075", "rescue": "073", "evacuation": "073",
    # RETREAT / CONCEDE (08)
    "withdrawal": "0871", "pullout": "0871", "release": "084", "ceasefire": "0871", "truce": "0871",
    "resignation": "0832", "concession": "080", "amnesty": "081",
    # ACCUSE (09/11)
    "accusation": "112", "allegation": "112", "criticism": "111", "condemnation": "111",
    "investigation": "090", "probe": "090", "inquiry": "090", "lawsuit": "115", "indictment": "112",
    "charge": "112", "complaint": "114",
    # REQUEST / REJECT / THREATEN (10/12/13)
    "demand": "100", "request": "100", "appeal": "100", "rejection": "120", "refusal": "120",
    "veto": "129", "threat": "130", "ultimatum": "139", "warning": "130",
    # MOBILIZE (15)
    "deployment": "154", "mobilization": "154", "buildup": "154", "test": "150", "missile test": "150",
}

# verbs added or re-coded for this project (lemma -> CAMEO code), on top of the dictionary.
# "crack down"/"crackdown" say nothing about violence: CAMEO 170 (coerce), PLOVER COERCE ("repression
# ... falling short of violence"); CAMEO2PLOVER sends 175 "violent repression" to ASSAULT, which the
# patterns and the classifier still reach when the sentence describes violence.
EXTRA_VERBS: dict[str, str] = {
    "retake": "192", "recapture": "192", "capture": "192", "seize": "192", "overrun": "192",
    "bomb": "183", "shell": "194", "airstrike": "195", "fight": "190", "attack": "190",
    "clash": "190", "storm": "190", "behead": "1823", "decapitate": "1823", "crucify": "1823",
    "detain": "173", "arrest": "173", "jail": "173", "imprison": "173", "deport": "174",
    "sanction": "163", "protest": "141", "demonstrate": "141", "rally": "141", "riot": "145",
    "withdraw": "0871", "retreat": "0871", "flee": "0871", "resign": "0832", "free": "084",
    "release": "084", "deploy": "154", "mobilize": "154", "mobilise": "154", "mass": "154",
    "accuse": "112", "condemn": "111", "criticize": "111", "criticise": "111", "denounce": "111",
    "blame": "112", "investigate": "090", "probe": "090", "charge": "112", "indict": "112",
    "sue": "115", "convict": "116", "sentence": "116", "reject": "120", "refuse": "120",
    "threaten": "130", "demand": "100", "urge": "100", "request": "100", "meet": "040",
    "visit": "042", "host": "043", "negotiate": "046", "mediate": "045", "praise": "051",
    "welcome": "051", "endorse": "051", "sign": "057", "ratify": "057", "aid": "070",
    "donate": "071", "pledge": "030", "promise": "030", "agree": "030", "offer": "030",
    "kidnap": "181", "abduct": "181", "assassinate": "186", "kill": "190", "shoot": "193",
    "ambush": "190", "raid": "190", "invade": "192", "besiege": "191", "blockade": "191",
    "ban": "1722", "censor": "1721", "hack": "176", "expel": "166", "boycott": "143",
    "strike": "190", "torture": "1822", "execute": "1823", "massacre": "202", "evacuate": "073",
    "rescue": "073", "extradite": "063", "cooperate": "060", "apologize": "055",
    "pull out": "0871", "pull back": "0871", "crack down": "170", "call for": "100", "call on": "100",
    "surrender": "0874", "demobilize": "0873", "demobilise": "0873", "disarm": "0873",
    "clamp down": "170", "step down": "0832", "walk out": "143", "shoot down": "195", "blow up": "183",
    "hand over": "084", "slam": "111", "blast": "111", "lambast": "111", "excoriate": "111",
    "vilify": "111", "upbraid": "111", "insult": "111", "label": "111",
}

REPORTING_VERBS = (
    "say", "report", "tell", "announce", "state", "claim", "allege", "add", "note", "confirm",
    "insist", "assert", "declare", "write", "quote", "cite", "reveal", "suggest", "believe",
    "warn", "caution", "argue", "contend", "maintain", "acknowledge", "admit", "deny", "estimate",
    "indicate", "show", "accord", "explain", "testify", "disclose", "predict", "fear",
    "reiterate", "stress", "emphasize", "emphasise", "repeat", "underline",
)

CONTEXT_NAMES = {"pro_autocracy", "economic", "military", "diplomatic", "legal", "humanitarian"}

_CODE = re.compile(r"\[([0-9:-]*)\]")


def _clean_word(word: str) -> str:
    return word.strip("{}()$+%^=").rstrip("_").lower().replace("_", " ")


def _code_of(text: str) -> str | None:
    """``[190]`` -> "190"; ``[042:043]`` -> "042"; ``[---]`` -> None (pattern nulls the event)."""
    m = _CODE.search(text)
    if not m:
        return ""
    code = m.group(1).split(":")[0]
    return None if not code or "-" in code else code


def parse_cameo_dictionary(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse CAMEO.2.0.txt into {verb key: {code, patterns}} and {surface form: lemma}."""
    synsets: dict[str, list[str]] = {}
    verbs: dict[str, dict[str, Any]] = {}
    forms: dict[str, str] = {}
    current_set: str | None = None
    block_code: str | None = None
    block_verbs: list[str] = []
    in_verbs = False
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if raw.startswith("####### VERB PATTERNS"):
            in_verbs = True
            continue
        if not line.strip():
            continue
        if not in_verbs:
            if line.startswith("&"):
                current_set = line.strip()
                synsets[current_set] = []
            elif line.startswith("+") and current_set:
                synsets[current_set].append(_clean_word(line.strip()))
            continue
        if line.startswith("---"):
            block_code = _code_of(line) or None
            block_verbs = []
            continue
        if line.startswith("-"):
            body = line[1:].split("[", 1)[0]
            code = _code_of(line)
            if code == "":
                continue
            slots: list[list[str]] = []
            for word in re.findall(r"&?[A-Za-z][A-Za-z_'-]*", body):
                if word.startswith("&"):
                    alts = synsets.get(word, [])
                    if alts:
                        slots.append(sorted({w for a in alts for w in a.split()[:1]}))
                    continue
                w = _clean_word(word)
                if w and w not in ("a", "an", "the", "of", "to", "in", "on", "by", "for", "with", "and"):
                    slots.append([w])
            if not slots:
                continue
            # "- * GOVERNMENT [111]  # ATTACK": the comment names the verb(s) the pattern was written for;
            # restrict it to them so it does not leak to the whole group ("fought the government")
            named = {_clean_word(w.strip()) for w in raw.split("#", 1)[1].split(",")} if "#" in raw else set()
            owners = [k for k in block_verbs if k in named] or block_verbs
            for key in owners:
                verbs[key].setdefault("patterns", []).append([slots, code])
            continue
        # a verb line: WORD [code]? {FORMS}?
        head = line.strip().split()[0]
        if head.startswith("&"):
            continue
        own = _code_of(line)
        key = _clean_word(head)
        if not key or not key[0].isalpha():
            continue
        code = own if own not in ("",) else block_code
        verbs.setdefault(key, {"code": code})
        block_verbs.append(key)
        braces = re.search(r"\{([^}]*)\}", line)
        if braces:
            for form in braces.group(1).replace(",", " ").split():
                f = _clean_word(form)
                if f:
                    forms[f.split()[0]] = key.split()[0]
    return verbs, forms


def parse_cameo2plover(path: Path) -> dict[str, list[Any]]:
    """CAMEO code -> [type, mode, contexts] from CAMEO2PLOVER-2021.txt."""
    out: dict[str, list[Any]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or ":" not in line:
            continue
        code, rest = line.split(":", 1)
        parts = [p.strip() for p in rest.split(",")]
        if not parts[0]:
            continue
        mode = parts[1] if len(parts) > 1 and parts[1] else None
        contexts = [c.strip() for c in parts[2].split(";") if c.strip()] if len(parts) > 2 else []
        out[code.strip()] = [parts[0], mode, contexts]
    # Project decisions (see wirewatch/events/README note in extractor docstring):
    # 192 "occupy territory": CAMEO2PLOVER says COERCE/seize, but the PLOVER 2.0 codebook's COERCE
    # seize modes are police searches and confiscations; capturing territory by force is coded ASSAULT.
    out["192"] = ["ASSAULT", None, ["military"]]
    out["19"] = ["ASSAULT", None, ["military"]]
    out["176"] = ["COERCE", "cyber", []]
    # economic sanctions/embargoes: CAMEO2PLOVER-2021 says COERCE/restrict, the PLOVER 2.0 codebook
    # (SANCTION discontinue: "curtail ... commercial or material exchanges") and NGEC's data say SANCTION.
    out["163"] = ["SANCTION", "discontinue", ["economic"]]
    # court verdicts: the PLOVER 2.0 codebook has SANCTION/convict ("find guilty ... sentenced")
    out["116"] = ["SANCTION", "convict", ["legal"]]
    out["0832"] = ["RETREAT", "resign", []]
    out["0871"] = ["RETREAT", "withdraw", ["military"]]
    out["084"] = ["RETREAT", "release", []]
    out["0874"] = ["RETREAT", "withdraw", ["military"]]
    return out


def codebook_modes(path: Path) -> dict[str, set[str]]:
    """PLOVER type -> the modes the structured codebook defines for it."""
    import csv

    modes: dict[str, set[str]] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row.get("mode"):
                modes.setdefault(row["event"].strip(), set()).add(row["mode"].strip())
    return modes


def compile_lexicon(shared: Path) -> dict[str, Any]:
    """Build the lexicon.json object."""
    verbs, forms = parse_cameo_dictionary(shared / "phoenix-dictionaries" / "CAMEO.2.0.txt")
    for lemma, code in EXTRA_VERBS.items():
        entry = verbs.setdefault(lemma, {"code": code})
        entry["code"] = code
    forms.update({"retook": "retake", "retaken": "retake", "overran": "overrun", "fled": "flee",
                  "shot": "shoot", "struck": "strike", "fought": "fight", "met": "meet"})
    nouns: dict[str, Any] = {}
    for noun, code in EVENT_NOUNS.items():
        key = noun.split("_")[0]
        nouns[key] = {"code": code, "patterns": []}
    # a few noun refinements: labour vs military strike, police raid, warning of danger
    nouns["strike"]["patterns"] += [[[["worker", "workers", "union", "labour", "labor", "teacher",
                                        "teachers", "general", "nationwide"]], "143"],
                                     [[["hunger"]], "142"]]
    # an official/diplomatic protest lodged with a government is a formal complaint (CAMEO 114, ACCUSE)
    nouns["protest"]["patterns"] += [[[["lodge", "official", "formal", "diplomatic", "strong"]], "114"]]
    nouns["warning"]["patterns"] += [[[["police", "security", "intelligence", "alert"]], "064"]]
    c2p = parse_cameo2plover(shared / "plover" / "CAMEO2PLOVER-2021.txt")
    modes = codebook_modes(shared / "plover" / "PLOVER_structured_codebook_updated.csv")
    for value in c2p.values():  # a "mode" the codebook does not know for the type is a context
        if value[1] and value[1] not in modes.get(value[0], set()):
            value[2] = sorted({*value[2], value[1]}) if value[1] in CONTEXT_NAMES else value[2]
            value[1] = None
    return {
        "verbs": verbs,
        "forms": forms,
        "nouns": nouns,
        "cameo2plover": c2p,
        "reporting": sorted(REPORTING_VERBS),
    }

#!/usr/bin/env python
"""Compile the actor knowledge base shipped in ``wirewatch/data/actors/kb.json.gz``.

Sources (development time only; the installed package never reads them):
- Phoenix actor dictionaries (MIT, openeventdata/petrarch2): countries with date-bounded roles,
  international organisations, militant/non-state groups; Phoenix agents (noun -> sector).
- NGEC (ahalterman/NGEC): ``countries.csv`` (names, codes, nationality words) and
  ``PLOVER_agents.txt`` (agent nouns; fills gaps in the Phoenix agents).
- ``wirewatch/data/actors/curated.txt``: aliases news uses that the dictionaries miss.

Run: ``/work/venv/bin/python scripts/build_actor_kb.py [--data /work/shared/data]``
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path

import spacy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wirewatch.actors.codes import (  # noqa: E402
    NON_ISO_PREFIXES,
    SECTOR_ALIASES,
    SECTORS,
    parse_code,
)
from wirewatch.actors.normalize import norm_token, slug  # noqa: E402

OUT = ROOT / "wirewatch" / "data" / "actors"
CURATED = OUT / "curated.txt"
_CODE = re.compile(r"\[([^\]]*)\]")
_TOKENIZER = spacy.blank("en").tokenizer
TODAY_YY = 26  # two-digit years <= this are 20YY, others 19YY (TABARI convention)


def tokenize_alias(phrase: str) -> tuple[str, ...]:
    """Split a dictionary phrase the way spaCy splits running text, then normalise each token."""
    words = phrase.replace("_", " ").split()
    if len(words) > 1 and words[0].lower() == "the":
        words = words[1:]  # the matcher skips a leading "the" in the text
    cased = " ".join(w if "." in w else w[:1].upper() + w[1:].lower() for w in words)
    return tuple(norm_token(t.text) for t in _TOKENIZER(cased) if not t.is_space)


def parse_date(text: str) -> int | None:
    """YYMMDD or YYYYMMDD -> YYYYMMDD int (None when malformed)."""
    if not text.isdigit():
        return None
    if len(text) == 6:
        yy = int(text[:2])
        return (2000 + yy if yy <= TODAY_YY else 1900 + yy) * 10000 + int(text[2:])
    if len(text) == 8:
        return int(text)
    return None


# Phoenix country codes that are not ISO 3166-1 alpha-3
CODE_MAP = {"KSV": "XKX", "DDR": "DEU", "SUN": "RUS", "TMP": "TLS"}


def parse_restriction(body: str) -> tuple[str, int | None, int | None] | None:
    """``TURGOV 891109-930417`` / ``IGOUNO >070201`` / ``AFGELI`` -> (code, start, end)."""
    parts = body.split()
    if not parts:
        return None
    code = parts[0].strip()
    if code[:3] in CODE_MAP:
        code = CODE_MAP[code[:3]] + code[3:]
    start = end = None
    if len(parts) > 1:
        spec = parts[1]
        if spec.startswith("<"):
            end = parse_date(spec[1:])
        elif spec.startswith(">"):
            start = parse_date(spec[1:])
        elif "-" in spec:
            a, _, b = spec.partition("-")
            start, end = parse_date(a), parse_date(b)
    return code, start, end


def read_actor_file(path: Path) -> list[dict]:
    """Parse a TABARI/PETRARCH .actors file into records {names, roles, comment}."""
    records: list[dict] = []
    current: dict | None = None
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line, _, comment = raw.partition("#")
        if not line.strip():
            if current is not None and comment and not current["comment"]:
                current["comment"] = comment
            continue
        codes = [parse_restriction(m) for m in _CODE.findall(line)]
        text = _CODE.sub(" ", line).strip()
        if raw[:1] in ("\t", " ") and not text:
            if current is not None:
                current["roles"].extend(c for c in codes if c)
            continue
        if text.startswith("+"):
            if current is None:
                continue
            for part in text.split("+"):
                if part.strip():
                    current["names"].append(part.strip())
            current["roles"].extend(c for c in codes if c)
            continue
        current = {"names": [text], "roles": [c for c in codes if c], "comment": comment, "file": path.name}
        records.append(current)
    return [r for r in records if r["roles"]]


def read_agents(path: Path) -> dict[str, str]:
    """Agent phrase (normalised tokens) -> sector code, with regular/irregular plurals."""
    subs: dict[str, list[str]] = {}
    out: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.match(r"^(!\w+!)\s*=\s*(.+)$", line)
        if m:
            subs[m.group(1)] = [w.strip() for w in m.group(2).split(",")]
            continue
        codes = _CODE.findall(line)
        if not codes:
            continue
        raw_sector = codes[0].replace("~", "")[:3]
        sector = SECTOR_ALIASES.get(raw_sector, raw_sector)
        if sector is None or sector not in SECTORS:
            continue
        head = _CODE.sub(" ", line)
        plural_m = re.search(r"\{([^}]*)\}", head)
        head = re.sub(r"\{[^}]*\}", " ", head).strip()
        if not head:
            continue
        variants = [head]
        for marker, words in subs.items():
            if marker in head:
                variants = [head.replace(marker, w) for w in words]
        forms: list[str] = []
        for v in variants:
            v = v.strip()
            forms.append(v.rstrip("_"))
            if "!" in head:
                continue  # substitution sets list every form explicitly
            if plural_m is not None:
                forms.extend(p for p in plural_m.group(1).split() if p)
            elif not v.endswith("_") and v[-1:].isalpha():
                forms.append(regular_plural(v))
            elif v.endswith("_"):
                forms.append(regular_plural(v.rstrip("_")))
        for form in forms:
            key = " ".join(tokenize_alias(form))
            if key and key not in out:
                out[key] = sector
    return out


def regular_plural(word: str) -> str:
    if word.endswith(("SS", "SH", "CH", "X")):
        return word + "ES"
    if word.endswith("Y") and word[-2:-1] not in "AEIOU":
        return word[:-1] + "IES"
    if word.endswith("S"):
        return word
    return word + "S"


def read_countries(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(ISO3 -> name, normalised name/nationality word -> ISO3) from NGEC countries.csv."""
    names: dict[str, str] = {}
    words: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["CCA3"].strip()
            if len(code) != 3 or code in NON_ISO_PREFIXES:
                continue
            names.setdefault(code, row["Name"].strip())
            for word in [row["Name"]] + row["Nationality"].split(","):
                key = " ".join(tokenize_alias(word.strip()))
                if key:
                    words.setdefault(key, code)
    return names, words


def read_curated(path: Path) -> list[dict]:
    """``CODE | kind | canonical name | alias; alias; ...`` lines."""
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 2 and parts[0].startswith("agent:"):
            out.append({"agent": parts[0][6:].strip(), "sector": parts[1]})
            continue
        if len(parts) == 2 and parts[0].startswith("capital:"):
            out.append({"capital": parts[0][8:].strip(), "country": parts[1]})
            continue
        if len(parts) == 2 and parts[0].startswith("country:"):
            out.append({"country_name": parts[0][8:].strip(), "country": parts[1]})
            continue
        if len(parts) == 2 and parts[0].startswith("demonym:"):
            out.append({"demonym": parts[0][8:].strip(), "country": parts[1]})
            continue
        parts += [""] * (4 - len(parts))
        code, kind, name, aliases = parts[:4]
        out.append({
            "code": code, "kind": kind, "name": name,
            "aliases": [name] + [a.strip() for a in aliases.split(";") if a.strip()],
        })
    return out


SMALL_WORDS = frozenset({"of", "and", "the", "for", "in", "on", "at", "to", "de", "du", "la", "le", "al",
                         "el", "bin", "ibn", "van", "von", "der", "da", "do", "dos", "y"})


def pretty(name: str) -> str:
    """``ISLAMIC_STATE_OF_IRAQ_`` -> ``Islamic State of Iraq``; short acronyms stay upper case."""
    words = name.replace("_", " ").strip().split()
    out = []
    for i, w in enumerate(words):
        if (len(w) <= 4 and len(words) == 1 or len(w) <= 2 and w.lower() not in SMALL_WORDS) \
                and w.isupper() and w.isalpha():
            out.append(w)
        elif i and w.lower() in SMALL_WORDS:
            out.append(w.lower())
        else:
            out.append("-".join(p.capitalize() for p in w.split("-")))
    return " ".join(out)


def classify_country_alias(key: str, primary: str, country_words: dict[str, str], iso: str) -> str:
    """'country' for a name/demonym of the country itself, 'place' for its cities and regions."""
    if country_words.get(key) == iso:
        return "country"
    first = key.split(" ")[0]
    if first[:3] == primary[:3] or key.startswith(("republic", "kingdom", "state of", "people's")):
        return "country"
    return "place"


def build(data: Path) -> dict:
    phoenix = data / "phoenix-dictionaries"
    iso_names, country_words = read_countries(data / "plover" / "countries.csv")
    entries: list[dict] = []
    aliases: dict[str, list[int]] = {}
    demonyms: dict[str, str] = {}
    seen_ids: Counter[str] = Counter()

    def add_entry(name: str, code: str, kind: str, roles: list, source: str) -> int:
        base = f"{code[:3]}:{slug(name)}" if kind != "country" else code[:3]
        seen_ids[base] += 1
        actor_id = base if seen_ids[base] == 1 or kind == "country" else f"{base}-{seen_ids[base]}"
        entries.append({"id": actor_id, "name": name, "code": code, "kind": kind,
                        "roles": roles, "src": source})
        return len(entries) - 1

    def add_alias(key: str, idx: int, front: bool = False) -> None:
        if not key:
            return
        lst = aliases.setdefault(key, [])
        if idx in lst:
            return
        if front:
            lst.insert(0, idx)
        else:
            lst.append(idx)

    curated = read_curated(CURATED)
    curated_keys: set[str] = set()
    for item in curated:
        if "code" in item:
            idx = add_entry(item["name"], item["code"], item["kind"], [[item["code"], None, None]], "curated")
            for alias in item["aliases"]:
                key = " ".join(tokenize_alias(alias))
                add_alias(key, idx)
                curated_keys.add(key)

    # ISO codes the NGEC list lacks (Bermuda, Aruba, ...): take the name from the Phoenix block
    for rec in read_actor_file(phoenix / "Phoenix.Countries.actors.txt"):
        for code, _start, _end in rec["roles"]:
            if len(code) == 3 and code.isalpha() and code not in iso_names and code not in NON_ISO_PREFIXES:
                iso_names[code] = pretty(rec["names"][0])
    for fname, source in (("Phoenix.Countries.actors.txt", "phoenix-countries"),
                          ("Phoenix.MilNonState.actors.txt", "phoenix-nonstate"),
                          ("Phoenix.International.actors.txt", "phoenix-international")):
        for rec in read_actor_file(phoenix / fname):
            roles = [[c, s, e] for c, s, e in rec["roles"] if c and c != "---"]
            if not roles:
                continue
            bare = [r for r in roles if len(r[0]) == 3 and r[0] in iso_names]
            primary_key = " ".join(tokenize_alias(rec["names"][0]))
            if bare and source == "phoenix-countries":
                iso = bare[0][0]
                name = iso_names.get(iso, pretty(rec["names"][0]))
                idx = add_entry(name, iso, "country", [[iso, None, None]], source)
                place_idx = None
                for alias in rec["names"]:
                    key = " ".join(tokenize_alias(alias))
                    if key in curated_keys:
                        continue
                    kind = classify_country_alias(key, primary_key, country_words, iso)
                    if kind == "country":
                        add_alias(key, idx, front=True)
                        if len(key.split()) == 1 and key.endswith(("an", "ish", "ese", "i", "ic", "ch")):
                            demonyms.setdefault(key, iso)
                    else:
                        if place_idx is None:
                            place_idx = add_entry(name, iso, "place", [[iso, None, None]], source)
                            entries[place_idx]["id"] = iso
                        add_alias(key, place_idx)
                continue
            dated = any(s or e for _, s, e in roles)
            multi_dated = dated and len(roles) > 1
            is_person = multi_dated or "CountryInfo" in rec["comment"] or "rulers" in rec["comment"]
            kind = "person" if is_person else "org"
            default_code = next((r[0] for r in roles if r[1] is None and r[2] is None), roles[0][0])
            if kind == "org" and parse_code(default_code, iso_names)[1] is None:
                kind = "place"  # "GAZA_ [PSEGZA]": a region, not an organisation
            default = next((r[0] for r in roles if r[1] is None and r[2] is None), roles[0][0])
            keys = [" ".join(tokenize_alias(a)) for a in rec["names"]]
            shared = next((aliases[k][0] for k in keys if k in curated_keys), None)
            if kind == "org" and shared is not None and entries[shared]["code"][:3] == default[:3] \
                    and entries[shared]["kind"] == "org":
                # a dictionary record sharing a name with a curated actor is that actor
                for key in keys:
                    if key not in curated_keys and len(key) >= 2:
                        add_alias(key, shared)
                continue
            idx = add_entry(pretty(rec["names"][0]), default, kind, roles, source)
            for alias in rec["names"]:
                key = " ".join(tokenize_alias(alias))
                if key in curated_keys or len(key) < 2:
                    continue
                add_alias(key, idx)

    country_index = {e["code"]: i for i, e in enumerate(entries) if e["kind"] == "country"}
    for key, iso in country_words.items():
        if len(key.split()) == 1 and key not in aliases:
            # nationality words missing from Phoenix ("Kazakhs"): point at the country entry
            country_idx = country_index.get(iso)
            if country_idx is not None:
                add_alias(key, country_idx)
        if not key.endswith(("stan", "land", "ia")) and len(key.split()) == 1:
            demonyms.setdefault(key, iso)

    agents = read_agents(phoenix / "Phoenix.agents.txt")
    for key, sector in read_agents(data / "plover" / "PLOVER_agents.txt").items():
        agents.setdefault(key, sector)
    curated_agents: set[str] = set()
    capitals: dict[str, int] = {}
    for item in curated:
        if "capital" in item:
            # one "capital" entry per country: its government stands behind the city's name
            iso = item["country"]
            cap = capitals.get(iso)
            if cap is None:
                cap = capitals[iso] = len(entries)
                # same id as "the Turkish government" (see wirewatch.actors.mentions)
                entries.append({
                    "id": f"~{iso}GOV:government", "name": f"{iso_names.get(iso, iso)} government",
                    "code": iso, "kind": "capital", "roles": [[iso, None, None]], "src": "curated",
                })
            aliases[" ".join(tokenize_alias(item["capital"]))] = [cap]
        if "country_name" in item:
            key = " ".join(tokenize_alias(item["country_name"]))
            idx = country_index.get(item["country"])
            if idx is not None:
                aliases[key] = [idx] + [i for i in aliases.get(key, []) if entries[i]["kind"] != "place"]
    for item in curated:
        if "agent" in item:
            for form in (item["agent"], regular_plural(item["agent"].upper()).lower()):
                key = " ".join(tokenize_alias(form))
                if item["sector"] == "NONE":
                    agents.pop(key, None)
                elif form == item["agent"] or key not in curated_agents:
                    agents[key] = item["sector"]
                curated_agents.add(key)
        elif "demonym" in item:
            demonyms[" ".join(tokenize_alias(item["demonym"]))] = item["country"]
    return {
        "version": 1,
        "sources": ["phoenix-dictionaries (MIT)", "NGEC countries.csv, PLOVER_agents.txt", "curated.txt"],
        "entries": entries,
        "aliases": aliases,
        "agents": agents,
        "demonyms": demonyms,
        "countries": iso_names,
    }


ORG_COUNTRIES = {"IGO", "UNO", "EUR"}
NO_SECTOR = {"", "UNK", "JNK", "????"}
GOLD = ROOT / "tests" / "data" / "gold" / "actors_ngec.jsonl"


def _ngec_date(value: str) -> str | None:
    from datetime import datetime

    for fmt in ("%Y-%m-%d", "%d %B %Y", "%B %d, %Y"):
        try:
            return datetime.strptime(value.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return None  # "Today", "" -> no date (the role in force now)


def convert_ngec(src: Path, dst: Path) -> int:
    """NGEC actor-resolution unit tests -> gold format (a) ``{"text","country","sector",...}``.

    Cases that need Wikipedia only (titles) are skipped; IGO pseudo-countries (IGO, UNO, EUR) become
    ``country: null`` (+ ``sector: IGO`` when NGEC gives no sector); UNK/JNK mean no sector.
    """
    rows = []
    for line in src.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        call = case["calls"][-1]
        method, args, exp = call["method"], call["args"], case["expected"]
        if method not in ("agent_to_code", "short_text_to_agent", "search_nat") or "_list" in case["test"]:
            continue
        row: dict = {"text": args[0].strip(), "source": f"NGEC {case['test']}"}
        if method == "search_nat":
            row["country"] = exp["cc"]["value"] or None
        elif exp.get("code", {}).get("op") == "Is":
            row["country"], row["sector"] = None, None
        else:
            c = exp.get("code['country']")
            s = exp.get("code['code_1']")
            if c and c["op"] == "Eq":
                row["country"] = c["value"] or None
                if row["country"] in ORG_COUNTRIES:
                    row["country"] = None
                    if not s:
                        row["sector"] = "IGO"
            if s and s["op"] in ("Eq", "In"):
                val = s["value"]
                row["sector"] = [v for v in val if v not in NO_SECTOR] if isinstance(val, list) else (
                    None if val in NO_SECTOR else val)
            if method == "agent_to_code" and len(args) > 1 and args[1]:
                row["context"] = args[1]
            if method == "agent_to_code" and len(args) > 2 and args[2]:
                when = _ngec_date(args[2])
                if when:
                    row["published"] = when
        if "country" in row or "sector" in row:
            rows.append(row)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with dst.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


GSR_GOLD = ROOT / "tests" / "data" / "gold" / "actors_gsr.jsonl"
GSR_SECTORS = {"JRN": "MED", "MOS": "MUS", "CIV": "CVL"}


def convert_gsr(src: Path, dst: Path, countries: set[str]) -> int:
    """PLOVER GSR (CAMEO manual examples, CC BY-SA 4.0) source/target actors -> gold format (a).

    ``code`` is a country or IGO; a missing ``sector`` means the country itself (sector null);
    ``***`` sectors are not scored; ``CVLalb`` -> CVL (the lowercase part is an ethnic group).
    """
    data = json.loads(src.read_text(encoding="utf-8", errors="replace"))
    rows = []
    for record in data:
        for role in ("source", "target"):
            actors = record.get(role)
            for actor in actors if isinstance(actors, list) else []:
                if not isinstance(actor, dict) or not actor.get("actorText"):
                    continue
                code = (actor.get("code") or "").upper()
                row: dict = {"text": actor["actorText"].strip(),
                             "source": f"PLOVER GSR {record['id']} {role}"}
                row["country"] = code if code in countries else None
                sector = actor.get("sector")
                if sector != "***":
                    sector = (sector or "")[:3].upper() or None
                    row["sector"] = GSR_SECTORS.get(sector, sector) if sector else (
                        "IGO" if code == "IGO" else None)
                rows.append(row)
    with dst.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--out", type=Path, default=OUT / "kb.json.gz")
    args = parser.parse_args(argv)
    kb = build(args.data)
    payload = json.dumps(kb, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(args.out, "wb", mtime=0) as handle:
        handle.write(payload)
    print(f"{args.out}: {len(kb['entries'])} entries, {len(kb['aliases'])} aliases, "
          f"{len(kb['agents'])} agent nouns, {len(kb['demonyms'])} demonyms, "
          f"{args.out.stat().st_size} bytes")
    ngec = args.data / "dev" / "ngec_actor_resolution_test_cases.jsonl"
    if ngec.exists():
        print(f"{GOLD}: {convert_ngec(ngec, GOLD)} NGEC resolution cases")
    gsr = args.data / "plover" / "PLOVER_GSR_CAMEO.txt"
    if gsr.exists():
        print(f"{GSR_GOLD}: {convert_gsr(gsr, GSR_GOLD, set(kb['countries']))} PLOVER GSR actor cases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""CAMEO actor codes: split a Phoenix/TABARI code ("TURGOV", "IGOUNO", "NGOUSAHRI") into
(ISO3 country, sector)."""

from __future__ import annotations

from collections.abc import Collection

# CAMEO actor-type (sector) codes we emit. Religion codes count as sectors (NGEC codes
# "Rakhine Buddhists" as BUD).
SECTORS: frozenset[str] = frozenset({
    "GOV", "MIL", "SPY", "COP", "REB", "INS", "OPP", "PTY", "MED", "IGO", "NGO", "CVL", "BUS",
    "JUD", "LEG", "EDU", "REL", "ELI", "CRM", "REF", "LAB", "AGR", "HLH", "HRI", "ENV", "UAF",
    "PRM", "SEP", "DEV", "SOC", "MUS", "CHR", "JEW", "BUD", "HIN", "SIK", "SET", "MOD", "RAD",
    "NGM", "PRE", "ATH",
})
# Leading three letters that are organisation types, not countries.
NON_ISO_PREFIXES: frozenset[str] = frozenset({"IGO", "NGO", "MNC", "IMG", "EUR", "UNO", "INT", "NGM"})
# Regional / non-country prefixes in Phoenix codes (no ISO country, the sector follows).
REGIONS: frozenset[str] = frozenset({
    "AFR", "ASA", "BLK", "CAS", "CAU", "CFR", "CRB", "EAF", "EEU", "EIN", "LAM", "MEA", "MDE",
    "NAF", "NAM", "NMR", "PGS", "SAF", "SAM", "SAS", "SCN", "SEA", "SSA", "WAF", "WEU", "WST",
    "KAS", "KKL", "EUR", "UNO", "GRB",
})
# Sector spellings from the dictionaries mapped to what we emit (None: not an actor sector).
SECTOR_ALIASES: dict[str, str | None] = {
    "JRN": "MED", "MNC": "BUS", "IMG": "REB", "NON": None, "JNK": None, "UNK": None, "ELI": "ELI",
    "PPL": None,
    "CHR": "CHR", "MOS": "MUS", "ITH": "REL",
}
ORG_TYPE_SECTOR: dict[str, str] = {"IGO": "IGO", "NGO": "NGO", "MNC": "BUS", "IMG": "REB", "NGM": "NGO",
                                   "EUR": "IGO", "UNO": "IGO"}


def _sector(seg: str) -> str | None:
    seg = SECTOR_ALIASES.get(seg, seg) or ""
    return seg if seg in SECTORS else None


def parse_code(code: str, countries: Collection[str] | None = None) -> tuple[str | None, str | None]:
    """A CAMEO actor code -> (ISO3 country or None, sector or None).

    ``TURGOV`` -> (TUR, GOV); ``IGOUNO`` -> (None, IGO); ``NGOUSAHRI`` -> (USA, NGO);
    ``MNCUSA`` -> (USA, BUS); ``IMGMUSISI`` -> (None, REB); ``SYR`` -> (SYR, None); ``ELI`` -> (None, ELI).
    ``countries``, when given, is the set of valid ISO3 codes (anything else is not a country).
    """
    code = code.strip().upper()
    segs = [code[i:i + 3] for i in range(0, len(code) - len(code) % 3, 3)]
    if not segs:
        return None, None
    first = segs[0]
    if first in ORG_TYPE_SECTOR:
        country = None
        if len(segs) > 1 and segs[1] not in REGIONS and _sector(segs[1]) is None and segs[1].isalpha():
            country = segs[1]
        if countries is not None and country not in countries:
            country = None
        return country, ORG_TYPE_SECTOR[first]
    if _sector(first) is not None and len(segs) == 1:
        return None, _sector(first)
    country = None if first in REGIONS else first
    if countries is not None and country not in countries:
        country = None
    sector = next((s for s in (_sector(x) for x in segs[1:]) if s is not None), None)
    return country, sector

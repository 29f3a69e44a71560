"""PLOVER 2.0 modes from trigger words (modes as defined in PLOVER_structured_codebook_updated.csv)."""

from __future__ import annotations

from spacy.tokens import Token

# type -> ordered (mode, cue words); the first mode with a cue among the trigger's words wins
MODE_CUES: dict[str, tuple[tuple[str, frozenset[str]], ...]] = {
    "ASSAULT": (
        ("suicide-attack", frozenset({"suicide"})),
        ("drone", frozenset({"drone", "drones", "uav"})),
        ("aerial", frozenset({"airstrike", "airstrikes", "aircraft", "warplane", "warplanes", "jet", "jets",
                              "helicopter", "helicopters", "air", "bomber", "bombers"})),
        ("crowd-control", frozenset({"tear", "cannon", "cannons", "rubber", "baton", "batons"})),
        ("unconventional", frozenset({"chemical", "nuclear", "biological", "sarin", "chlorine"})),
        ("massacre", frozenset({"massacre", "massacred"})),
        ("abduct", frozenset({"kidnap", "kidnapped", "abduct", "abducted", "abduction", "kidnapping",
                              "hijack", "hijacked", "hostage", "hostages"})),
        ("assassinate", frozenset({"assassinate", "assassinated", "assassination"})),
        ("torture", frozenset({"torture", "tortured"})),
        ("sexual", frozenset({"rape", "raped", "sexual"})),
        ("execute", frozenset({"execute", "executed", "execution", "executions"})),
        ("heavy-weapons", frozenset({"shell", "shelled", "shelling", "artillery", "rocket", "rockets",
                                     "missile", "missiles", "tank", "tanks", "mortar", "mortars"})),
        ("explosives", frozenset({"bomb", "bombs", "bombing", "bombed", "explosive", "explosives", "ied",
                                  "blast", "explosion", "mine", "mines"})),
        ("firearms", frozenset({"shoot", "shot", "shooting", "gun", "guns", "gunfire", "gunman", "gunmen",
                                "rifle", "rifles", "sniper", "snipers", "fire", "fired"})),
        ("primitive", frozenset({"stab", "stabbed", "knife", "knives", "machete", "machetes", "arson",
                                 "torched", "stones", "rocks"})),
        ("beat", frozenset({"beat", "beaten", "beating", "beatings"})),
        ("destroy", frozenset({"destroy", "destroyed", "demolish", "demolished", "loot", "looted"})),
        ("cleansing", frozenset({"cleansing"})),
    ),
    "COERCE": (
        ("cyber", frozenset({"hack", "hacked", "hackers", "cyber", "cyberattack", "breach", "breached"})),
        ("arrest", frozenset({"arrest", "arrested", "detain", "detained", "detention", "jail", "jailed",
                              "imprison", "imprisoned", "custody"})),
        ("deport", frozenset({"deport", "deported", "deportation"})),
        ("curfew", frozenset({"curfew", "emergency", "martial"})),
        ("censor", frozenset({"censor", "censored", "censorship"})),
        ("ban", frozenset({"ban", "banned", "outlaw", "outlawed"})),
        ("seize", frozenset({"seize", "seized", "confiscate", "confiscated", "raid", "raided", "search"})),
        ("restrict", frozenset({"restrict", "restricted", "cordon", "cordoned", "blockade", "sanctions"})),
    ),
    "PROTEST": (
        ("hunger", frozenset({"hunger"})),
        ("riot", frozenset({"riot", "riots", "rioted", "rioting"})),
        ("boycott", frozenset({"boycott", "boycotted"})),
        ("strike", frozenset({"strike", "strikes", "walkout"})),
        ("obstruct", frozenset({"block", "blocked", "sit-in", "blockade"})),
        ("demo", frozenset({"protest", "protested", "protests", "demonstrate", "demonstrated",
                            "demonstration", "rally", "rallied", "march", "marched", "marching"})),
    ),
    "RETREAT": (
        ("resign", frozenset({"resign", "resigned", "resignation", "step", "stepped"})),
        ("release", frozenset({"release", "released", "free", "freed"})),
        ("ceasefire", frozenset({"ceasefire", "truce"})),
        ("disarm", frozenset({"disarm", "disarmed", "weapons"})),
        ("return", frozenset({"return", "returned"})),
        ("withdraw", frozenset({"withdraw", "withdrew", "withdrawn", "retreat", "retreated", "pull",
                                "pulled", "withdrawal"})),
    ),
    "SANCTION": (
        ("convict", frozenset({"sentence", "sentenced", "convict", "convicted", "guilty"})),
        ("expel", frozenset({"expel", "expelled", "expulsion"})),
        ("discontinue", frozenset({"suspend", "suspended", "cut", "halt", "halted", "sanctions",
                                   "embargo", "freeze", "froze"})),
        ("withdraw", frozenset({"withdraw", "withdrew", "quit", "left"})),
    ),
    "MOBILIZE": (
        ("police", frozenset({"police"})),
        ("militia", frozenset({"militia", "militias", "fighters"})),
        ("weapons", frozenset({"missile", "missiles", "test", "tested", "test-fired"})),
        ("troops", frozenset({"troops", "soldiers", "army", "forces", "deploy", "deployed", "carriers",
                              "warships", "tanks"})),
    ),
    "ACCUSE": (
        ("investigate", frozenset({"investigate", "investigated", "investigation", "probe", "inquiry"})),
        ("allege", frozenset({"accuse", "accused", "allege", "alleged", "charge", "charged", "sue", "sued",
                              "indict", "indicted", "lawsuit"})),
        ("disapprove", frozenset({"condemn", "condemned", "criticize", "criticized", "criticise",
                                  "criticised", "denounce", "denounced", "deplore", "deplored"})),
    ),
    "CONSULT": (
        ("phone", frozenset({"phone", "telephone", "telephoned", "call", "called"})),
        ("visit", frozenset({"visit", "visited", "host", "hosted"})),
    ),
    "REQUEST": (
        ("yield", frozenset({"release", "free", "ceasefire", "lift", "end", "withdrawal"})),
        ("meet", frozenset({"talks", "meeting", "negotiations", "meet", "negotiate", "dialogue"})),
        ("assist", frozenset({"aid", "help", "assistance", "weapons", "support", "systems"})),
        ("change", frozenset({"resignation", "resign", "reform", "reforms", "change", "elections"})),
    ),
}


CROWD_CONTROL = frozenset({"tear", "teargas", "cannon", "cannons", "rubber", "pepper", "baton", "batons",
                           "stun", "truncheon", "truncheons", "pellet", "pellets"})


def _crowd_control(trigger: Token) -> bool:
    """Tear gas, water cannon, rubber bullets or batons in the trigger's own phrase."""
    return any(t.lower_ in CROWD_CONTROL for t in trigger.subtree if abs(t.i - trigger.i) <= 8)


def mode_for(event_type: str, trigger: Token, lexicon_mode: str | None) -> str | None:
    """The trigger word's own cue first, then the lexicon's mode, then cues in the trigger's phrase."""
    cues = MODE_CUES.get(event_type)
    if not cues:
        return lexicon_mode
    own = {trigger.lower_, trigger.lemma_.lower()}
    if event_type == "ASSAULT" and _crowd_control(trigger):
        return "crowd-control"  # "fired tear gas": the weapon decides, not the verb "fire"
    for mode, words in cues:
        if own & words:
            return mode
    if lexicon_mode:
        return lexicon_mode
    near = {t.lower_ for t in trigger.subtree if abs(t.i - trigger.i) <= 6}
    near |= {c.lower_ for c in trigger.head.children} if trigger.dep_ in ("dobj", "pobj") else set()
    for mode, words in cues:
        if near & words:
            return mode
    return None

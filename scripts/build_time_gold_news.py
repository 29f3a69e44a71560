"""Build tests/data/gold/time_news.jsonl from hand-annotated news-style sentences.

    python scripts/build_time_gold_news.py

Each sentence marks a gold expression as ``[extent|value]`` (``value`` is the TIMEX3 value written by
hand, ``null`` when it cannot be resolved); the script strips the marks and writes exact offsets.
Extents follow TimeML: a leading preposition ("on", "in") is outside, a determiner and modifiers
("the 1990s", "more than 100 days", "late January") are inside. 2015-02-13 is a Friday.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "gold" / "time_news.jsonl"
FRI = "2015-02-13"

SENTENCES: list[tuple[str | None, str]] = [
    (FRI, "Hurriyet Daily reported on [Thursday|2015-02-12] that militants had crossed the border."),
    (FRI, "Foreign ministers will meet in Geneva on [Thursday|2015-02-19] to discuss a ceasefire."),
    (FRI, "Earlier on [February 3|2015-02-03], the intelligence service warned of attacks in Ankara."),
    (FRI, "Earlier in [October|2014-10], a reporter obtained documents showing passports had been stamped."),
    (FRI, "The army said [last week|2015-W06] that it had retaken the airport."),
    (FRI, "Two soldiers were killed [two days ago|2015-02-11] in an ambush near Mosul."),
    (FRI, "Kurdish fighters retook the town on [January 26|2015-01-26] after [more than 100 days|P100D] "
          "of fighting."),
    (FRI, "The group seized the province in [2014|2014] and declared a caliphate."),
    (FRI, "The conflict dates back to [the 1990s|199X], when the first militias formed."),
    (FRI, "Police fired tear gas at protesters [this morning|2015-02-13TMO] outside parliament."),
    (FRI, "Rebels shelled the city [yesterday|2015-02-12], killing four civilians."),
    (FRI, "The ministry announced [last month|2015-01] that it would cut fuel subsidies."),
    (FRI, "Elections are scheduled for [next year|2016], the commission said."),
    (FRI, "Fighting intensified in [mid-2014|2014] as the militants advanced on Erbil."),
    (FRI, "Aid convoys reached the besieged district in [late January|2015-01]."),
    (FRI, "The ceasefire signed on [January 26, 2015|2015-01-26] collapsed within [a week|P1W]."),
    (FRI, "The president will travel to Moscow in [March|2015-03] for talks on gas prices."),
    (FRI, "The agreement was signed in [March|2014-03] after [months|PXM] of negotiations."),
    (FRI, "Talks collapsed in [December|2014-12] and resumed [this week|2015-W07]."),
    (FRI, "Officials expect the offensive to begin [next week|2015-W08]."),
    (FRI, "Militants stormed the prison on [Sunday|2015-02-08], freeing dozens of inmates."),
    (FRI, "Gunmen attacked a checkpoint late on [Tuesday|2015-02-10], the police said."),
    (FRI, "[Three years ago|2012], the town had 40,000 residents."),
    (FRI, "The siege of the city lasted [six months|P6M]."),
    (FRI, "The curfew was lifted at [6 a.m.|2015-02-12T06:00] on [Thursday|2015-02-12]."),
    (FRI, "Parliament approved the emergency budget [last night|2015-02-12TNI]."),
    (FRI, "The UN envoy arrived in Sanaa on [Monday|2015-02-09] for talks with the Houthis."),
    (FRI, "Negotiators will resume talks on [Monday|2015-02-16] in Geneva."),
    (FRI, "The bombing was the deadliest in the capital since [2011|2011]."),
    (FRI, "Rebels have held the valley for [years|PXY]."),
    (FRI, "Government troops launched an offensive over [the weekend|2015-W06-WE]."),
    (FRI, "By [the end of January|2015-01], more than 2,000 people had fled the district."),
    (FRI, "Oil exports fell sharply in [the first quarter of 2014|2014-Q1]."),
    (FRI, "Arms sales doubled in [the first half of 2014|2014-H1], the report said."),
    (FRI, "The strike took place on [5 February|2015-02-05] near the border."),
    (FRI, "The court ruled on [Jan. 9|2015-01-09] that the ban was illegal."),
    (FRI, "The report covers [the past three months|P3M]."),
    (FRI, "[Last summer|2014-SU], the militants overran Mosul."),
    (FRI, "A [three-day|P3D] truce begins [tomorrow|2015-02-14]."),
    (FRI, "The minister said on [Wednesday|2015-02-11] that troops would withdraw."),
    (FRI, "Students first took to the streets in [1989|1989]."),
    (FRI, "Between [2011|2011] and [2013|2013], the group grew rapidly."),
    (FRI, "The journalist has been in custody for [nearly two years|P2Y]."),
    (FRI, "[Every Friday|XXXX-WXX-5], demonstrators gather in the square."),
    (FRI, "Rebels captured the town on [February 1|2015-02-01]. [The next day|2015-02-02], government jets "
          "bombed it."),
    (FRI, "Militants executed two hostages [earlier this month|2015-02]."),
    (FRI, "The war began in [the spring of 2011|2011-SP]."),
    (FRI, "A rally is planned for [February 20|2015-02-20] in the capital."),
    (FRI, "The war has lasted [10 years|P10Y]."),
    (FRI, "The commander was born in [1975|1975] in Aleppo."),
    (FRI, "About 2000 troops were deployed along the frontier."),
    (FRI, "Britain's Theresa May said the strikes were legal."),
    (FRI, "The rebels first captured the city in [May|2014-05]."),
    (FRI, "Fighters entered Kobani on [September 16, 2014|2014-09-16]. [Two weeks later|2014-W40], the "
          "coalition began air strikes."),
    (FRI, "The opposition will boycott the vote [next month|2015-03]."),
    (FRI, "The militia was founded in [the 1980s|198X] and disarmed in [2005|2005]."),
    (FRI, "The army has [recently|PAST_REF] stepped up raids in the north."),
    (FRI, "The talks on [Friday|2015-02-13] ended without agreement."),
    ("2014-12-30", "The talks will resume in [January|2015-01], the mediators said."),
    ("2014-12-30", "Rebels attacked the army base on [December 26|2014-12-26]."),
    ("2014-12-30", "The offensive began in [August|2014-08] and has stalled since."),
    ("2015-01-05", "The attack happened on [Friday|2015-01-02] in the market."),
    ("2015-01-05", "Militants shelled the port on [December 31|2014-12-31]."),
    ("2015-01-05", "[Last year|2014] was the deadliest on record, the monitor said."),
    ("2015-01-05", "The ministers will meet again on [Thursday|2015-01-08]."),
    (None, "Troops entered the city on [Thursday|null], residents said."),
    (None, "The accord was signed on [January 26, 2015|2015-01-26] in Minsk."),
    (None, "Clashes broke out [last week|null] near the airport."),
    (None, "The uprising began in [March 2011|2011-03]."),
]

# Written after the tagger existed but scored blind (first run before any change): see the report.
BLIND: list[tuple[str | None, str]] = [
    (FRI, "Houthi fighters seized the presidential palace on [January 20|2015-01-20]."),
    (FRI, "The strike came [hours|PTXH] after the talks collapsed."),
    (FRI, "Fighting resumed early on [Wednesday|2015-02-11] in the east."),
    (FRI, "The United Nations said on [Tuesday|2015-02-10] that aid had run out."),
    (FRI, "[Last Friday|2015-02-06], gunmen killed three policemen."),
    (FRI, "Parliament will vote on the deal [next Tuesday|2015-02-17]."),
    (FRI, "The army has been fighting the insurgents since [2009|2009]."),
    (FRI, "Between [January 1|2015-01-01] and [February 10|2015-02-10], 300 civilians were killed."),
    (FRI, "The blockade has lasted [eight months|P8M]."),
    (FRI, "The ceasefire expires at [midnight|2015-02-13T24:00]."),
    (FRI, "[Earlier this week|2015-W07], the rebels shelled the airport."),
    (FRI, "The talks are expected to last [two days|P2D]."),
    (FRI, "He was sentenced to [15 years|P15Y] in prison."),
    (FRI, "The group was founded in [the early 2000s|200X]."),
    (FRI, "By [2020|2020], the population could double."),
    (FRI, "The border was closed in [December 2014|2014-12]."),
    (FRI, "The election is set for [April 26|2015-04-26]."),
    (FRI, "The offensive began [a week ago|2015-W06]."),
    (FRI, "[Two years ago|2013], the city fell to the rebels."),
    (FRI, "The fighting on [Feb. 9|2015-02-09] killed 12 people."),
    (FRI, "[Sunday|2015-02-08]'s bombing killed 20 people."),
    (FRI, "The UN will hold a donor conference [later this month|2015-02]."),
    (FRI, "The president has ruled since [1999|1999]."),
    (FRI, "The army must leave within [48 hours|PT48H]."),
    (FRI, "The rebels said on [Feb 11|2015-02-11] that they had captured the base."),
    (FRI, "The decision was announced [this afternoon|2015-02-13TAF]."),
    (FRI, "A [six-month|P6M] state of emergency was declared."),
    (FRI, "The protests began in [the summer of 2013|2013-SU]."),
    (FRI, "Prices have doubled since [the start of the year|2015]."),
    ("2015-03-02", "The summit ended on [Saturday|2015-02-28]."),
    ("2015-03-02", "Gunmen attacked a church [last weekend|2015-W09-WE]."),
    ("2015-03-02", "Militants attacked the town [last month|2015-02]."),
]

_MARK = re.compile(r"\[([^|\]]+)\|([^\]]+)\]")


def parse(marked: str) -> tuple[str, list[dict[str, object]]]:
    """Strip ``[extent|value]`` marks; return the text and its timexes with offsets."""
    text, timexes, pos = "", [], 0
    for m in _MARK.finditer(marked):
        text += marked[pos : m.start()]
        start = len(text)
        text += m.group(1)
        value = None if m.group(2) == "null" else m.group(2)
        timexes.append({"start": start, "end": len(text), "value": value})
        pos = m.end()
    text += marked[pos:]
    return text, timexes


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as handle:
        for published, marked in SENTENCES + BLIND:
            text, timexes = parse(marked)
            handle.write(json.dumps({"text": text, "published": published, "timexes": timexes}) + "\n")
    lines = SENTENCES + BLIND
    count = sum(len(parse(m)[1]) for _p, m in lines)
    print(f"wrote {len(lines)} sentences, {count} expressions to {OUT}")


if __name__ == "__main__":
    main()

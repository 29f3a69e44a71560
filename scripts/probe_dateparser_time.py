"""Where dateparser 1.5.0 goes wrong on news time expressions, next to wirewatch's TimeTagger.

    python scripts/probe_dateparser_time.py

Published 2015-02-13 (a Friday). dateparser runs with RELATIVE_BASE = publication date,
PREFER_DATES_FROM = past (future for the future-tense sentence), RETURN_TIME_AS_PERIOD.
"""

from __future__ import annotations

from datetime import date, datetime

from dateparser.date import DateDataParser

from wirewatch.nlp import load_nlp
from wirewatch.temporal import TimeTagger

PUBLISHED = date(2015, 2, 13)
CASES = [
    ("Hurriyet Daily reported on Thursday.", "on Thursday", False),
    ("The ministers will meet on Thursday.", "on Thursday", True),
    ("Earlier on February 3, the service warned.", "Earlier on February 3", False),
    ("Earlier in October, a reporter obtained documents.", "Earlier in October", False),
    ("The army retook the airport last week.", "last week", False),
    ("Two soldiers were killed two days ago.", "two days ago", False),
    ("Fighters retook the town on January 26.", "January 26", False),
    ("The siege lasted more than 100 days.", "more than 100 days", False),
    ("The siege lasted 100 days.", "100 days", False),
    ("The conflict dates back to the 1990s.", "the 1990s", False),
    ("Police fired tear gas this morning.", "this morning", False),
    ("The ministry cut subsidies last month.", "last month", False),
    ("Elections are due next year.", "next year", False),
    ("Fighting intensified in mid-2014.", "mid-2014", False),
    ("Aid convoys arrived in late January.", "late January", False),
    ("The group seized the province in 2014.", "in 2014", False),
    ("Troops attacked over the weekend.", "the weekend", False),
    ("Militants executed hostages earlier this month.", "earlier this month", False),
    ("He was jailed for a decade.", "a decade", False),
    ("George Lowe, 89, died on Wednesday.", "89", False),
]


def main() -> None:
    nlp = load_nlp()
    tagger = TimeTagger()
    base = datetime(PUBLISHED.year, PUBLISHED.month, PUBLISHED.day)
    parsers = {
        pref: DateDataParser(languages=["en"], settings={
            "RELATIVE_BASE": base, "PREFER_DATES_FROM": pref, "RETURN_TIME_AS_PERIOD": True})
        for pref in ("past", "future")
    }
    print(f"{'phrase':24} | {'dateparser':32} | wirewatch")
    for sentence, phrase, future in CASES:
        data = parsers["future" if future else "past"].get_date_data(phrase)
        dp = f"{data.date_obj} ({data.period})" if data.date_obj else "None"
        found = tagger.find(nlp(sentence), PUBLISHED)
        ours = [f"{t.text!r}: {t.value} {t.precision or t.kind}" for t in found]
        print(f"{phrase:24} | {dp:32} | {'; '.join(ours) or '-'}")


if __name__ == "__main__":
    main()

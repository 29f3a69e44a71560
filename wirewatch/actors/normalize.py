"""Text normalisation shared by the KB compiler and the run-time matcher.

Matching is done on *tokens*, each normalised on its own, so offsets always come from spaCy's
``token.idx`` and never from a lowercased copy of the text ("MİT".lower() is longer than "MİT").
"""

from __future__ import annotations

import re
from functools import lru_cache

from wirewatch.textnorm import strip_accents

_QUOTES = str.maketrans({
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-",
})
_SLUG = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65536)
def norm_token(text: str) -> str:
    """Casefold, strip diacritics (İ -> i, ü -> u) and unify quotes/dashes of one token."""
    text = text.translate(_QUOTES)
    if text.isascii():
        return text.lower()
    return strip_accents(text).casefold().replace("ı", "i")


def norm_phrase(tokens: list[str] | tuple[str, ...]) -> str:
    """Normalised key of a token sequence: normalised tokens joined by single spaces."""
    return " ".join(norm_token(t) for t in tokens)


def slug(text: str) -> str:
    """A lowercase ASCII slug ("Turkey's MİT" -> "turkey-s-mit")."""
    return _SLUG.sub("-", norm_token(text)).strip("-")

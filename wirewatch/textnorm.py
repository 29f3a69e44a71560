"""Text normalisation shared by the stages that match names (actors, gazetteer, actor filters)."""

from __future__ import annotations

import unicodedata


def strip_accents(text: str) -> str:
    """Decompose (NFKD) and drop combining marks: "Kobanî" -> "Kobani", "MİT" -> "MIT"."""
    if text.isascii():  # most names: nothing to decompose
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))

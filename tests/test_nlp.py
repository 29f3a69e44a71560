"""Model loading: the default model, the line-break sentence rule, a clear error for a missing model."""

from __future__ import annotations

import pytest

from wirewatch.errors import UserError
from wirewatch.nlp import DEFAULT_MODEL, load_nlp, model_name


def test_line_breaks_end_sentences(nlp):
    """Headlines and paragraphs without a final full stop do not run into the next line."""
    doc = nlp("Clashes in Idlib\nSyrian forces shelled Saraqib on Monday\n\nTurkey warned Damascus.")
    assert [s.text.strip() for s in doc.sents] == [
        "Clashes in Idlib", "Syrian forces shelled Saraqib on Monday", "Turkey warned Damascus."]
    assert nlp.pipe_names.index("wirewatch_line_breaks") < nlp.pipe_names.index("parser")


def test_model_choice(monkeypatch):
    monkeypatch.delenv("WIREWATCH_MODEL", raising=False)
    assert model_name() == DEFAULT_MODEL
    monkeypatch.setenv("WIREWATCH_MODEL", "xx_other")
    assert model_name() == "xx_other" and model_name("given") == "given"


def test_missing_model_is_a_user_error():
    with pytest.raises(UserError, match="spaCy model 'no_such_model_xyz' is not installed"):
        load_nlp("no_such_model_xyz")

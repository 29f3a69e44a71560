"""Shared fixtures: the real spaCy model, example articles, temp stores."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def nlp():
    from wirewatch.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def kobani_text() -> str:
    return (EXAMPLES / "kobani-warning.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def kobani_doc(nlp, kobani_text):
    return nlp(kobani_text)

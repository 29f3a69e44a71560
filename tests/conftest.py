"""Shared fixtures: the real spaCy model, example articles, temp stores."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))  # load-test helpers: synthetic_events, store_loadtest
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"


def _loopback_test_clients() -> None:
    """The API answers only to loopback Host names (DNS-rebinding protection); Starlette's TestClient
    says ``Host: testserver`` unless told otherwise, so in tests its default base URL is 127.0.0.1."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    defaults = TestClient.__init__.__defaults__ or ()
    if defaults and defaults[0] == "http://testserver":
        TestClient.__init__.__defaults__ = ("http://127.0.0.1", *defaults[1:])


_loopback_test_clients()


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

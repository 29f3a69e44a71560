"""The shared accent stripping behind actor keys, gazetteer keys and the actor filter."""

from wirewatch.actors.normalize import norm_token
from wirewatch.geo.gazetteer import normalize
from wirewatch.query import fold
from wirewatch.textnorm import strip_accents


def test_strip_accents():
    assert strip_accents("Kobanî") == "Kobani"
    assert strip_accents("MİT") == "MIT"
    assert strip_accents("‘Ayn al ‘Arab") == "‘Ayn al ‘Arab"  # quotes are not accents
    assert strip_accents("") == ""


def test_the_three_normalisers_agree_on_accents():
    assert norm_token("Kobanî") == fold("Kobanî") == normalize("Kobanî") == "kobani"
    assert norm_token("MİT") == fold("MİT") == "mit"

"""Folding for the directory search (organisations.search): case, æ/ø/å and their spellings without them."""

import pytest

from samarbejde.organisations.search import fold, matches, spellings


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("København", "koebenhavn"),
        ("KØBENHAVN", "koebenhavn"),
        ("koebenhavn", "koebenhavn"),
        ("Ærø", "aeroe"),
        ("ÆRØ", "aeroe"),
        ("århus", "aarhus"),
        ("Århus", "aarhus"),
        ("Aarhus", "aarhus"),
        ("  Høje-Taastrup  ", "hoeje taastrup"),
        ("Høje  –  Taastrup", "hoeje taastrup"),
        ("Ringkøbing-Skjern", "ringkoebing skjern"),
        ("Tårnby", "taarnby"),
        ("Læsø", "laesoe"),
        ("Café", "cafe"),
        ("", ""),
        ("-", ""),
        ("%_\\", "%_\\"),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("København", {"koebenhavn", "kobenhavn"}),
        ("Ærø", {"aeroe", "aero"}),
        ("Tårnby", {"taarnby", "tarnby"}),
        ("Aarhus", {"aarhus"}),
        ("Hørsholm", {"hoersholm", "horsholm"}),
        ("Sønderborg", {"soenderborg", "sonderborg"}),
    ],
)
def test_spellings(name, expected):
    assert spellings(name) == expected


@pytest.mark.parametrize(
    ("query", "name", "found"),
    [
        ("kobenhavn", "Københavns Kommune", True),
        ("KØBENHAVN", "Københavns Kommune", True),
        ("koebenhavn", "Københavns Kommune", True),
        ("København", "Københavns Kommune", True),
        ("aarhus", "Aarhus Kommune", True),
        ("århus", "Aarhus Kommune", True),
        ("Aarhus", "Aarhus Kommune", True),
        ("æroe", "Ærø Kommune", True),
        ("aeroe", "Ærø Kommune", True),
        ("ærø", "Ærø Kommune", True),
        ("aero", "Ærø Kommune", True),
        ("tarnby", "Tårnby Kommune", True),
        ("taarnby", "Tårnby Kommune", True),
        ("hoeje taastrup", "Høje-Taastrup Kommune", True),
        ("høje-taastrup", "Høje-Taastrup Kommune", True),
        ("kbh", "Københavns Kommune", False),
        ("aarhus", "Aabenraa Kommune", False),
        ("ærø", "Aarhus Kommune", False),
    ],
)
def test_matches(query, name, found):
    assert matches(fold(query), name) is found

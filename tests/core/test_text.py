"""Folding names for matching: accents, case, punctuation and spaces ignored."""

import re
import unicodedata

import pytest

from citemploi.core.text import fold


def _fold_by_decomposition(text: str) -> str:
    """The general rule, applied to every text (fold skips the decomposition for ASCII)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    return re.sub(r"[^a-z0-9]+", " ", stripped.lower()).strip()


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Élodie", "elodie"),
        ("  LEFÈVRE--Martin ", "lefevre martin"),
        ("O'Brien Jr.", "o brien jr"),
        ("Bœuf", "boeuf"),
        ("Straße", "strasse"),
        ("ﬁn", "fin"),
        ("", ""),
        ("-", ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_ascii_shortcut_folds_every_ascii_character_as_the_decomposition_does():
    every_ascii = "".join(chr(i) for i in range(128))
    texts = [every_ascii, *every_ascii, "Banc-12 \t x", "a\x00b", "ABC def 123"]
    assert [fold(t) for t in texts] == [_fold_by_decomposition(t) for t in texts]

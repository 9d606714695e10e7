"""Cleaning untrusted text: NUL dropped, lone surrogates replaced, everything else kept."""

from __future__ import annotations

import pytest

from chatbot.core.untrusted import REPLACEMENT, clean_text, clean_tree


@pytest.mark.parametrize(
    ("given", "cleaned"),
    [
        ("Здравствуйте 😀", "Здравствуйте 😀"),
        ("a\x00b\x00", "ab"),
        ("x\ud800y", f"x{REPLACEMENT}y"),
        ("\udfff", REPLACEMENT),
        ("\udc00\ud800", REPLACEMENT * 2),  # low before high is no pair
        ("\ud83d\ude00", "😀"),  # a pair split into code points is one character again
        ("\x00\ud83d", REPLACEMENT),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
    ],
)
def test_clean_text(given: str, cleaned: str) -> None:
    assert clean_text(given) == cleaned
    assert clean_text(cleaned) == cleaned  # cleaning is idempotent
    cleaned.encode("utf-8")  # and what it gives is storable as UTF-8


def test_clean_tree_cleans_strings_and_keys_at_any_depth_and_keeps_other_values() -> None:
    tree = {"a\x00": [1, 2.5, None, True, {"b": "c\ud800"}], "n": -3}
    assert clean_tree(tree) == {"a": [1, 2.5, None, True, {"b": f"c{REPLACEMENT}"}], "n": -3}

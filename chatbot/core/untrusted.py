"""Cleaning untrusted text: what comes from outside is made storable the same way everywhere.

PostgreSQL refuses the NUL character in text, and a lone surrogate (half of a UTF-16 pair,
which JSON can spell as "\\ud800") cannot be encoded as UTF-8 for either database. Both would
fail the same message on every redelivery, so every text from outside passes through here
before it is stored: NUL characters are dropped, lone surrogates become U+FFFD.
"""

from __future__ import annotations

import re
from typing import Final

REPLACEMENT: Final = "\ufffd"
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` without NUL characters and with every lone surrogate replaced by U+FFFD."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    # Through UTF-16 so that a pair split into two code points becomes its one character again;
    # what is left unpaired is what the decoder replaces.
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def clean_tree(value: object) -> object:
    """A parsed JSON value with every string in it (keys too) cleaned; other values as they are."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(k) if isinstance(k, str) else k: clean_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_tree(item) for item in value]
    return value

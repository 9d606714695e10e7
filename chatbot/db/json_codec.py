"""How JSON columns are written: orjson, with the standard library as a fallback.

They are read with `json.loads`: orjson would turn integers beyond 64 bits into floats.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS  # {1: "a"} is stored as {"1": "a"}, as json.dumps would


def dumps(value: Any) -> str:
    """JSON text of a column value; about ten times faster than `json.dumps`.

    orjson refuses what the standard library still writes (integers beyond 64 bits, which a
    CRM's payload may hold): such values go through `json.dumps` rather than fail the event.
    It writes NaN as null, where `json.dumps` writes a token that is not JSON.
    """
    try:
        return orjson.dumps(value, option=_OPTIONS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False)

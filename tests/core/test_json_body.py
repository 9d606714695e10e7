"""Request bodies as JSON within limits: depth, numbers, encoding; strings cleaned."""

from __future__ import annotations

import pytest

from chatbot.core.json_body import MAX_DEPTH, BodyRefused, read_json


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_nesting_up_to_the_limit_is_read_and_one_level_more_is_refused() -> None:
    assert read_json(_nested(MAX_DEPTH)) is not None
    with pytest.raises(BodyRefused, match=f"nested deeper than {MAX_DEPTH} levels"):
        read_json(_nested(MAX_DEPTH + 1))
    with pytest.raises(BodyRefused, match="nested deeper"):
        read_json(b'{"a": ' + _nested(10_000) + b"}")


def test_brackets_inside_strings_are_no_nesting() -> None:
    text = '[[[{{{ \\" ]]' * 1000
    raw = ('{"text": "' + text + '"}').encode()
    assert read_json(raw) == {"text": text.replace('\\"', '"')}


@pytest.mark.parametrize(
    "number", ["9" * 5000, "-" + "9" * 5000, str(2**63), str(-(2**63) - 1), "1e999", "-1e999"]
)
def test_numbers_beyond_64_bits_or_a_float_are_refused(number: str) -> None:
    with pytest.raises(BodyRefused, match="number"):
        read_json(f'{{"amount": {number}}}'.encode())


def test_numbers_within_the_limits_are_read() -> None:
    raw = f"[{2**63 - 1}, {-(2**63)}, 1.5e300, 0.1]".encode()
    assert read_json(raw) == [2**63 - 1, -(2**63), 1.5e300, 0.1]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_constants_python_accepts_but_json_does_not_are_refused(constant: str) -> None:
    with pytest.raises(BodyRefused, match="not JSON"):
        read_json(f'{{"amount": {constant}}}'.encode())


@pytest.mark.parametrize(
    ("raw", "reason"),
    [(b"\xff\xfe", "not UTF-8"), (b"{oops", "not JSON"), (b"", "not JSON")],
)
def test_what_is_not_json_is_refused_with_the_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(BodyRefused, match=reason):
        read_json(raw)


def test_strings_are_cleaned_whether_escaped_or_encoded() -> None:
    assert read_json(b'{"t\\u0000": "a\\u0000b\\ud800"}') == {"t": "ab\ufffd"}
    assert read_json('"x\ud800y"'.encode("utf-8", "surrogatepass")) == "x\ufffdy"
    assert read_json(b'\xef\xbb\xbf{"bom": "ok"}') == {"bom": "ok"}

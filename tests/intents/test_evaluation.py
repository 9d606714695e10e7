"""Evaluation metrics on small hand-made cases."""

from __future__ import annotations

import pytest

from chatbot.intents.evaluation import evaluate


def test_perfect() -> None:
    report = evaluate([("a", "a"), ("b", "b")])
    assert report.accuracy == 1.0
    assert report.macro_f1 == 1.0


def test_precision_recall_and_confusions() -> None:
    report = evaluate([("a", "a"), ("a", "b"), ("b", "b"), ("c", "b")])
    assert report.accuracy == pytest.approx(0.5)
    a, b, c = (report.per_intent[k] for k in "abc")
    assert (a.precision, a.recall, a.support) == (1.0, 0.5, 2)
    assert b.precision == pytest.approx(1 / 3)
    assert b.recall == 1.0
    assert c.f1 == 0.0
    assert report.macro_f1 == pytest.approx((2 / 3 + 0.5 + 0.0) / 3)
    assert ("a", "b", 1) in report.confusions


def test_empty() -> None:
    assert evaluate([]).n == 0

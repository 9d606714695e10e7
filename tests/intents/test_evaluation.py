"""Evaluation metrics on small hand-made cases."""

from __future__ import annotations

import pytest

from chatbot.intents.evaluation import evaluate


def test_perfect() -> None:
    report = evaluate([("a", "a"), ("b", "b")])
    assert report.accuracy == 1.0
    assert report.macro_f1 == 1.0
    assert report.errors == []


def test_precision_recall_confusions_and_errors() -> None:
    report = evaluate([("a", "a"), ("a", "b"), ("b", "b"), ("c", "b")])
    assert report.n == 4
    assert report.accuracy == pytest.approx(0.5)
    a, b, c = (report.per_intent[k] for k in "abc")
    assert (a.precision, a.recall, a.support) == (1.0, 0.5, 2)
    assert b.precision == pytest.approx(1 / 3)
    assert (b.recall, b.support) == (1.0, 1)
    assert (c.f1, c.support) == (0.0, 1)
    assert report.macro_f1 == pytest.approx((2 / 3 + 0.5 + 0.0) / 3)
    assert report.confusions == [("a", "b", 1), ("c", "b", 1)]
    assert report.errors == [1, 3]


def test_macro_f1_counts_predicted_only_labels() -> None:
    report = evaluate([("a", "a"), ("a", "z")])
    assert set(report.per_intent) == {"a", "z"}
    assert report.per_intent["z"].support == 0
    assert report.macro_f1 == pytest.approx((2 / 3 + 0.0) / 2)
    assert report.macro_f1_gold == pytest.approx(2 / 3)  # only the intents the set has


def test_json_form_and_empty() -> None:
    body = evaluate([("a", "b")]).to_json()
    assert set(body) == {"n", "accuracy", "macro_f1", "macro_f1_gold", "per_intent", "confusions"}
    assert body["confusions"] == [{"gold": "a", "predicted": "b", "count": 1}]
    empty = evaluate([])
    assert (empty.n, empty.accuracy, empty.macro_f1) == (0, 0.0, 0.0)

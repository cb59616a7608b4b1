"""Verdicts against each kind of published figure, with intervals just either side of it."""

import pandas as pd
import pytest

from pipeline.analysis.compare import compare_with_benchmark


def _row(kind: str, low: float, high: float, bench: float = 70.0, margin=None) -> pd.Series:
    frame = pd.DataFrame(
        [
            {
                "council": "A",
                "n": 200,
                "count": 150,
                "value": (low + high) / 2,
                "lower": low,
                "upper": high,
                "benchmark_value": bench,
                "benchmark_kind": kind,
                "benchmark_n": float("nan"),
                "benchmark_count": float("nan"),
                "benchmark_margin": margin,
            }
        ]
    )
    return compare_with_benchmark(frame).iloc[0]


@pytest.mark.parametrize(
    ("kind", "low", "high", "expected"),
    [
        ("exact", 70.1, 80, "better"),
        ("exact", 60, 69.9, "worse"),
        ("exact", 65, 75, "similar"),
        ("at_least", 70.1, 80, "not below floor"),
        ("at_least", 65, 75, "not below floor"),
        ("at_least", 60, 69.9, "below floor"),
        ("over", 60, 70, "below floor"),
        ("over", 71, 80, "not below floor"),
        ("under", 70, 80, "above ceiling"),
        ("at_most", 60, 69.9, "not above ceiling"),
        ("at_most", 65, 75, "not above ceiling"),
        ("at_most", 70.1, 80, "above ceiling"),
        ("approx", 80, 90, "not compared"),
    ],
)
def test_verdict_at_each_kind_of_bound(kind, low, high, expected):
    assert _row(kind, low, high)["comparison"] == expected


def test_lower_bound_never_better():
    assert _row("at_least", 90, 99)["comparison"] != "better"


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [(75.1, 85, "better"), (60, 64.9, "worse"), (74, 80, "similar"), (60, 65.5, "similar")],
)
def test_approx_uses_its_margin(low, high, expected):
    assert _row("approx", low, high, margin=5.0)["comparison"] == expected

"""Recall and precision of the redaction rules, per kind of detail, on the built comment set.

A found detail counts as right when it overlaps an expected one of the same kind; recall is the
share of expected details found, precision the share of found details that were expected. The
figures are printed (``pytest -s``) and stated in docs/methods.md.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from pipeline.moderation.redact import KINDS, redact

SET = Path(__file__).parents[1] / "fixtures" / "comments" / "redaction_set.yaml"
MINIMUM_RECALL = {
    "phone": 0.95,
    "email": 0.95,
    "postcode": 0.95,
    "nhs_number": 0.95,
    "client_reference": 0.95,
    "address": 0.9,
    "name": 0.8,
}
MINIMUM_PRECISION = 0.9


def _score() -> dict[str, dict[str, float]]:
    items = yaml.safe_load(SET.read_text(encoding="utf-8"))
    expected_n, found_n, hit_expected, hit_found = Counter(), Counter(), Counter(), Counter()
    for item in items:
        text = item["text"]
        expected = []
        for detail in item["expected"]:
            start = text.index(detail["text"])
            expected.append((detail["kind"], start, start + len(detail["text"])))
        found = [(s.kind, s.start, s.end) for s in redact(text).spans]

        def overlaps(a: tuple, b: tuple) -> bool:
            return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]

        for detail in expected:
            expected_n[detail[0]] += 1
            hit_expected[detail[0]] += any(overlaps(detail, f) for f in found)
        for detail in found:
            found_n[detail[0]] += 1
            hit_found[detail[0]] += any(overlaps(detail, e) for e in expected)
    return {
        kind: {
            "expected": expected_n[kind],
            "found": found_n[kind],
            "recall": hit_expected[kind] / expected_n[kind] if expected_n[kind] else 1.0,
            "precision": hit_found[kind] / found_n[kind] if found_n[kind] else 1.0,
        }
        for kind in KINDS
    }


@pytest.fixture(scope="module")
def scores() -> dict[str, dict[str, float]]:
    figures = _score()
    print("\nkind              expected found recall precision")
    for kind, row in figures.items():
        print(
            f"{kind:<18}{row['expected']:>8}{row['found']:>6}"
            f"{row['recall']:>7.2f}{row['precision']:>10.2f}"
        )
    return figures


def test_the_set_holds_every_kind_and_many_clean_comments() -> None:
    items = yaml.safe_load(SET.read_text(encoding="utf-8"))
    assert len(items) >= 140
    assert sum(not item["expected"] for item in items) >= 50
    kinds = Counter(d["kind"] for item in items for d in item["expected"])
    assert all(kinds[kind] >= 8 for kind in KINDS), kinds


@pytest.mark.parametrize("kind", KINDS)
def test_recall_per_kind(scores, kind: str) -> None:
    assert scores[kind]["recall"] >= MINIMUM_RECALL[kind], scores[kind]


@pytest.mark.parametrize("kind", KINDS)
def test_precision_per_kind(scores, kind: str) -> None:
    assert scores[kind]["precision"] >= MINIMUM_PRECISION, scores[kind]


def test_traps_are_left_alone() -> None:
    for text in (
        "May was better than last year for me.",
        "Will helped a lot when I needed it.",
        "I get my shopping at the B&Q near the road.",
        "In May 2024 my hours were cut by 10 hours a week.",
        "We went to Rose Hill Park in June and it was lovely.",
        "My budget went from £12,000 to £9,500 in one review.",
    ):
        assert redact(text).spans == (), text

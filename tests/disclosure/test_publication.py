"""publish() on small hand-made publications: the cross-table rules the old per-table
protect() missed."""

from __future__ import annotations

import pandas as pd

from pipeline.disclosure import Publication, Relation, Table, publish
from pipeline.disclosure.pages import publish_council_comparison, publish_results


def test_a_band_under_a_headline_total_gets_a_partner_and_loses_its_share() -> None:
    bands = pd.DataFrame({"band": ["a", "b", "c"], "people": [2, 50, 40]})
    bands["share_people"] = bands["people"] / 92 * 100
    headline = pd.DataFrame({"people": [92]})
    publication = Publication(
        {
            "bands": Table(
                bands,
                counts=("people",),
                base=None,
                shares={"share_people": ("people", ("headline", 0, "people"))},
            ),
            "headline": Table(headline, counts=("people",), base=None),
        },  # fmt: skip
        [Relation([("bands", i, "people") for i in bands.index], total=("headline", 0, "people"))],
    )
    shown = publish(publication).frame("bands")
    assert shown["people"].isna().tolist() == [True, False, True]  # the smallest other band
    assert shown["share_people"].isna().tolist() == [True, False, True]
    assert shown["suppression_reason"].tolist() == ["count under 5", "", "secondary suppression"]


def results(council: str, n: int, count: int, others: tuple[int, int]) -> dict:
    return {
        "council": council, "question_code": "q", "measure": "better", "n": n, "count": count,
        "value": count / n * 100, "lower": 0.0, "upper": 100.0, "benchmark_kind": "pooled",
        "benchmark_n": others[0], "benchmark_count": others[1],
        "benchmark_value": others[1] / others[0] * 100, "benchmark_label": "pooled",
        "p_value": 0.5, "p_adjusted": 0.5, "comparison_note": "p=0.5",
    }  # fmt: skip


def test_a_pooled_benchmark_holding_a_hidden_count_is_withheld_but_own_figures_stay() -> None:
    frame = pd.DataFrame(
        [
            results("A", 50, 20, (80, 33)),
            results("B", 40, 30, (90, 23)),
            results("C", 40, 3, (90, 50)),
        ]  # fmt: skip
    )
    shown = publish_results({"outcomes": frame})["outcomes"].set_index("council")
    assert pd.isna(shown.at["C", "count"]) and pd.isna(shown.at["C", "p_value"])
    for council in ("A", "B"):  # their benchmarks hold C's 3
        assert shown.at[council, "count"] == frame.set_index("council").at[council, "count"]
        assert pd.isna(shown.at[council, "benchmark_count"])
        assert pd.isna(shown.at[council, "benchmark_value"])
        assert pd.isna(shown.at[council, "p_value"])
        assert not shown.at[council, "suppressed"]
    assert shown.at["C", "benchmark_count"] == 50  # C's own pool holds no hidden count


def test_the_overall_share_is_withheld_when_a_council_is_hidden_and_rounded_otherwise() -> None:
    frame = pd.DataFrame({"council": ["A", "B", "C"], "n": [50, 60, 40], "count": [20, 30, 3]})
    frame["value"] = frame["count"] / frame["n"] * 100
    frame["overall"] = frame["count"].sum() / frame["n"].sum() * 100
    frame["lower_95"] = 1.0
    shown = publish_council_comparison(frame)
    assert shown["overall"].isna().all() and shown["lower_95"].isna().all()
    visible = publish_council_comparison(frame.iloc[:2].assign(overall=100 / 3))
    assert visible["overall"].tolist() == [33.3, 33.3]


def _planted_page() -> pd.DataFrame:
    """Two questions of one page against a published national figure; question a has a count
    of 3 whose p-value against the national count would give it back."""
    import pandas as pd

    from pipeline.analysis.intervals import two_proportion_p

    rows = []
    for code, count in (("a", 3), ("b", 20)):
        rows.append(
            {
                "wave": 2025, "council": "Dent", "question_code": code, "n": 40, "count": count,
                "value": 100 * count / 40, "lower": 1.0, "upper": 99.0,
                "p_value": two_proportion_p(count, 40, 4000, 10000),
                "p_adjusted": two_proportion_p(count, 40, 4000, 10000),
                "benchmark_kind": "national", "benchmark_value": 40.0,
                "benchmark_count": 4000, "benchmark_n": 10000,
            }
        )  # fmt: skip
    return pd.DataFrame(rows)


def test_page_results_withhold_p_values_that_per_table_protect_leaves_beside_a_hidden_count():
    """Would fail if a page went back to the one-table ``protect``: its p-value beside the
    hidden count lets the auditor recover the count exactly."""
    from pipeline.disclosure import audit as auditor
    from pipeline.disclosure import protect
    from pipeline.disclosure.pages import publish_page_results

    frame = _planted_page()
    old = protect(frame, count_columns=("count",), base_column="n")
    evidence = auditor.Evidence()
    auditor.cli_results_evidence(evidence, old, "old page")
    assert auditor.audit(evidence).recovered, "the planted leak must be found"

    shown = publish_page_results(frame)
    hidden = shown["count"].isna()
    assert hidden.tolist() == [True, False]
    assert (
        shown.loc[hidden, ["p_value", "p_adjusted", "value", "lower", "upper"]].isna().all().all()
    )
    shown["benchmark_count"], shown["benchmark_n"] = 4000, 10000  # the national figure is public
    evidence = auditor.Evidence()
    auditor.cli_results_evidence(evidence, shown, "page")
    result = auditor.audit(evidence)
    assert result.cells and result.passed, "\n".join(auditor.describe(result))

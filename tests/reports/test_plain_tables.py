"""The public table of an analysis frame: plain headings, labels, rounding, blanks, [c]."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.present.plain_tables import (
    INTERVALS_SENTENCE,
    METHODS_ANCHOR,
    NOT_ESTIMATED,
    NOTE_COLUMN,
    benchmark_sentence,
    display_text,
    plain_table,
)

BAD_CELLS = {"None", "nan", "NaN", "<NA>", "NaT"}


def _results() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "domain": ["Independence", "Getting and keeping a paid job"],
            "question_code": ["out_independence", "out_paid_job"],
            "n": pd.array([172, 41], dtype="Int64"),
            "count": pd.array([98, None], dtype="Int64"),
            "value": [54.9645, np.nan],
            "lower": [49.504818, np.nan],
            "upper": [64.14384, np.nan],
            "benchmark_value": [66.7, 70.0],
            "benchmark_kind": ["at_least", "over"],
            "benchmark_source": ["Third National Personal Budget Survey 2014", "Second POET"],
            "benchmark_year": [2014, 2013],
            "benchmark_label": ["x", None],
            "comparison": ["worse", "not compared"],
            "p_adjusted": [np.nan, None],
            "suppressed": [False, True],
        }
    )


def test_headings_are_plain_and_technical_columns_go() -> None:
    table = plain_table(_results(), headings={"value": "Share saying better (%)"})
    assert list(table.columns) == [
        "Question",
        "Answered",
        "Number",
        "Share saying better (%)",
        "Low (%)",
        "High (%)",
        "National figure",
        "Compared with national figure",
        NOTE_COLUMN,
    ]
    assert not any("_" in c for c in table.columns)


def test_numbers_are_rounded_as_the_text_shows_them_and_blanks_are_blank() -> None:
    table = plain_table(_results())
    assert table.loc[0, "Share (%)"] == 55.0  # 54.9645 -> 55.0, half away from zero
    assert table.loc[0, "Low (%)"] == 49.5
    assert table["Share (%)"].isna().tolist() == [False, True]
    assert table["National figure"].tolist() == ["at least 66.7%", "over 70%"]
    # A hidden row says nothing about how it compares.
    assert table["Compared with national figure"].tolist() == ["Worse", ""]
    assert table[NOTE_COLUMN].tolist() == ["", "[c]"]


def test_display_text_never_writes_none_or_nan_and_marks_hidden_cells() -> None:
    shown = display_text(plain_table(_results()))
    cells = set(shown.to_numpy().ravel().tolist())
    assert not cells & BAD_CELLS
    assert shown.loc[0, "Share (%)"] == "55.0"
    assert shown.loc[1, "Share (%)"] == "[c]"
    assert shown.loc[1, "Number"] == "[c]"
    assert shown.loc[1, "Answered"] == "41"
    assert NOTE_COLUMN not in shown


def test_subgroup_codes_become_the_instrument_labels() -> None:
    frame = pd.DataFrame(
        {
            "subgroup_value": ["direct_payment", "council_managed", None],
            "answer_label": ["Got better"] * 3,
            "answer_code": ["better"] * 3,
            "value": [50.0, 40.04, 10.0],
            "suppressed": [False, False, False],
        }
    )
    table = plain_table(frame, instrument="poet-holder", subgroup="management_option")
    groups = table["Group"].tolist()
    assert "direct_payment" not in groups and "council_managed" not in groups
    assert groups[-1] == "Not stated"
    assert "Answer" in table and "answer_code" not in table
    assert NOTE_COLUMN not in table  # nothing hidden, no note column


def test_odds_ratio_intervals_are_ratios_not_percentages() -> None:
    frame = pd.DataFrame(
        {
            "term_label": ["Found planning easy"],
            "odds_ratio": [1.23456],
            "lower": [0.9876],
            "upper": [1.5],
            "p_value": [0.04],
            "n": [165],
        }
    )
    table = plain_table(frame)
    assert list(table.columns) == ["Step", "Odds ratio", "Low", "High", "Answered"]
    assert display_text(table).iloc[0].tolist() == [
        "Found planning easy",
        "1.23",
        "0.99",
        "1.50",
        "165",
    ]


def test_a_model_that_was_not_fitted_is_said_plainly() -> None:
    frame = pd.DataFrame(
        {
            "term_label": ["Found planning easy"],
            "odds_ratio": [np.nan],
            "plain": [
                "Not estimated: not fitted: the model did not converge (often perfect separation)"
            ],
        }
    )
    shown = display_text(plain_table(frame))
    assert shown.iloc[0].tolist() == ["Found planning easy", "", NOT_ESTIMATED]


def test_money_and_years_and_budget_codes() -> None:
    frame = pd.DataFrame(
        {
            "management_option": ["direct_payment"],
            "management_option_label": ["Direct payment"],
            "wave": [2024],
            "people": pd.array([1200], dtype="Int64"),
            "spend": [5732875.54],
            "share_direct_payment_lower": [24.000252],
            "suppression_reason": [""],
        }
    )
    shown = display_text(plain_table(frame))
    assert list(shown.columns) == [
        "How the budget is managed",
        "Wave",
        "People",
        "Agreed spend a year (£)",
        "Share with a direct payment, low (%)",
    ]
    assert shown.iloc[0].tolist() == ["Direct payment", "2024", "1,200", "5,732,876", "24.0"]


def test_benchmark_sentence_names_source_year_and_floor() -> None:
    sentence = benchmark_sentence(_results())
    assert "Third National Personal Budget Survey 2014 (2014;" in sentence
    assert "Second POET (2013;" in sentence
    assert "published floor" in sentence and "not an exact rate" in sentence
    exact = _results().assign(benchmark_kind="exact").iloc[:1]
    assert "an exact figure" in benchmark_sentence(exact)
    assert benchmark_sentence(_results().assign(benchmark_source=None)) is None
    assert f"(#{METHODS_ANCHOR})" in INTERVALS_SENTENCE


def test_results_page_says_where_the_benchmark_comes_from(demo_reports) -> None:
    import html

    page = html.unescape(demo_reports["html"].read_text(encoding="utf-8"))
    sentence = next(line for line in page.splitlines() if "National figures come from" in line)
    assert "(2014;" in sentence or "(2013;" in sentence
    assert "published floor" in sentence and "not an exact rate" in sentence
    assert '<a href="#methods">How we worked this out</a>' in page
    assert "figure type:" not in page and "at_least" not in page


def test_easy_read_names_the_national_survey_and_its_year(demo_reports) -> None:
    import html

    page = html.unescape(demo_reports["easy_read"].read_text(encoding="utf-8"))
    assert "We compared these results with national surveys from 2013 and 2014." in page
    assert "other places" not in page


def test_public_downloads_have_blank_cells_not_none(tmp_path) -> None:
    import io

    from pipeline.present.exports import to_csv_bytes, to_excel_bytes

    table = plain_table(_results())
    text = to_csv_bytes(table).decode("utf-8-sig")
    assert not any(bad in text for bad in ("None", "nan", "<NA>"))
    assert "[c]" in text and "question_code" not in text
    workbook = pd.read_excel(
        io.BytesIO(to_excel_bytes({"Results": table})), sheet_name=None, engine="openpyxl"
    )
    sheet = next(frame for frame in workbook.values() if "Question" in frame.columns)
    assert sheet["Share (%)"].iloc[0] == 55.0

"""Analysis frames as the public reads them: plain headings, labels not codes, rounded numbers.

One function, :func:`plain_table`, turns any analysis result frame (results, distributions,
trends, council comparisons, odds ratios, budget summaries) into the table a member of the public
sees and downloads: technical columns (codes, p values, kinds, flags) are dropped, codes become
their labels from the instrument YAML, percentages are rounded to one decimal place as the
sentences show them, and missing or suppressed cells are blank, never "None" or "nan".
:func:`display_text` then writes every cell as the page shows it, with ``[c]`` in hidden cells.

The sentences every page with a benchmark carries (:func:`benchmark_sentence`,
:data:`INTERVALS_SENTENCE`) live here too, so the dashboards and the reports say the same thing.
"""

from __future__ import annotations

from numbers import Integral

import pandas as pd

from pipeline.instruments import get_instrument
from pipeline.present.findings import SUPPRESSED_TEXT, benchmark_text, round_half_away

SUPPRESSED_FOOTNOTE = (
    f"{SUPPRESSED_TEXT} = hidden because too few people answered: small numbers could identify "
    "someone."
)
NOTE_COLUMN = "Note"
NOT_ESTIMATED = "Not worked out: too few people, or too little difference between them."
METHODS_ANCHOR = "how-we-worked-this-out"
INTERVALS_TEXT = (
    "“Low” and “High” give the range the true share very probably lies in (a 95% interval; it "
    "is wider when fewer people answered), and a verdict says better or worse only when that "
    "whole range lies above or below an exact figure, otherwise similar or no change. Against "
    "a published floor such as “over 80%” the only verdicts are below it or not below it."
)
INTERVALS_SENTENCE = f"{INTERVALS_TEXT} [How we worked this out](#{METHODS_ANCHOR})"
# Compare councils judges a council by the funnel's limits, not by its own interval.
FUNNEL_SENTENCE = (
    "“Low” and “High” give the range a council's true share very probably lies in; its verdict "
    "is better or worse only when its share lies outside the funnel's 95% limits around the "
    "all-councils figure (limits that are wider for councils where fewer people answered), "
    f"otherwise similar. [How we worked this out](#{METHODS_ANCHOR})"
)
METHODS_TEXT = (
    "**Shares.** Each share is the number of people giving an answer divided by the number who "
    "answered that question (don't know and not applicable are left out), to one decimal "
    "place.\n\n"
    "**Intervals.** Low and High are a 95% Wilson score interval: if the survey were repeated "
    "many times, 95 in 100 such ranges would contain the true share.\n\n"
    "**Verdicts.** Against a national figure that is a published floor (“at least 66.7%”) a "
    "result is below the floor only when its whole interval lies below it, and otherwise not "
    "below it: a floor cannot show that a council is better, because the national share could "
    "be anywhere above it (a published ceiling is the mirror). An “about” figure is compared "
    "only when its margin of error is published. Against an exact figure with a known base we use a two-proportion test, "
    "adjusted because many questions are tested at once. Between waves, a change counts only "
    "when the same kind of test says it is unlikely to be chance. Comparing councils, a "
    "council is better or worse when its share lies outside the 95% funnel limits around the "
    "figure for all the councils together.\n\n"
    "**Hidden numbers.** Small counts, and shares of very few people, are hidden and marked "
    f"{SUPPRESSED_TEXT}; so are other cells from which a hidden one could be worked out."
)

# Analysis column -> public heading. A heading ending "(%)" is a percentage (one decimal place),
# "(£)" an amount of money (whole pounds); the page formats cells by these endings.
HEADINGS: dict[str, str] = {
    "domain": "Question",
    "outcome_domain": "Outcome",
    "term_label": "Step",
    "council": "Council",
    "rank": "Rank",
    "wave": "Wave",
    "previous_wave": "Earlier wave",
    "subgroup_value": "Group",
    "answer_label": "Answer",
    "n": "Answered",
    "count": "Number",
    "value": "Share (%)",
    "lower": "Low (%)",
    "upper": "High (%)",
    "previous_value": "Earlier share (%)",
    "difference": "Change (percentage points)",
    "overall": "All councils (%)",
    "benchmark_text": "National figure",
    "comparison": "Compared with national figure",
    "verdict": "Verdict",
    "trend_verdict": "Trend over all waves",
    "odds_ratio": "Odds ratio",
    "plain": "What this means",
    "as_of": "Register date",
    "people": "People",
    "spend": "Agreed spend a year (£)",
    "total_spend": "Agreed spend a year (£)",
    "total_contribution": "People's contributions (£)",
    "total_indicative": "Indicative spend a year (£)",
    "total_agreed": "Agreed spend a year (£)",
    "median_agreed": "Median agreed budget (£)",
    "mean_agreed": "Average agreed budget (£)",
    "median_indicative": "Median indicative budget (£)",
    "median_difference": "Median difference, agreed minus indicative (£)",
    "mean_difference": "Average difference, agreed minus indicative (£)",
    "people_with_amount": "People with an agreed amount",
    "share_people": "Share of people (%)",
    "share_spend": "Share of spend (%)",
    "management_option_label": "How the budget is managed",
    "management_label": "How the budget is managed",
    "support_reason_label": "Main reason for support",
    "band_label": "Budget a year",
    "respondents": "Survey returns",
    "linked_respondents": "Returns matched to the register",
    "median_days_to_first_review": "Median days to first review",
    "people_known_option": "People whose management option is known",
    "people_direct_payment": "People with a direct payment",
    "people_due_review": "People due a review",
    "people_reviewed_12m": "People reviewed within 12 months",
    "people_first_review": "People who have had a first review",
    "share_direct_payment": "Share with a direct payment (%)",
    "share_reviewed_12m": "Share reviewed within 12 months (%)",
    "agreed_above": "Agreed above indicative",
    "agreed_equal": "Agreed equal to indicative",
    "agreed_below": "Agreed below indicative",
    "share_agreed_above": "Share agreed above indicative (%)",
    "share_agreed_equal": "Share agreed equal to indicative (%)",
    "share_agreed_below": "Share agreed below indicative (%)",
}
# An odds ratio's interval is a ratio too, not a percentage.
ODDS_HEADINGS = {"lower": "Low", "upper": "High"}
RATIO_HEADINGS = {"Odds ratio", "Low", "High"}
PERCENT_COLUMNS = {"value", "lower", "upper", "previous_value", "difference", "overall"}
MONEY_COLUMNS = {c for c, h in HEADINGS.items() if h.endswith("(£)")}
# Never in a public table: codes, test statistics, kinds and flags (commissioners keep them).
TECHNICAL_COLUMNS = {
    "instrument",
    "question_code",
    "section",
    "measure",
    "unit",
    "confidence",
    "answer_code",
    "answer_order",
    "is_missing",
    "benchmark_value",
    "benchmark_kind",
    "benchmark_source",
    "benchmark_year",
    "benchmark_n",
    "benchmark_count",
    "benchmark_label",
    "comparison_note",
    "p_value",
    "p_adjusted",
    "trend_p",
    "suppressed",
    "suppression_reason",
    "management_option",
    "support_reason",
    "band",
}
# Verdict words as the analysis writes them -> as a sentence starts them.
WORDS = {"not compared": "Not compared", "not tested": "Not tested", "first wave": "First wave"}


def _heading(column: str) -> str:
    """A plain heading for a column the map does not name: words, and (%) for shares."""
    if column in HEADINGS:
        return HEADINGS[column]
    words = column.replace("_", " ").strip()
    if column.startswith("share_") and column.endswith(("_lower", "_upper")):
        base = _heading(column.rsplit("_", 1)[0]).removesuffix(" (%)")
        return f"{base}, {'low' if column.endswith('_lower') else 'high'} (%)"
    if column.startswith("share_"):
        words = words.removeprefix("share ").replace("12m", "within 12 months")
        return f"Share {words} (%)"
    words = words.replace("12m", "within 12 months")
    return words[:1].upper() + words[1:]


def _is_percent(column: str) -> bool:
    return column in PERCENT_COLUMNS or column.startswith("share_")


def subgroup_labels(instrument: str | None, subgroup: str | None) -> dict[str, str]:
    """Subgroup code -> answer label from the instrument YAML (empty when unknown)."""
    if not instrument or not subgroup:
        return {}
    try:
        questions = get_instrument(instrument).coded_questions
    except KeyError:
        return {}
    for question in questions:
        if subgroup in (question.respondent_field, question.code) and question.scale:
            return {code: question.scale.label_of(code) for code in question.scale.valid_codes}
    return {}


def _word(value: object) -> str:
    if value is None or pd.isna(value):
        return ""
    text = str(value)
    return WORDS.get(text, text[:1].upper() + text[1:])


def plain_table(
    frame: pd.DataFrame,
    *,
    instrument: str | None = None,
    subgroup: str | None = None,
    headings: dict[str, str] | None = None,
) -> pd.DataFrame:
    """``frame`` as a public table: plain headings, labels, rounded numbers, blanks, [c] notes.

    ``subgroup`` names the field whose codes fill ``subgroup_value``; ``headings`` overrides the
    standard heading of a column for this table (e.g. ``{"value": "Share saying better (%)"}``).
    """
    data = frame.copy()
    ratios = "odds_ratio" in data
    names = {**HEADINGS, **(ODDS_HEADINGS if ratios else {}), **(headings or {})}
    suppressed = (
        data["suppressed"].fillna(False).astype(bool)
        if "suppressed" in data
        else pd.Series(False, index=data.index)
    )
    if "benchmark_value" in data and "benchmark_text" not in data:
        position = list(data.columns).index("benchmark_value")
        data.insert(position, "benchmark_text", [benchmark_text(r) for _, r in data.iterrows()])
    if "subgroup_value" in data:
        labels = subgroup_labels(instrument, subgroup)
        data["subgroup_value"] = [
            labels.get(str(v), str(v)) if v is not None and not pd.isna(v) else "Not stated"
            for v in data["subgroup_value"]
        ]
        if subgroup:
            names.setdefault("subgroup_value", "Group")
    table = pd.DataFrame(index=data.index)
    for column in data.columns:
        if column in TECHNICAL_COLUMNS:
            continue
        if column == "council" and data["council"].nunique() == 1 and "rank" not in data:
            continue  # a one-council table says its council in the page title
        values = data[column]
        heading = names.get(column, _heading(column))
        if column in ("comparison", "verdict", "trend_verdict"):
            table[heading] = [
                "" if hidden else _word(v) for v, hidden in zip(values, suppressed, strict=True)
            ]
        elif column == "odds_ratio" or (ratios and column in ODDS_HEADINGS):
            table[heading] = pd.array([round_half_away(v, 2) for v in values], dtype="Float64")
        elif _is_percent(column):
            table[heading] = pd.array([round_half_away(v) for v in values], dtype="Float64")
        elif column in MONEY_COLUMNS:
            table[heading] = pd.array([round_half_away(v, 0) for v in values], dtype="Float64")
        elif column == "plain":  # the model's own failure notes are for analysts
            table[heading] = [
                NOT_ESTIMATED if str(v).startswith("Not estimated") else _word(v) for v in values
            ]
        elif pd.api.types.is_bool_dtype(values):
            table[heading] = ["Yes" if v else "No" for v in values]
        elif pd.api.types.is_numeric_dtype(values):
            table[heading] = values
        else:
            table[heading] = [
                "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
                for v in values
            ]
    if suppressed.any():
        table[NOTE_COLUMN] = [SUPPRESSED_TEXT if hidden else "" for hidden in suppressed]
    table = table.reset_index(drop=True)
    # Which analysis column each heading came from, so a signed-in table can mark cells by the
    # analysis frame's columns (see :func:`analyst_table`).
    table.attrs["headings"] = {c: names.get(c, _heading(c)) for c in data.columns}
    return table


# Test statistics a signed-in analyst keeps on screen, under plain headings, written sensibly.
P_HEADINGS = {"p_value": "p value", "p_adjusted": "Adjusted p value", "trend_p": "Trend p value"}
PUBLIC_MARK = "*"
# Written so that Markdown (st.caption) does not read a leading "*" as a bullet point.
PUBLIC_FOOTNOTE = (
    f"Figures marked {PUBLIC_MARK} are shown to you because you are signed in, and are hidden "
    "in the public view of this page (small numbers could identify someone)."
)


def p_text(value: object) -> str:
    """A p value as an analyst reads it: three decimal places, "<0.001" below that, blank if none."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    number = float(value)
    return "<0.001" if number < 0.001 else f"{number:.3f}"


def analyst_table(
    frame: pd.DataFrame,
    *,
    instrument: str | None = None,
    subgroup: str | None = None,
    headings: dict[str, str] | None = None,
) -> pd.DataFrame:
    """``frame`` as a signed-in commissioner sees it on screen: the public table's headings,
    labels and rounding, plus the p values analysts need, and no suppression of its own.

    Which cells are small is not decided here: :func:`mark_cells` marks the cells the public
    view of the same page hides, so both views follow the one disclosure result.
    """
    data = frame.drop(columns=["suppressed", "suppression_reason"], errors="ignore")
    table = plain_table(data, instrument=instrument, subgroup=subgroup, headings=headings)
    names = dict(table.attrs.get("headings", {}))
    for column, heading in P_HEADINGS.items():
        if column in data:
            table[heading] = [p_text(v) for v in data[column]]
            names[column] = heading
    table.attrs["headings"] = names
    table.attrs["marked"] = set()
    return table


def mark_cells(table: pd.DataFrame, marked: set[tuple[int, str]]) -> pd.DataFrame:
    """Record ``(row position, heading)`` cells to show with :data:`PUBLIC_MARK`."""
    table.attrs["marked"] = set(marked)
    return table


_NO_SEPARATOR = {"Wave", "Earlier wave", "Rank"}


def _cell(value: object, heading: str) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Integral) or (isinstance(value, float) and heading in _NO_SEPARATOR):
        number = int(value)
        return str(number) if heading in _NO_SEPARATOR else f"{number:,}"
    if isinstance(value, float):
        if heading.endswith("(%)") or heading.startswith("Change (percentage"):
            return f"{value:.1f}"
        if heading.endswith("(£)"):
            return f"{value:,.0f}"
        if heading in RATIO_HEADINGS:
            return f"{value:.2f}"
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    text = str(value)
    return "" if text in ("None", "nan", "NaN", "<NA>", "NaT") else text


def display_text(table: pd.DataFrame) -> pd.DataFrame:
    """Every cell of a :func:`plain_table` as the page writes it; hidden numbers read [c], and
    in a signed-in table (:func:`analyst_table`) the cells the public does not see end in "*"."""
    hidden = (
        table[NOTE_COLUMN].eq(SUPPRESSED_TEXT)
        if NOTE_COLUMN in table
        else pd.Series(False, index=table.index)
    )
    marked = table.attrs.get("marked", set())
    shown = pd.DataFrame(index=table.index)
    for heading in table.columns:
        if heading == NOTE_COLUMN:
            continue
        numeric = pd.api.types.is_numeric_dtype(table[heading])
        cells = []
        for row, (value, secret) in enumerate(
            zip(table[heading].astype(object), hidden, strict=True)
        ):
            text = _cell(value, heading)
            if (row, heading) in marked and text:
                text = f"{text}{PUBLIC_MARK}"
            cells.append(SUPPRESSED_TEXT if secret and numeric and text == "" else text)
        shown[heading] = pd.Series(cells, index=table.index, dtype=object)
    return shown


NATURE = {
    "over": "a published floor, not an exact rate",
    "at_least": "a published floor, not an exact rate",
    "approx": "an approximate published figure",
    "text": "published as words, not a figure, so not compared",
    "exact": "an exact figure",
    "loaded": "an exact figure",
    "pooled": "an exact figure worked out from the other councils' returns",
}


def benchmark_nature(kind: object) -> str:
    """What kind of figure a benchmark is, in words ("a published floor, not an exact rate")."""
    return NATURE.get(str(kind), "a published figure")


def easy_read_benchmark(frame: pd.DataFrame) -> str | None:
    """The easy-read line about what results are compared with; None when nothing is."""
    if frame.empty or "benchmark_source" not in frame:
        return None
    rows = frame.dropna(subset=["benchmark_source"])
    if rows.empty:
        return None
    years = sorted({int(y) for y in rows["benchmark_year"].dropna()})
    surveys = rows["benchmark_source"].nunique()
    survey = "a national survey" if surveys == 1 else "national surveys"
    when = f" from {years[-1]}" if len(years) == 1 else f" from {years[0]} and {years[-1]}"
    sentence = f"We compared these results with {survey}{when}."
    kinds = set(rows.get("benchmark_kind", pd.Series(dtype=str)).dropna().astype(str))
    if kinds & {"over", "at_least"}:
        they = "It" if surveys == 1 else "They"
        sentence += f" {they} said “at least” a number, not the exact number."
    return sentence


def benchmark_sentence(frame: pd.DataFrame) -> str | None:
    """One sentence naming each benchmark's source, year and nature; None when there is none."""
    if frame.empty or "benchmark_source" not in frame:
        return None
    rows = frame.dropna(subset=["benchmark_source"])
    if rows.empty:
        return None
    parts = []
    for (source, year), group in rows.groupby(["benchmark_source", "benchmark_year"], sort=True):
        kinds = [str(k) for k in group.get("benchmark_kind", pd.Series(dtype=str)).dropna()]
        kind = max(set(kinds), key=kinds.count) if kinds else "exact"
        example = benchmark_text(group.iloc[0])
        nature = benchmark_nature(kind)
        year_text = f"{int(year)}" if pd.notna(year) else "year not given"
        if example and kind in ("over", "at_least"):
            nature = nature.replace("floor,", f"floor such as “{example}”,")
        parts.append(f"the {source} ({year_text}; {nature})")
    joined = parts[0] if len(parts) == 1 else "; ".join(parts[:-1]) + "; and " + parts[-1]
    return f"National figures come from {joined}."

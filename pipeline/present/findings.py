"""Plain-language findings and the published numbers, made by one function from one number.

A report must never say "83%" in a sentence while its table says 82.6% rounds to 82%. So each
result row is rounded here once (:func:`round_half_away`, the official rule), and both the table
cells and the sentence are formatted from those rounded values in :func:`describe_results`.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from pipeline.instruments import Instrument

TABLE_DIGITS = 1  # percentages in tables and downloads: 1 decimal place (official practice)
SUPPRESSED_TEXT = "[c]"
SUPPRESSED_SENTENCE = "Too few people answered about {subject} to show a result."


def round_half_away(value: object, digits: int = TABLE_DIGITS) -> float | None:
    """Round half away from zero (45.25 -> 45.3, not banker's 45.2); None for blanks."""
    number = _number(value)
    if number is None:
        return None
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(number)).quantize(quantum, rounding=ROUND_HALF_UP))


def _number(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def percent_text(value: object, digits: int = 0) -> str:
    """ "83%" from 83.3; digits as asked; the suppression marker for a blank."""
    rounded = round_half_away(value, digits)
    return SUPPRESSED_TEXT if rounded is None else f"{rounded:.{digits}f}%"


def lower_first(text: str) -> str:
    """Lower-case the first letter for use mid-sentence, leaving acronyms such as "GP" alone."""
    if len(text) > 1 and text[:2].isupper():
        return text
    return text[:1].lower() + text[1:]


BENCHMARK_PLACE = {
    "pooled": "in the other councils",
    "loaded": "in the benchmark",
}


def benchmark_text(row: pd.Series) -> str:
    """The benchmark as published: a bound stays a bound ("over 70%"), never an exact rate."""
    value = _number(row.get("benchmark_value"))
    if value is None:
        return ""
    kind = str(row.get("benchmark_kind") or "exact")
    # A floor is never rounded up: "at least 66.7%" must not become "at least 67%".
    digits = 0 if float(value).is_integer() or kind == "approx" else 1
    figure = percent_text(value, digits)
    prefix = {"over": "over ", "at_least": "at least ", "approx": "about "}.get(kind, "")
    return prefix + figure


def benchmark_place(row: pd.Series) -> str:
    kind = str(row.get("benchmark_kind") or "exact")
    return BENCHMARK_PLACE.get(kind, "nationally")


def measure_phrase(row: pd.Series, instrument: Instrument) -> str:
    """What the share counts, as words after "83% ..."."""
    domain = lower_first(str(row.get("domain") or row.get("question_code")))
    measure = str(row.get("measure") or "")
    if measure == "better" or row.get("section") == "outcomes":
        return f"said {domain} got better"
    if measure == "easy":
        return f"found {domain} easy"
    try:
        question = instrument.question(str(row.get("question_code")))
        label = question.scale.groups.get(measure) if question.scale else None
        answer = question.scale.label_of(label[0]) if label else measure
        return f"answered \u201c{answer.lower()}\u201d to \u201c{question.wording}\u201d"
    except KeyError:
        return f"answered \u201c{measure}\u201d about {domain}"


COMPARISON_WORDS = {
    "better": "better than",
    "similar": "similar to",
    "worse": "worse than",
    "higher": "higher than",
    "lower": "lower than",
}
# A published floor or ceiling says only where the national share lies beyond a line, so the
# sentence says what was compared ("at or above the 2014 national floor of 80%"), never "better".
BOUND_WORDS = {
    "below floor": "below the {year}national floor of {figure}",
    "not below floor": "at or above the {year}national floor of {figure}",
    "above ceiling": "above the {year}national ceiling of {figure}",
    "not above ceiling": "at or below the {year}national ceiling of {figure}",
}


def _bound_sentence(row: pd.Series, comparison: str) -> str:
    value = _number(row.get("benchmark_value"))
    figure = percent_text(value, 0 if value is None or float(value).is_integer() else 1)
    year = _number(row.get("benchmark_year"))
    return BOUND_WORDS[comparison].format(figure=figure, year=f"{int(year)} " if year else "")


def finding_sentence(row: pd.Series, instrument: Instrument) -> str:
    """One plain sentence for a result row, e.g. "83% said dignity got better, similar to 81%
    nationally." Uses only the rounded numbers that the tables show."""
    domain = lower_first(str(row.get("domain") or row.get("question_code")))
    if bool(row.get("suppressed")) or _number(row.get("value")) is None:
        return SUPPRESSED_SENTENCE.format(subject=domain)
    sentence = f"{percent_text(row['value'])} {measure_phrase(row, instrument)}"
    bench = benchmark_text(row)
    comparison = str(row.get("comparison") or "not compared")
    if bench and comparison in BOUND_WORDS:
        sentence += f", {_bound_sentence(row, comparison)}"
    elif bench and comparison in COMPARISON_WORDS:
        sentence += f", {COMPARISON_WORDS[comparison]} {bench} {benchmark_place(row)}"
    elif bench:
        note = str(row.get("comparison_note") or "").strip()
        sentence += f" ({bench} {benchmark_place(row)}; not compared"
        sentence += f": {note})" if note else ")"
    return sentence + "."


def describe_results(frame: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Add the published (rounded) numbers and the sentence to a protected results frame.

    Adds ``percent``, ``lower_percent``, ``upper_percent`` (1 decimal place, blank when
    suppressed), ``benchmark_text`` and ``finding``. Tables, charts and sentences all read these.
    """
    data = frame.copy().reset_index(drop=True)
    hidden = _hidden(data)
    # sentences round the exact share once (62.46 -> 62%), never the 1-decimal table figure
    # again (62.5 -> 63%), so the two can never disagree about which way a number rounds
    data["finding"] = [finding_sentence(row, instrument) for _, row in data.iterrows()]
    data["exact_value"] = [
        None if hide else _number(v) for v, hide in zip(data.get("value"), hidden, strict=True)
    ]
    data["exact_value"] = pd.to_numeric(data["exact_value"], errors="coerce")
    for source, target in (
        ("value", "percent"),
        ("lower", "lower_percent"),
        ("upper", "upper_percent"),
    ):
        data[target] = [
            None if hide else round_half_away(v)
            for v, hide in zip(data.get(source), hidden, strict=True)
        ]
        data[target] = pd.to_numeric(data[target], errors="coerce")
    for column in ("count", "value", "lower", "upper"):
        if column in data:
            data.loc[hidden, column] = None
    data["value"] = data["percent"]
    data["lower"] = data["lower_percent"]
    data["upper"] = data["upper_percent"]
    data["benchmark_text"] = [benchmark_text(row) for _, row in data.iterrows()]
    return data


def _hidden(data: pd.DataFrame) -> list[bool]:
    flags = data["suppressed"].fillna(False).astype(bool) if "suppressed" in data else None
    values = data["value"].map(_number) if "value" in data else pd.Series(None, index=data.index)
    return [
        (bool(flags.iloc[i]) if flags is not None else False) or values.iloc[i] is None
        for i in range(len(data))
    ]


CHANGE_WORDS = {
    "improved": "a real improvement",
    "worse": "a real fall",
    "no change": "no real change",
}


def change_sentence(row: pd.Series) -> str:
    """E.g. "Dignity and respect: 83% in 2024, up from 75% in 2022 (a real improvement)."."""
    domain = str(row.get("domain") or row.get("question_code"))
    value = _number(row.get("value"))
    previous = _number(row.get("previous_value"))
    if bool(row.get("suppressed")) or value is None or previous is None:
        return f"{domain}: too few answers in one of the waves to compare."
    now, before = round_half_away(value, 0), round_half_away(previous, 0)
    if now > before:
        movement = f"up from {before:.0f}%"
    elif now < before:
        movement = f"down from {before:.0f}%"
    else:
        movement = f"the same as the {before:.0f}%"
    verdict = str(row.get("verdict") or "not compared")
    words = CHANGE_WORDS.get(verdict, "not tested")
    return (
        f"{domain}: {now:.0f}% in {int(row['wave'])}, {movement} in {int(row['previous_wave'])} "
        f"({words})."
    )


def describe_changes(frame: pd.DataFrame) -> pd.DataFrame:
    """Add rounded ``percent``/``previous_percent``/``difference_points`` and ``finding``."""
    data = frame.copy().reset_index(drop=True)
    hidden = [
        bool(data["suppressed"].iloc[i]) if "suppressed" in data else False
        for i in range(len(data))
    ]
    data["percent"] = [
        None if h else round_half_away(v) for v, h in zip(data["value"], hidden, strict=True)
    ]
    data["previous_percent"] = [
        None if h else round_half_away(v)
        for v, h in zip(data["previous_value"], hidden, strict=True)
    ]
    data["difference_points"] = [
        None if h else round_half_away(v) for v, h in zip(data["difference"], hidden, strict=True)
    ]
    for column in ("percent", "previous_percent", "difference_points"):
        data[column] = pd.to_numeric(data[column], errors="coerce")
    for column in ("value", "previous_value", "difference"):
        if column in data:
            data.loc[hidden, column] = None
    data["finding"] = [change_sentence(row) for _, row in data.iterrows()]
    return data

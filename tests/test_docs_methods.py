"""Keep docs/methods.md honest: every worked example is recomputed with the project's functions.

Each example in the document is preceded by a marker such as

    <!-- check: wilson count=45 n=72 confidence=0.95 value=62.5 lower=50.95 upper=72.78 -->

Some keys are the example's inputs, the rest are the numbers (or words) the document prints.
This test recomputes the outputs from the inputs by calling the real analysis and disclosure
code, asserts they match to the precision printed, and asserts that the text following the
marker (up to the next marker or heading) shows exactly those figures, so prose and marker
cannot drift apart. A reader who changes a method without updating the example fails here.
"""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportions_ztest

from pipeline.analysis import budget_summary, drivers, results
from pipeline.analysis.compare import compare_two_samples, compare_with_benchmark
from pipeline.analysis.councils import funnel_limits
from pipeline.analysis.intervals import (
    bh_adjust,
    trend_chi_square,
    two_proportion_p,
    wilson_percent,
)
from pipeline.analysis.weighting import critical_value, stratified_estimate
from pipeline.disclosure import protect
from tests.seeding import new_database, seed_budgets, seed_returns

METHODS = Path(__file__).resolve().parents[1] / "docs" / "methods.md"
MARKER = re.compile(r"<!--\s*check:\s*(.*?)\s*-->")
REQUIRED = {"wilson", "two_proportion", "weighting", "disclosure"}
WAVE = 2024


@dataclass(frozen=True)
class Check:
    name: str
    line: int
    params: dict[str, str]
    block: str  # the text after the marker, up to the next marker or heading

    @property
    def label(self) -> str:
        return f"{self.name}@line{self.line}"


def _read_checks() -> list[Check]:
    lines = METHODS.read_text(encoding="utf-8").splitlines()
    checks = []
    for number, line in enumerate(lines):
        found = MARKER.search(line)
        if not found:
            continue
        name, *pairs = shlex.split(found.group(1))
        malformed = [pair for pair in pairs if "=" not in pair]
        if malformed:
            raise ValueError(f"{METHODS.name} line {number + 1}: not key=value: {malformed}")
        params = dict(pair.split("=", 1) for pair in pairs)
        block = []
        for following in lines[number + 1 :]:
            if MARKER.search(following) or following.startswith("#"):
                break
            block.append(following)
        checks.append(Check(name, number + 1, params, "\n".join(block)))
    return checks


CHECKS = _read_checks() if METHODS.exists() else []


# --------------------------------------------------------------------------------------------
# Seeding helpers: the doc's seeded examples are built from the inputs the doc prints.


def _fraction(text: str) -> tuple[int, int]:
    count, base = text.split("/")
    return int(count), int(base)


def _returns(council: str, wave: int, codes: list[str | None], **extra: list) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "respondent_key": [f"{council}-{wave}-{i}" for i in range(len(codes))],
            "council": council,
            "wave": wave,
            "instrument": "poet-holder",
            "out_dignity": codes,
        }
    )
    for column, values in extra.items():
        frame[column] = values
    return frame


def _better_of(count: int, base: int) -> list[str | None]:
    return ["better"] * count + ["same"] * (base - count)


def _numbers(text: str) -> list[float]:
    return [float(token) for token in text.split()]


# --------------------------------------------------------------------------------------------
# One function per kind of example: (inputs it reads, function(params, tmp_path) -> outputs).


def _base(params: dict[str, str], tmp_path: Path) -> dict[str, object]:
    codes: list[str | None] = []
    for code in ("much_better", "better", "same", "worse", "much_worse", "not_applicable"):
        codes += [code] * int(params[code])
    codes += ["dont_know"] * int(params["dont_know"]) + [None] * int(params["blank"])
    con = new_database(tmp_path)
    seed_returns(con, _returns("Council A", WAVE, codes))
    row = results(con, council="Council A", wave=WAVE, benchmark="none")
    row = row.set_index("question_code").loc["out_dignity"]
    con.close()
    return {"n": row["n"], "count": row["count"], "value": row["value"]}


def _pooled(params: dict[str, str], tmp_path: Path) -> dict[str, object]:
    con = new_database(tmp_path)
    count, base = _fraction(params["own"])
    seed_returns(con, _returns("Council A", WAVE, _better_of(count, base)))
    for index, other in enumerate(params["others"].split()):
        seed_returns(
            con, _returns(f"Council {'BCDEFG'[index]}", WAVE, _better_of(*_fraction(other)))
        )
    table = results(con, council="Council A", wave=WAVE, benchmark=params["benchmark"])
    row = table.set_index("question_code").loc["out_dignity"]
    con.close()
    return {
        "benchmark_kind": row["benchmark_kind"],
        "benchmark_value": row["benchmark_value"],
        "benchmark_n": row["benchmark_n"],
        "p_value": row["p_value"],
        "comparison": row["comparison"],
    }


def _wilson(params: dict[str, str], tmp_path: Path) -> dict[str, object]:
    count, n = float(params["count"]), float(params["n"])
    lower, upper = wilson_percent([count], [n], float(params["confidence"]))
    return {"value": 100 * count / n, "lower": lower[0], "upper": upper[0]}


def _compare(params: dict[str, str], tmp_path: Path) -> dict[str, object]:
    frame = pd.DataFrame(
        {
            "council": ["Council A"],
            "n": [int(params["n"])],
            "count": [int(params["count"])],
            "value": [float(params["value"])],
            "lower": [float(params["lower"])],
            "upper": [float(params["upper"])],
            "benchmark_value": [float(params["benchmark"])],
            "benchmark_kind": [params["kind"]],
            "benchmark_n": pd.array([pd.NA], dtype="Int64"),
            "benchmark_count": [math.nan],
        }
    )
    row = compare_with_benchmark(frame, polarity=params["polarity"]).iloc[0]
    return {"comparison": row["comparison"], "note": row["comparison_note"]}


def _two_proportion(params: dict[str, str], tmp_path: Path) -> dict[str, object]:
    counts = [int(params["count"]), int(params["other_count"])]
    bases = [int(params["n"]), int(params["other_n"])]
    z, _ = proportions_ztest(counts, bases)
    return {"z": z, "p_value": two_proportion_p(counts[0], bases[0], counts[1], bases[1])}


def _bh(params: dict[str, str], tmp_path: Path) -> dict[str, object]:
    adjusted = bh_adjust(pd.Series(_numbers(params["p"])))
    return {"adjusted": adjusted.tolist()}


def _wave_change(params: dict[str, str], tmp_path: Path) -> dict[str, object]:
    frame = pd.DataFrame(
        {
            "n": [int(params["n"])],
            "count": [int(params["count"])],
            "previous_n": [int(params["previous_n"])],
            "previous_count": [int(params["previous_count"])],
        }
    )
    frame["value"] = 100 * frame["count"] / frame["n"]
    frame["previous_value"] = 100 * frame["previous_count"] / frame["previous_n"]
    row = compare_two_samples(frame).iloc[0]
    return {"difference": row["difference"], "p_value": row["p_value"], "verdict": row["verdict"]}


def _trend(params: dict[str, str], tmp_path: Path) -> dict[str, object]:
    chi2, p_value = trend_chi_square(
        np.array(_numbers(params["counts"])),
        np.array(_numbers(params["bases"])),
        np.array(_numbers(params["waves"])),
    )
    return {"chi2": chi2, "p_value": p_value}


def _funnel(params: dict[str, str], tmp_path: Path) -> dict[str, object]:
    overall, n = float(params["overall"]), float(params["n"])
    method = params.get("method", "exact")
    lower_95, upper_95 = funnel_limits(overall, n, 0.95, method)
    lower_998, upper_998 = funnel_limits(overall, n, 0.998, method)
    return {
        "lower_95": float(lower_95),
        "upper_95": float(upper_95),
        "lower_998": float(lower_998),
        "upper_998": float(upper_998),
    }


def _strata(params: dict[str, str]) -> list[tuple[float, list[int]]]:
    strata = []
    for index in range(1, 10):
        if f"population{index}" not in params:
            break
        answers = params.get(f"stratum{index}", "")
        strata.append(
            (float(params[f"population{index}"]), [int(a) for a in answers.split(",") if a])
        )
    return strata


def _weighting(params: dict[str, str], tmp_path: Path) -> dict[str, object]:
    strata = _strata(params)
    out: dict[str, object] = {}
    for response in (1, 2, 3):
        cells = pd.DataFrame(
            {
                "population": [population for population, _ in strata],
                "n": [len(answers) for _, answers in strata],
                "r": [sum(a == response for a in answers) for _, answers in strata],
            }
        )
        row = stratified_estimate(cells).iloc[0]
        out[f"value{response}"] = row["value_weighted"]
        out[f"moe{response}"] = row["moe_weighted"]
        out[f"variance{response}"] = (row["moe_weighted"] / critical_value(0.95)) ** 2
        out[f"estimated{response}"] = row["estimated_population"]
        out[f"not_covered{response}"] = row["population_not_covered"]
        out[f"note{response}"] = row["note"]
    return out


def _drivers(params: dict[str, str], tmp_path: Path) -> dict[str, object]:
    groups = [
        ("easy", "better", int(params["easy_better"])),
        ("easy", "same", int(params["easy_not"])),
        ("difficult", "better", int(params["difficult_better"])),
        ("difficult", "same", int(params["difficult_not"])),
    ]
    planning = [answer for answer, _, k in groups for _ in range(k)]
    control = [outcome for _, outcome, k in groups for _ in range(k)]
    frame = pd.DataFrame(
        {
            "respondent_key": [f"E-{i}" for i in range(len(planning))],
            "council": "Council E",
            "wave": 2023,
            "instrument": "poet-holder",
            "management_option": "council_managed",
            "age_band": "65-74",
            "support_reason": "physical",
            "proc_planning": planning,
            "out_control": control,
        }
    )
    con = new_database(tmp_path)
    seed_returns(con, frame)
    table = drivers(con, council="Council E", wave=2023, outcome="out_control")
    row = table.set_index("term").loc["proc_planning"]
    con.close()
    return {
        "odds_ratio": row["odds_ratio"],
        "lower": row["lower"],
        "upper": row["upper"],
        "p_value": row["p_value"],
        "n": row["n"],
        "events": row["events"],
        "plain": row["plain"],
    }


def _markdown_table(block: str) -> pd.DataFrame:
    rows = [line.strip().strip("|").split("|") for line in block.splitlines() if "|" in line]
    header = [cell.strip() for cell in rows[0]]
    body = [[cell.strip() for cell in row] for row in rows[2:]]
    return pd.DataFrame(body, columns=header)


def _register_from(block: str) -> pd.DataFrame:
    table = _markdown_table(block)

    def day(text: str) -> date | None:
        return None if text in ("", "-") else date.fromisoformat(text)

    def money(text: str) -> float | None:
        return None if text in ("", "-") else float(text.replace(",", ""))

    return pd.DataFrame(
        {
            "person_key": table["person"],
            "council": "Council A",
            "start_date": table["start"].map(day),
            "end_date": table["end"].map(day),
            "management_option": table["option"].map(lambda t: None if t == "-" else t),
            "indicative": table["indicative"].map(money),
            "agreed_annual": table["agreed"].map(money),
            "last_review": table["last review"].map(day),
        }
    )


def _budgets(params: dict[str, str], tmp_path: Path, block: str) -> dict[str, object]:
    con = new_database(tmp_path)
    seed_budgets(con, _register_from(block))
    summary = budget_summary(con, council="Council A", as_of=params["as_of"])
    con.close()
    head = summary["headline"].iloc[0]
    overall = summary["indicative_vs_agreed"].set_index("management_option").loc["all"]
    return {
        "people": head["people"],
        "known_option": head["people_known_option"],
        "direct_payment": head["people_direct_payment"],
        "share_direct_payment": head["share_direct_payment"],
        "due_review": head["people_due_review"],
        "reviewed": head["people_reviewed_12m"],
        "share_reviewed": head["share_reviewed_12m"],
        "first_reviews": head["people_first_review"],
        "median_days": head["median_days_to_first_review"],
        "both_amounts": overall["people"],
        "median_difference": overall["median_difference"],
        "mean_difference": overall["mean_difference"],
        "above": overall["agreed_above"],
        "equal": overall["agreed_equal"],
        "below": overall["agreed_below"],
    }


def _disclosure(params: dict[str, str], tmp_path: Path) -> dict[str, object]:
    pairs = [_fraction(cell) for cell in params["rows"].split()]
    frame = pd.DataFrame({"n": [base for _, base in pairs], "count": [k for k, _ in pairs]})
    frame["value"] = 100 * frame["count"] / frame["n"]
    out = protect(frame)
    return {
        f"reason{index + 1}": reason or "shown"
        for index, reason in enumerate(out["suppression_reason"])
    }


def _distribution(params: dict[str, str], tmp_path: Path) -> dict[str, object]:
    groups = dict(pair.split(":") for pair in params["groups"].split())
    frame = pd.DataFrame(
        {
            "question_code": "out_dignity",
            "answer_group": list(groups),
            "count": [int(k) for k in groups.values()],
        }
    )
    frame["n"] = frame["count"].sum()
    frame["value"] = 100 * frame["count"] / frame["n"]
    out = protect(frame, group_columns=("question_code",), complement=False)
    return {
        f"{group}_reason": reason or "shown"
        for group, reason in zip(out["answer_group"], out["suppression_reason"], strict=True)
    }


def _rounding(params: dict[str, str], tmp_path: Path) -> dict[str, object]:
    frame = pd.DataFrame({"n": _numbers(params["values"])})
    out = protect(frame, count_columns=(), value_columns=(), round_to=int(params["round_to"]))
    return {"rounded": [float(v) for v in out["n"]]}


Compute = Callable[..., dict[str, object]]
COMPUTE: dict[str, tuple[tuple[str, ...], Compute]] = {
    "base": (
        (
            "much_better",
            "better",
            "same",
            "worse",
            "much_worse",
            "not_applicable",
            "dont_know",
            "blank",
        ),
        _base,
    ),
    "pooled": (("own", "others", "benchmark"), _pooled),
    "wilson": (("count", "n", "confidence"), _wilson),
    "compare": (
        ("n", "count", "value", "lower", "upper", "benchmark", "kind", "polarity"),
        _compare,
    ),
    "two_proportion": (("count", "n", "other_count", "other_n"), _two_proportion),
    "bh": (("p",), _bh),
    "wave_change": (("count", "n", "previous_count", "previous_n"), _wave_change),
    "trend": (("counts", "bases", "waves"), _trend),
    "funnel": (("overall", "n", "method"), _funnel),
    "weighting": (
        tuple(f"{kind}{i}" for kind in ("population", "stratum") for i in range(1, 10)),
        _weighting,
    ),
    "drivers": (("easy_better", "easy_not", "difficult_better", "difficult_not"), _drivers),
    "budgets": (("as_of",), _budgets),
    "disclosure": (("rows",), _disclosure),
    "distribution": (("groups",), _distribution),
    "rounding": (("values", "round_to"), _rounding),
}


# --------------------------------------------------------------------------------------------
# Comparing a printed figure with a computed one.


def _decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _assert_matches(key: str, printed: str, computed: object) -> None:
    tokens = printed.split()
    if tokens and all(_is_number(t) for t in tokens):
        values = list(computed) if isinstance(computed, list | tuple | np.ndarray) else [computed]
        assert len(values) == len(tokens), f"{key}: printed {printed!r}, computed {values}"
        for token, value in zip(tokens, values, strict=True):
            tolerance = 0.5 * 10 ** -_decimals(token) + 1e-9
            assert abs(float(value) - float(token)) <= tolerance, (
                f"{key}: the document prints {token}, the code gives {float(value)!r}"
            )
    else:
        assert str(computed) == printed, (
            f"{key}: the document prints {printed!r}, code {computed!r}"
        )


def test_methods_document_has_the_required_worked_examples():
    assert METHODS.exists(), "docs/methods.md is missing"
    names = {check.name for check in CHECKS}
    assert names >= REQUIRED, f"methods.md lacks checked examples for {REQUIRED - names}"
    unknown = names - set(COMPUTE)
    assert not unknown, f"markers with no recomputation in this test: {unknown}"


@pytest.mark.parametrize("check", CHECKS, ids=[c.label for c in CHECKS])
def test_worked_example_matches_the_code(check: Check, tmp_path: Path):
    inputs, compute = COMPUTE[check.name]
    outputs = {k: v for k, v in check.params.items() if k not in inputs}
    assert outputs, f"{check.label}: the marker prints no result to check"
    if check.name == "budgets":
        computed = compute(check.params, tmp_path, check.block)
    else:
        computed = compute(check.params, tmp_path)
    for key, printed in outputs.items():
        assert key in computed, f"{check.label}: {key!r} is not a result of {check.name}"
        _assert_matches(f"{check.label} {key}", printed, computed[key])
        for token in printed.split() if _is_number(printed.split()[0]) else [printed]:
            if token == "shown":
                continue
            assert token in check.block, (
                f"{check.label}: {key}={token} is checked but not shown in the text after it"
            )

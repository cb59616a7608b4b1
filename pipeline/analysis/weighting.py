"""Post-stratification: make a council's survey results speak for everyone on a budget.

Respondents rarely mirror the people on budgets (direct-payment holders, say, answer more often
than people with council-managed budgets). The national user survey's stratified estimator
(reference/methods.md, docs/methods.md) weights each cell h of the population by its size N_h:

    weighted share = sum_h N_h p_h / sum_h N_h
    Var = sum_h [p_h (1 - p_h) N_h^2 (1 - n_h/N_h) / (n_h - 1)] * 100^2 / (sum_h N_h)^2
    margin of error = z * sqrt(Var)        (z = 1.96 at 95%)

Cells default to management option x primary support reason, or to the strata of the survey's
sample when one was drawn (``outcomes sample``): then a sampled respondent is placed in the cell
of their sample stratum (the register's values), and only returns from outside the sample use
their own answers. N_h comes from the council's budget
register (people whose budget episode covers part of the wave year, see
``weighting_population.sql``) or from a population table the caller supplies.

Two edge cases are flagged rather than hidden:
- a cell with people on budgets but no respondents cannot be estimated; it is left out of the
  weighted share, which then describes only the covered cells (if those people would have
  answered differently, the weighted share is biased towards the covered cells' experience);
- a cell with one respondent has an undefined variance term (n_h - 1 = 0); it is counted as 0,
  which understates the margin of error a little, and the row says so in ``note``.

Counting happens in DuckDB; the combination over cells (a few dozen rows per question) is the
pandas last mile in :func:`stratified_estimate`.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd

from pipeline.analysis.intervals import share_percent, wilson_percent, z_value
from pipeline.analysis.sql_files import run_sql
from pipeline.config import THRESHOLDS
from pipeline.disclosure import suppression_flags
from pipeline.instruments import get_instrument

DEFAULT_CELLS = ("management_option", "support_reason")
# Columns that exist in both `respondents` and `budgets`, so they can define weighting cells.
CELL_COLUMNS = ("management_option", "support_reason", "age_band", "gender", "ethnicity")
# Subgroup columns a weighted breakdown may use (the survey's own demographics).
BY_COLUMNS = (
    "management_option",
    "support_reason",
    "age_band",
    "gender",
    "ethnicity",
    "budget_band",
    "held_for",
)
NOT_KNOWN = "not_known"
NOT_KNOWN_LABEL = "Not known"
# Codes that mean "not recorded" in a budget register even where the survey scale lacks them.
_REGISTER_MISSING = ("unknown", "dont_know", "not_known")

FLAG_NO_RESPONDENTS = "no respondents"
FLAG_NOT_IN_POPULATION = "no population"
FLAG_ONE_RESPONDENT = "one respondent"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def missing_codes(column: str, instrument: str = "poet-holder") -> tuple[str, ...]:
    """Codes of a respondent column that mean "not known" (the scale's missing codes)."""
    scale = get_instrument(instrument).scales.get(column)
    codes = tuple(scale.missing_codes) if scale is not None else ()
    return tuple(dict.fromkeys((*codes, *_REGISTER_MISSING)))


def cell_expression(column: str, instrument: str = "poet-holder", alias: str | None = None) -> str:
    """SQL for a cell column with blanks and missing codes folded into ``not_known``.

    Respondents and the register must fold the same way, or "don't know" on the survey and a
    blank in the register would become two cells that never meet.
    """
    if column not in BY_COLUMNS:
        raise ValueError(f"{column!r} cannot be a weighting cell or subgroup; use {BY_COLUMNS}")
    codes = ", ".join(_quote(code) for code in missing_codes(column, instrument))
    return (
        f"CASE WHEN {column} IS NULL OR trim({column}) = '' OR {column} IN ({codes}) "
        f"THEN '{NOT_KNOWN}' ELSE {column} END AS {alias or column}"
    )


def default_cells(instrument: str = "poet-holder") -> tuple[str, ...]:
    """The default cells the instrument's survey records (a carer survey records only the cared-for
    person's management option, so carers are weighted by that against the register)."""
    from pipeline.instruments import get_instrument

    recorded = {q.respondent_field for q in get_instrument(instrument).questions}
    return tuple(c for c in DEFAULT_CELLS if c in recorded) or DEFAULT_CELLS


def _check_cells(cells: Sequence[str] | None, instrument: str = "poet-holder") -> tuple[str, ...]:
    cells = default_cells(instrument) if cells is None else tuple(cells)
    if not cells:
        raise ValueError("weighting needs at least one cell column")
    unknown = [c for c in cells if c not in CELL_COLUMNS]
    if unknown:
        raise ValueError(
            f"cannot weight by {unknown}: cells must be columns of both the survey and the "
            f"budget register: {CELL_COLUMNS}"
        )
    return cells


def sample_strata(
    con: duckdb.DuckDBPyConnection, *, council: str, wave: int, instrument: str
) -> tuple[str, ...] | None:
    """The strata columns of the sample drawn for this council, wave and instrument, if any
    (and if they are all cell columns; a sample table from before that rule is ignored)."""
    if not _has_samples(con):
        return None
    rows = con.execute(
        "SELECT strata FROM sample_draws WHERE council = ? AND wave = ? AND instrument = ? "
        "ORDER BY sample_id LIMIT 1",
        [council, int(wave), instrument],
    ).fetchall()
    if not rows:
        return None
    strata = tuple(s.strip() for s in str(rows[0][0]).split(",") if s.strip())
    return strata if strata and all(s in CELL_COLUMNS for s in strata) else None


def _has_samples(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'sample_draws' "
            "AND database_name = current_database()"
        ).fetchall()[0][0]
    )


def weighting_cells(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    wave: int,
    instrument: str = "poet-holder",
    cells: Sequence[str] | None = None,
) -> tuple[str, ...]:
    """The cells weighting uses: ``cells`` if given, else the sample's strata when a sample was
    drawn, else the instrument's default cells."""
    if cells is None:
        strata = sample_strata(con, council=council, wave=wave, instrument=instrument)
        if strata is not None:
            return strata
    return _check_cells(cells, instrument)


def _people_source(
    con: duckdb.DuckDBPyConnection, *, council: str, wave: int, instrument: str
) -> str:
    """``respondents``, or (with a sample) respondents whose cell columns come from their sample
    stratum: the register's values, recorded when they were drawn, beat their own answers."""
    strata = sample_strata(con, council=council, wave=wave, instrument=instrument)
    if strata is None:
        return "respondents"
    parts = ", ".join(
        f"coalesce(s.{column}, r.{column}) AS {column}" for column in strata
    )  # strata are whitelisted cell columns (sample_strata)
    split = ", ".join(
        f"string_split(stratum, ' | ')[{i}] AS {column}" for i, column in enumerate(strata, 1)
    )
    return (
        f"(SELECT r.* REPLACE ({parts}) FROM respondents AS r LEFT JOIN (SELECT person_key, "
        f"{split} FROM samples WHERE council = $council AND wave = $wave AND instrument = "
        "$instrument) AS s ON s.person_key = r.respondent_key)"
    )


def population_cells(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    wave: int,
    instrument: str = "poet-holder",
    cells: Sequence[str] | None = None,
    population: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """N_h per cell: from ``population`` if given, else from the council's budget register."""
    cells = weighting_cells(con, council=council, wave=wave, instrument=instrument, cells=cells)
    if population is not None:
        missing = [c for c in (*cells, "population") if c not in population.columns]
        if missing:
            raise ValueError(
                f"the population table needs the columns {[*cells, 'population']}; "
                f"it lacks {missing}"
            )
        frame = population[[*cells, "population"]].copy()
        for cell in cells:
            known = frame[cell].notna() & ~frame[cell].astype(str).isin(
                missing_codes(cell, instrument)
            )
            frame[cell] = frame[cell].where(known, NOT_KNOWN).astype(str)
        frame["population"] = pd.to_numeric(frame["population"], errors="raise")
        return frame.groupby(list(cells), as_index=False)["population"].sum()
    frame = run_sql(
        con,
        "weighting_population",
        {"council": council, "wave": int(wave)},
        cells=", ".join(cell_expression(c, instrument) for c in cells),
    )
    frame["population"] = frame["population"].astype(float)
    return frame


def _respondent_cells(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    wave: int,
    instrument: str,
    cells: tuple[str, ...],
    by: str | None = None,
) -> pd.DataFrame:
    return run_sql(
        con,
        "weighting_respondents",
        {"council": council, "wave": int(wave), "instrument": instrument},
        source=_people_source(con, council=council, wave=wave, instrument=instrument),
        cells=", ".join(cell_expression(c, instrument) for c in cells),
        by=", " + cell_expression(by, instrument, alias="subgroup_value") if by else "",
    )


def weights(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    wave: int,
    instrument: str = "poet-holder",
    cells: Sequence[str] | None = None,
    population: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Population, returns, response rate and weight (N_h / n_h) per cell, with flags.

    ``flag`` is ``"no respondents"`` where people are on budgets but nobody answered (the cell is
    left out of weighted results), ``"no population"`` where returns come from a cell the
    register does not hold, ``"one respondent"`` where the variance term is undefined, else "".
    """
    cells = weighting_cells(con, council=council, wave=wave, instrument=instrument, cells=cells)
    pop = population_cells(
        con, council=council, wave=wave, instrument=instrument, cells=cells, population=population
    )
    resp = _respondent_cells(con, council=council, wave=wave, instrument=instrument, cells=cells)
    frame = pop.merge(resp, on=list(cells), how="outer")
    frame["population"] = frame["population"].fillna(0.0)
    frame["respondents"] = frame["respondents"].fillna(0).astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["response_rate"] = np.where(
            frame["population"] > 0, 100.0 * frame["respondents"] / frame["population"], np.nan
        )
        frame["weight"] = np.where(
            (frame["respondents"] > 0) & (frame["population"] > 0),
            frame["population"] / frame["respondents"].where(frame["respondents"] > 0, 1),
            np.nan,
        )
    frame["flag"] = np.select(
        [
            (frame["population"] > 0) & (frame["respondents"] == 0),
            (frame["population"] <= 0) & (frame["respondents"] > 0),
            frame["respondents"] == 1,
        ],
        [FLAG_NO_RESPONDENTS, FLAG_NOT_IN_POPULATION, FLAG_ONE_RESPONDENT],
        default="",
    )
    frame.insert(0, "instrument", instrument)
    frame.insert(1, "council", council)
    frame.insert(2, "wave", int(wave))
    return frame.sort_values(list(cells)).reset_index(drop=True)


def response_rates(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    wave: int,
    instrument: str = "poet-holder",
    cells: Sequence[str] | None = None,
    population: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Response rate by cell: the same rows as :func:`weights`."""
    return weights(
        con, council=council, wave=wave, instrument=instrument, cells=cells, population=population
    )


def stratified_estimate(
    cells: pd.DataFrame,
    *,
    group_columns: Sequence[str] = (),
    confidence: float = THRESHOLDS.confidence,
) -> pd.DataFrame:
    """Combine per-cell counts into the weighted share and its margin of error.

    ``cells`` has one row per group x cell with ``population`` (N_h), ``n`` (valid answers) and
    ``r`` (answers in the reported group). Returns one row per group with ``value_weighted``,
    ``moe_weighted``, ``lower_weighted``, ``upper_weighted`` (percent), ``estimated_population``
    (sum N_h p_h over covered cells), ``population_covered``, ``cells_without_respondents``,
    ``population_not_covered``, ``cells_one_respondent``, ``respondents_outside_population``
    and a plain ``note``.
    """
    z = critical_value(confidence)
    frame = cells.copy()
    big_n = frame["population"].astype(float)
    n = frame["n"].astype(float)
    r = frame["r"].astype(float)
    covered = (n > 0) & (big_n > 0)
    p = np.where(covered, r / n.where(n > 0, 1), 0.0)
    term = variance_terms(big_n.to_numpy(), n.to_numpy(), p)
    frame["_covered_population"] = np.where(covered, big_n, 0.0)
    frame["_estimated"] = np.where(covered, big_n * p, 0.0)
    frame["_term"] = term
    frame["_uncovered_cell"] = ((big_n > 0) & (n <= 0)).astype(int)
    frame["_uncovered_population"] = np.where((big_n > 0) & (n <= 0), big_n, 0.0)
    frame["_one_respondent"] = (covered & (n == 1)).astype(int)
    frame["_outside"] = np.where((big_n <= 0) & (n > 0), n, 0.0)
    frame["_over_population"] = (covered & (n > big_n)).astype(int)
    keys = list(group_columns)
    sums = ["_covered_population", "_estimated", "_term", "_uncovered_cell"]
    sums += ["_uncovered_population", "_one_respondent", "_outside", "_over_population"]
    grouped = (
        frame.groupby(keys, as_index=False)[sums].sum() if keys else frame[sums].sum().to_frame().T
    )
    total = grouped["_covered_population"]
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(total > 0, 100.0 * grouped["_estimated"] / total, np.nan)
        variance = np.where(total > 0, grouped["_term"] * 100.0**2 / total**2, np.nan)
    moe = z * np.sqrt(variance)
    out = grouped[keys].copy() if keys else pd.DataFrame(index=grouped.index)
    out["value_weighted"] = value
    out["moe_weighted"] = moe
    out["lower_weighted"] = np.clip(value - moe, 0, 100)
    out["upper_weighted"] = np.clip(value + moe, 0, 100)
    out["estimated_population"] = grouped["_estimated"].to_numpy()
    out["population_covered"] = total.to_numpy()
    out["cells_without_respondents"] = grouped["_uncovered_cell"].astype(int).to_numpy()
    out["population_not_covered"] = grouped["_uncovered_population"].to_numpy()
    out["cells_one_respondent"] = grouped["_one_respondent"].astype(int).to_numpy()
    out["respondents_outside_population"] = grouped["_outside"].astype(int).to_numpy()
    out["note"] = [
        _note(*row)
        for row in zip(
            out["cells_without_respondents"],
            out["population_not_covered"],
            out["cells_one_respondent"],
            out["respondents_outside_population"],
            grouped["_over_population"],
            strict=True,
        )
    ]
    return out.reset_index(drop=True)


def variance_terms(population: np.ndarray, n: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    """Each cell's term of the stratified variance, p (1 - p) N^2 (1 - n/N) / (n - 1).

    Zero where the term is undefined (no population, or n <= 1: see the module notes) or where
    n exceeds N (the finite population correction is clipped at 0). Shared by
    :func:`stratified_estimate` and by sample planning (``pipeline.collect.allocation``), which
    puts expected returns in ``n`` and p = 0.5, so a planned margin and a reached one are the
    same formula.
    """
    big_n = np.asarray(population, dtype=float)
    n = np.asarray(n, dtype=float)
    p = np.broadcast_to(np.asarray(p, dtype=float), big_n.shape)
    defined = (big_n > 0) & (n > 1)
    safe_n = np.where(defined, n, 2.0)
    safe_big_n = np.where(big_n > 0, big_n, 1.0)
    fpc = np.clip(1 - safe_n / safe_big_n, 0, None)
    return np.where(defined, p * (1 - p) * big_n**2 * fpc / (safe_n - 1), 0.0)


def critical_value(confidence: float) -> float:
    """z for a two-sided interval; exactly 1.96 at 95%, as the national survey's method uses.

    The reference worked check (MoE 24.402 for response 3) only reproduces with 1.96, not with
    1.959964, so the published convention wins at 95%.
    """
    if abs(confidence - 0.95) < 1e-12:
        return 1.96
    return z_value(confidence)


def _note(uncovered: int, uncovered_pop: float, single: int, outside: int, over: int) -> str:
    parts = []
    if uncovered:
        parts.append(
            f"{uncovered} cell(s) with {uncovered_pop:,.0f} people on budgets had no answers and "
            "are left out, so the weighted share describes the covered cells only"
        )
    if single:
        parts.append(
            f"{single} cell(s) with one answer: their variance is undefined and counted as 0, "
            "so the margin of error is a little too small"
        )
    if outside:
        parts.append(f"{outside} answer(s) from cells not in the population carry no weight")
    if over:
        parts.append(f"{over} cell(s) have more answers than people on the register (check it)")
    return "; ".join(parts)


def _answer_cells(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    wave: int,
    instrument: str,
    section: str,
    cells: tuple[str, ...],
    by: str | None,
) -> pd.DataFrame:
    return run_sql(
        con,
        "weighting_answers",
        {"council": council, "wave": int(wave), "instrument": instrument, "section": section},
        source=_people_source(con, council=council, wave=wave, instrument=instrument),
        cells=", ".join(cell_expression(c, instrument) for c in cells),
        by=", " + cell_expression(by, instrument, alias="subgroup_value") if by else "",
        cell_names=", ".join(cells),
        by_name=", subgroup_value" if by else "",
    )


def weighted_cells(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    wave: int,
    instrument: str = "poet-holder",
    section: str = "outcomes",
    cells: Sequence[str] | None = None,
    population: pd.DataFrame | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Per question (x subgroup) x cell: population N_h, answers n_h and positives r_h.

    Every population cell appears for every question, with n = 0 where nobody answered, so the
    estimator can count the cells it has to leave out. With ``by`` (a demographic such as
    gender) N_h is the reference's supergroup estimate: the cell's population times the share of
    the cell's respondents who are in that demographic.
    """
    cells = weighting_cells(con, council=council, wave=wave, instrument=instrument, cells=cells)
    pop = population_cells(
        con, council=council, wave=wave, instrument=instrument, cells=cells, population=population
    )
    answers = _answer_cells(
        con,
        council=council,
        wave=wave,
        instrument=instrument,
        section=section,
        cells=cells,
        by=by,
    )
    keys = list(cells)
    domains = answers[["question_code", "domain"]].drop_duplicates("question_code")
    if by:
        people = _respondent_cells(
            con, council=council, wave=wave, instrument=instrument, cells=cells, by=by
        )
        per_cell = people.groupby(keys, as_index=False)["respondents"].sum()
        people = people.merge(per_cell, on=keys, suffixes=("", "_cell"))
        people = people.merge(pop, on=keys, how="outer")
        people["population"] = people["population"].fillna(0.0) * (
            people["respondents"] / people["respondents_cell"]
        ).fillna(1.0)
        # a population cell with no respondents stays in with its whole N_h under every
        # subgroup value, so each breakdown row counts it as a cell left out
        values = answers["subgroup_value"].drop_duplicates()
        empty = people["subgroup_value"].isna()
        filled = people[empty].drop(columns="subgroup_value").merge(values.to_frame(), how="cross")
        pop = pd.concat([people[~empty], filled])[[*keys, "subgroup_value", "population"]]
        keys = [*keys, "subgroup_value"]
    grid = domains.merge(pop, how="cross")
    frame = grid.merge(answers.drop(columns="domain"), on=["question_code", *keys], how="outer")
    frame["domain"] = frame["question_code"].map(
        dict(zip(domains.question_code, domains.domain, strict=True))
    )
    frame["population"] = frame["population"].fillna(0.0)
    frame[["n", "r"]] = frame[["n", "r"]].fillna(0).astype(int)
    return frame


def weighted_results(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str,
    wave: int,
    instrument: str = "poet-holder",
    section: str = "outcomes",
    cells: Sequence[str] | None = None,
    population: pd.DataFrame | None = None,
    by: str | None = None,
    confidence: float = THRESHOLDS.confidence,
) -> pd.DataFrame:
    """Weighted and unweighted shares side by side, one row per question (x subgroup value).

    Columns: ``instrument, council, wave, question_code, domain, section, measure, n, count,
    value_unweighted, lower_unweighted, upper_unweighted`` (Wilson), ``value_weighted,
    moe_weighted, lower_weighted, upper_weighted`` (value +/- MoE clipped to 0-100),
    ``estimated_population, population_covered, cells_without_respondents,
    population_not_covered, cells_one_respondent, respondents_outside_population, note,
    suppressed, suppression_reason``; with ``by`` also ``subgroup, subgroup_value``.
    """
    cells = weighting_cells(con, council=council, wave=wave, instrument=instrument, cells=cells)
    frame = weighted_cells(
        con,
        council=council,
        wave=wave,
        instrument=instrument,
        section=section,
        cells=cells,
        population=population,
        by=by,
    )
    groups = ["question_code", "domain"] + (["subgroup_value"] if by else [])
    estimate = stratified_estimate(frame, group_columns=groups, confidence=confidence)
    counts = frame.groupby(groups, as_index=False)[["n", "r"]].sum()
    counts = counts.rename(columns={"r": "count"})
    out = counts.merge(estimate, on=groups)
    lower, upper = wilson_percent(out["count"], out["n"], confidence)
    out.insert(
        out.columns.get_loc("count") + 1, "value_unweighted", share_percent(out["count"], out["n"])
    )
    out.insert(out.columns.get_loc("value_unweighted") + 1, "lower_unweighted", lower)
    out.insert(out.columns.get_loc("lower_unweighted") + 1, "upper_unweighted", upper)
    spec = get_instrument(instrument)
    order = {q.code: i for i, q in enumerate(spec.questions)}
    out["section"] = section
    out["measure"] = out["question_code"].map(
        lambda code: spec.question(code).scale.positive if code in order else None
    )
    if by:
        out.insert(0, "subgroup", by)
    out.insert(0, "wave", int(wave))
    out.insert(0, "council", council)
    out.insert(0, "instrument", instrument)
    out = suppression_flags(
        out,
        count_columns=("count",),
        base_column="n",
        value_columns=("value_unweighted", "value_weighted"),
        group_columns=("question_code",) if by else (),
    )
    out["_order"] = out["question_code"].map(order)
    sort = ["_order", "subgroup_value"] if by else ["_order"]
    return out.sort_values(sort).drop(columns="_order").reset_index(drop=True)

"""What drives outcomes: which parts of the process go with people saying things got better.

For each outcome, a logistic regression (statsmodels ``Logit``) of "better" (better or much
better, among people who gave a valid answer) on:

- each process item dichotomised at its positive group: found it easy (the eight ``ease5``
  items), knew the budget amount before planning (``yes``), views fully included (``fully``);
- the management option (reference: council-managed where present, else the most common);

adjusted for age band and primary support reason (categorical, reference the most common), and
for the council when several councils are pooled.

A missing process answer ("did not happen", "don't know", blank) is its own "not answered"
indicator rather than a reason to drop the person, so the model keeps everyone who answered the
outcome; the odds ratio of an item compares "easy" with "answered, not easy". Indicators that are
constant or duplicate others (someone who skipped the whole section is "not answered" on every
item) are dropped before fitting. All terms enter one model per outcome, so each odds ratio is
adjusted for the other process items: with items this correlated the individual ratios are
smaller than a one-item-at-a-time comparison (the cross-tabs show that simple picture).

Odds ratios are ratios of odds, not of chances: ``plain`` says "times the odds". Models that
cannot be fitted (too few people, too few "better" or "not better", perfect separation) return
their rows with NaN and a ``note``; nothing here raises on data.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd

from pipeline.analysis.intervals import share_percent, wilson_percent
from pipeline.analysis.sql_files import run_sql
from pipeline.analysis.weighting import NOT_KNOWN, cell_expression
from pipeline.config import THRESHOLDS
from pipeline.disclosure import suppression_flags
from pipeline.instruments import Instrument, get_instrument

ADJUSTERS = ("age_band", "support_reason")
REFERENCE_OPTION = "council_managed"
MIN_EVENTS = 10  # fewest "better" (and "not better") answers a model is fitted on
MIN_EPV = 10  # fewest events per parameter: min(better, not better) / model terms
DROP_LAST = ("council", "support_reason", "age_band")  # adjusters, dropped after process items
NOT_ANSWERED = "not_answered"

OPTION_NOUNS = {
    "direct_payment": "a direct payment",
    "part_direct_payment": "a part direct payment",
    "council_managed": "a council-managed budget",
    "provider_managed": "an individual service fund",
    "commissioned": "council-commissioned support only",
    "mixed": "a mix of ways of managing the budget",
    NOT_KNOWN: "no answer on how the budget is managed",
}
PROCESS_PHRASES = {
    "knew_amount": "knew their budget amount before planning",
    "views_included": "had their views fully included in their support plan",
}
DRIVER_COLUMNS = [
    "instrument",
    "council",
    "wave",
    "outcome",
    "outcome_domain",
    "term",
    "term_kind",
    "term_label",
    "odds_ratio",
    "lower",
    "upper",
    "p_value",
    "n",
    "events",
    "parameters",
    "epv",
    "epv_full",
    "plain",
    "note",
]


def driver_items(instrument: Instrument) -> list[str]:
    """Process items that enter the model: every ease item, knowing the amount, views included."""
    return [
        q.code
        for q in instrument.section("process")
        if q.scale is not None
        and q.scale.positive is not None
        and (q.scale.name == "ease5" or q.code in PROCESS_PHRASES)
    ]


def driver_frame(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str | None = None,
    wave: int | None = None,
    instrument: str = "poet-holder",
    outcomes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per respondent: outcomes as 1/0/NaN, process items as yes/no/not_answered."""
    spec = get_instrument(instrument)
    outcomes = list(outcomes or spec.outcome_codes)
    items = driver_items(spec)
    pivots = [
        f"max(CASE WHEN s.question_code = '{code}' AND NOT s.is_missing "
        f"THEN s.is_positive::INTEGER END) AS {code}"
        for code in outcomes
    ] + [
        f"coalesce(max(CASE WHEN s.question_code = '{code}' THEN CASE WHEN s.is_missing "
        f"THEN '{NOT_ANSWERED}' WHEN s.is_positive THEN 'yes' ELSE 'no' END END), "
        f"'{NOT_ANSWERED}') AS {code}"
        for code in items
    ]
    adjusters = [cell_expression(c, instrument) for c in ("management_option", *ADJUSTERS)]
    return run_sql(
        con,
        "driver_frame",
        {"council": council, "wave": None if wave is None else int(wave), "instrument": instrument},
        adjusters=", ".join(adjusters),
        pivots=", ".join(pivots),
    )


def _reference(values: pd.Series, preferred: str | None = None) -> str:
    counts = values.value_counts()
    if preferred is not None and preferred in counts.index:
        return preferred
    return str(counts.index[0])


def design_matrix(frame: pd.DataFrame, items: Sequence[str]) -> tuple[pd.DataFrame, dict]:
    """The model's predictors (with a constant) and the reference level of each categorical.

    Columns: ``<item>`` (1 = positive answer) and ``<item>:not_answered`` per process item,
    ``management_option:<code>``, ``age_band:<code>``, ``support_reason:<code>`` dummies, and
    ``council:<name>`` dummies when the frame pools several councils.
    """
    columns: dict[str, np.ndarray] = {"const": np.ones(len(frame))}
    for item in items:
        columns[item] = (frame[item] == "yes").to_numpy(dtype=float)
        columns[f"{item}:{NOT_ANSWERED}"] = (frame[item] == NOT_ANSWERED).to_numpy(dtype=float)
    references = {}
    # pooled councils also get a council term, so differences between councils in both process
    # and outcomes are not read as the effect of the process
    pooled = ("council",) if frame["council"].nunique() > 1 else ()
    for column in ("management_option", *ADJUSTERS, *pooled):
        preferred = REFERENCE_OPTION if column == "management_option" else None
        reference = _reference(frame[column], preferred)
        references[column] = reference
        for level in sorted(frame[column].unique()):
            if level != reference:
                columns[f"{column}:{level}"] = (frame[column] == level).to_numpy(dtype=float)
    return pd.DataFrame(columns, index=frame.index), references


def independent_columns(matrix: pd.DataFrame) -> list[str]:
    """Drop constant and linearly dependent columns (keeping earlier ones) so the fit is defined."""
    keep = ["const"] + [c for c in matrix.columns if c != "const" and matrix[c].nunique() > 1]
    values = matrix[keep].to_numpy(dtype=float)
    gram = values.T @ values  # columns x columns: small whatever the number of people
    chosen: list[int] = []
    for j in range(len(keep)):
        if gram[j, j] <= 0:
            continue
        if chosen:
            # squared length of column j left over after projecting it on the chosen columns
            cross = gram[np.ix_(chosen, [j])]
            residual = gram[j, j] - (cross.T @ np.linalg.solve(gram[np.ix_(chosen, chosen)], cross))
            if residual.item() <= 1e-9 * gram[j, j]:
                continue
        chosen.append(j)
    return [keep[j] for j in chosen]


def _group(column: str, items: Sequence[str]) -> str:
    """The term a design column belongs to: a process item (with its not-answered flag) or a
    categorical (all its dummies)."""
    if column in items:
        return column
    return column.split(":", 1)[0]


def _weakness(data: pd.DataFrame, outcome: str, item: str) -> float:
    """Univariate chi-square p-value of the outcome by the item's answer (larger = weaker)."""
    from scipy.stats import chi2_contingency

    table = pd.crosstab(data[item], data[outcome])
    if table.shape[0] < 2 or table.shape[1] < 2:
        return 1.0
    return float(chi2_contingency(table.to_numpy(), correction=False)[1])


def reduce_terms(
    data: pd.DataFrame, outcome: str, keep: list[str], items: Sequence[str], fewest: int
) -> tuple[list[str], list[str]]:
    """Drop whole terms until min(events, non-events) / parameters >= MIN_EPV.

    Order (docs/methods.md, section 14): process items with the weakest univariate association
    first (largest chi-square p-value), then the council, support reason and age band
    adjusters; the management option is never dropped. Returns (kept columns, dropped terms).
    """
    allowed = fewest / MIN_EPV
    present = [c for c in keep if c != "const"]
    order = sorted(
        {_group(c, items) for c in present if _group(c, items) in items},
        key=lambda item: -_weakness(data, outcome, item),
    ) + [g for g in DROP_LAST if any(_group(c, items) == g for c in present)]
    dropped: list[str] = []
    for group in order:
        if len(present) <= allowed:
            break
        present = [c for c in present if _group(c, items) != group]
        dropped.append(group)
    return ["const", *present], dropped


def fit_outcome(
    frame: pd.DataFrame, outcome: str, items: Sequence[str], confidence: float
) -> tuple[pd.DataFrame, int, int, str, dict]:
    """Fit one outcome's model: (odds ratio rows by term, n, events, note, references)."""
    data = frame[frame[outcome].notna()]
    n = len(data)
    events = int(data[outcome].sum()) if n else 0
    empty = pd.DataFrame(columns=["odds_ratio", "lower", "upper", "p_value"], dtype=float)
    empty.attrs.update(parameters=0, epv=np.nan, epv_full=np.nan, left_out=[])
    if n < THRESHOLDS.minimum_base or min(events, n - events) < MIN_EVENTS:
        note = (
            f"not fitted: {n} answers with {events} saying better; a model needs at least "
            f"{THRESHOLDS.minimum_base} answers and {MIN_EVENTS} each of better and not better"
        )
        return empty, n, events, note, {}
    matrix, references = design_matrix(data, items)
    keep = independent_columns(matrix)
    dropped = [c for c in matrix.columns if c not in keep and not c.endswith(NOT_ANSWERED)]
    fewest = min(events, n - events)
    epv_full = fewest / max(len(keep) - 1, 1)
    keep, left_out = reduce_terms(data, outcome, keep, items, fewest)
    parameters = len(keep) - 1
    sizes = {"parameters": parameters, "epv_full": epv_full, "left_out": left_out}
    sizes["epv"] = fewest / parameters if parameters else np.nan
    empty.attrs.update(sizes)
    if parameters == 0 or fewest / parameters < MIN_EPV:
        note = (
            f"not fitted: {fewest} of the rarer answer cannot support even the management "
            f"option terms at {MIN_EPV} per term"
        )
        return empty, n, events, note, references
    # Imported here: statsmodels takes about a second to import, and only a fit needs it
    # (issue 12); the discrete_model module alone, not statsmodels.api's every model.
    from statsmodels.discrete.discrete_model import Logit

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = Logit(data[outcome].astype(float), matrix[keep])
            fitted = model.fit(method="newton", maxiter=100, disp=False)
    except Exception as error:  # singular matrix, perfect separation raised as an error, ...
        kind = (
            "some answers perfectly predict the outcome (separation)"
            if "separation" in str(error).lower()
            else "the terms could not be told apart in this data (a singular model)"
        )
        return empty, n, events, f"not fitted: {kind}, so no ratios can be given", references
    params = fitted.params
    bse = fitted.bse
    interval = fitted.conf_int(alpha=1 - confidence)
    out = pd.DataFrame(
        {
            "odds_ratio": np.exp(params),
            "lower": np.exp(interval[0]),
            "upper": np.exp(interval[1]),
            "p_value": fitted.pvalues,
        }
    )
    out.attrs.update(sizes)
    separated = (params.abs() > 15) | (bse > 1e3) | ~np.isfinite(bse)
    note = ""
    if not fitted.mle_retvals.get("converged", True):
        out[:] = np.nan
        note = "not fitted: the model did not converge (often perfect separation)"
    elif separated.any():
        out.loc[separated] = np.nan
        note = "some terms perfectly predict the outcome (separation); their ratios are not shown"
    if dropped:
        extra = f"not estimable here (no variation or duplicated): {', '.join(dropped)}"
        note = f"{note}; {extra}" if note else extra
    if left_out:
        extra = (
            f"left out to keep at least {MIN_EPV} of the rarer answer per model term "
            f"(weakest first): {', '.join(left_out)}"
        )
        note = f"{note}; {extra}" if note else extra
    return out, n, events, note, references


def _outcome_phrase(spec: Instrument, code: str) -> str:
    wording = spec.question(code).wording
    words = wording[0].lower() + wording[1:]
    for old, new in (("your ", "their "), (" you ", " they "), (" you,", " they,")):
        words = words.replace(old, new)
    if words.startswith("their "):
        return f"{words} got better"
    return f"things got better for {words}"


def _term_phrase(spec: Instrument, term: str) -> tuple[str, str, str]:
    """(kind, label, phrase after "People who/with ...") for a reported model term."""
    if term.startswith("management_option:"):
        code = term.split(":", 1)[1]
        label = (
            spec.scales["management_option"].label_of(code) if code != NOT_KNOWN else "Not known"
        )
        return "management_option", label, f"with {OPTION_NOUNS.get(code, label.lower())}"
    question = spec.question(term)
    if term in PROCESS_PHRASES:
        phrase = PROCESS_PHRASES[term]
        return "process", phrase[0].upper() + phrase[1:], f"who {phrase}"
    domain = question.domain[0].lower() + question.domain[1:]
    return "process", f"Found {domain} easy", f"who found {domain} easy"


def _plain(
    who: str,
    outcome_phrase: str,
    ratio: float,
    lower: float,
    upper: float,
    note: str,
    confidence: float = THRESHOLDS.confidence,
) -> str:
    if not np.isfinite(ratio):
        return f"Not estimated: {note}" if note else "Not estimated."
    sentence = (
        f"People {who} had {ratio:.1f} times the odds of saying {outcome_phrase} "
        f"({confidence * 100:g}% CI {lower:.1f} to {upper:.1f})."
    )
    if lower <= 1 <= upper:
        sentence += " The interval includes 1, so this could be chance."
    return sentence


def drivers(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str | None = None,
    wave: int | None = None,
    instrument: str = "poet-holder",
    outcome: str | Sequence[str] | None = None,
    confidence: float = THRESHOLDS.confidence,
) -> pd.DataFrame:
    """Odds ratios of saying "better" for each process item and management option, per outcome.

    ``council``/``wave`` None pool every council/wave; ``outcome`` None fits every outcome of
    the instrument. Columns: ``instrument, council, wave, outcome, outcome_domain, term,
    term_kind`` (process / management_option), ``term_label, odds_ratio, lower, upper, p_value,
    n`` (people in the model), ``events`` (of them saying better), ``plain, note``, plus
    ``reference`` (the management option compared against).
    """
    spec = get_instrument(instrument)
    if outcome is None:
        outcomes = spec.outcome_codes
    else:
        outcomes = [outcome] if isinstance(outcome, str) else list(outcome)
    unknown = [code for code in outcomes if code not in spec.outcome_codes]
    if unknown:
        raise ValueError(f"{unknown} are not outcomes of {instrument}: {spec.outcome_codes}")
    items = driver_items(spec)
    frame = driver_frame(con, council=council, wave=wave, instrument=instrument, outcomes=outcomes)
    option_levels = sorted(frame["management_option"].unique()) if len(frame) else []
    rows = []
    for code in outcomes:
        fitted, n, events, note, references = fit_outcome(frame, code, items, confidence)
        reference = references.get(
            "management_option",
            _reference(frame["management_option"], REFERENCE_OPTION) if len(frame) else "",
        )
        terms = list(items) + [
            f"management_option:{level}" for level in option_levels if level != reference
        ]
        outcome_phrase = _outcome_phrase(spec, code)
        for term in terms:
            kind, label, who = _term_phrase(spec, term)
            if kind == "management_option":
                ref_label = (
                    spec.scales["management_option"].label_of(reference) if reference else ""
                )
                label = f"{label} (vs {ref_label.lower()})"
                who = f"{who} (rather than {OPTION_NOUNS.get(reference, reference)})"
            values = fitted.loc[term] if term in fitted.index else None
            ratio, low, high, p = (
                (np.nan,) * 4
                if values is None
                else (values.odds_ratio, values.lower, values.upper, values.p_value)
            )
            term_note = note
            if values is None and term in fitted.attrs.get("left_out", []):
                term_note = f"{term}: left out of this model to keep {MIN_EPV} per term" + (
                    f"; {note}" if note else ""
                )
            elif values is None and not note.startswith("not fitted"):
                term_note = f"{term}: no variation in this data, so no ratio" + (
                    f"; {note}" if note else ""
                )
            rows.append(
                {
                    "instrument": instrument,
                    "council": council if council is not None else "All councils",
                    "wave": wave,
                    "outcome": code,
                    "outcome_domain": spec.question(code).domain,
                    "term": term,
                    "term_kind": kind,
                    "term_label": label,
                    "odds_ratio": ratio,
                    "lower": low,
                    "upper": high,
                    "p_value": p,
                    "n": n,
                    "events": events,
                    "parameters": fitted.attrs.get("parameters", 0),
                    "epv": fitted.attrs.get("epv", np.nan),
                    "epv_full": fitted.attrs.get("epv_full", np.nan),
                    "plain": _plain(who, outcome_phrase, ratio, low, high, term_note, confidence),
                    "note": term_note,
                    "reference": reference,
                }
            )
    out = pd.DataFrame(rows, columns=[*DRIVER_COLUMNS, "reference"])
    for column in ("odds_ratio", "lower", "upper", "p_value", "epv", "epv_full"):
        out[column] = out[column].astype(float)
    return out


def driver_crosstabs(
    con: duckdb.DuckDBPyConnection,
    *,
    council: str | None = None,
    wave: int | None = None,
    instrument: str = "poet-holder",
    outcome: str,
    confidence: float = THRESHOLDS.confidence,
) -> pd.DataFrame:
    """The simple tables behind the model: share saying ``outcome`` got better by process answer.

    Columns: ``outcome, process_code, process_domain, process_group, process_group_label,
    is_positive, n`` (people answering the outcome validly in that group), ``count_better,
    value, lower, upper`` (Wilson), ``suppressed, suppression_reason``.
    """
    spec = get_instrument(instrument)
    if outcome not in spec.outcome_codes:
        raise ValueError(f"{outcome!r} is not an outcome of {instrument}: {spec.outcome_codes}")
    table = run_sql(
        con,
        "driver_crosstabs",
        {
            "council": council,
            "wave": None if wave is None else int(wave),
            "instrument": instrument,
            "outcome": outcome,
        },
    )
    question_order = {q.code: i for i, q in enumerate(spec.questions)}
    table["item_order"] = table["process_code"].map(question_order)
    table = table.sort_values(["item_order", "group_order"]).reset_index(drop=True)
    labels = {NOT_ANSWERED: "Not answered"}
    for question in spec.section("process"):
        if question.scale is not None:
            for group in question.scale.groups:
                labels.setdefault(group, group.replace("_", " ").capitalize())
    table["process_group_label"] = [
        labels.get(group, label)
        for group, label in zip(table["process_group"], table["group_label"], strict=True)
    ]
    table["n"] = table["n"].astype(int)
    table["count_better"] = table["count_better"].astype(int)
    table["value"] = share_percent(table["count_better"], table["n"])
    table["lower"], table["upper"] = wilson_percent(table["count_better"], table["n"], confidence)
    table.insert(0, "outcome", outcome)
    table.insert(0, "wave", wave)
    table.insert(0, "council", council if council is not None else "All councils")
    table.insert(0, "instrument", instrument)
    table = table.drop(columns=["group_label", "group_order", "item_order"])
    return suppression_flags(
        table,
        count_columns=("count_better",),
        base_column="n",
        value_columns=("value", "lower", "upper"),
        group_columns=("process_code",),
    )

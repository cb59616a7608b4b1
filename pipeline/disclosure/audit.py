"""Try to break disclosure control: recover hidden counts from everything that is published.

The auditor works only from published outputs: the report files (open-data CSV and Excel
workbook of every council), the command line's JSON (``outcomes compare``, ``budgets``,
``trends``) and the public dashboard's tables (what its CSV and Excel downloads hold). It reads
them into one :class:`~pipeline.disclosure.publication.Publication` in which

- every published count is fixed and every blank count is an unknown whole number >= 0;
- the same figure published in two places (a council's count in its CSV, its workbook, the
  command line and the dashboard) is one unknown, so a cell hidden in one and shown in another
  is found;
- a share published to d decimals brackets count / base (``value x base``);
- a pooled benchmark ("3 other councils pooled: 57.5% of 602") is the sum of the other
  councils' counts and bases, and an overall rate the share of a column's totals;
- answers add up to their base, bands and options to the headline, rows to an "All" row;

then asks :class:`~pipeline.disclosure.linear.LinearSystem` for the lowest and highest value of
every hidden count. A p-value published beside a hidden count is tried against every count in
that range. A hidden cell is *recovered* when its range is narrower than the threshold.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.config import THRESHOLDS
from pipeline.disclosure.publication import Cell, Publication, Relation, Table, system
from pipeline.disclosure.published_files import (
    POOLED_LABEL,
    RESULT_KEY,
    decimals_tolerance,
    numeric_columns,
    read_open_data,
    read_workbook,
)


@dataclass
class HiddenCell:
    cell: Cell
    label: str
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass
class AuditResult:
    """Every hidden cell with its feasible range; ``recovered`` are those narrower than the
    threshold."""

    cells: list[HiddenCell] = field(default_factory=list)
    threshold: int = THRESHOLDS.suppress_count_below
    sources: list[str] = field(default_factory=list)

    @property
    def recovered(self) -> list[HiddenCell]:
        return [c for c in self.cells if c.width < self.threshold]

    @property
    def narrowest(self) -> HiddenCell | None:
        return min(self.cells, key=lambda c: c.width) if self.cells else None

    @property
    def passed(self) -> bool:
        return not self.recovered

    def summary(self) -> str:
        narrowest = self.narrowest
        if narrowest is None:
            return f"0 hidden cells in {len(self.sources)} outputs; nothing to recover"
        width = "unbounded" if math.isinf(narrowest.width) else f"{narrowest.width:g}"
        return (
            f"{len(self.cells)} hidden cells in {len(self.sources)} outputs; narrowest feasible "
            f"range {width} ({narrowest.label}: {narrowest.low:g} to {narrowest.high:g}); "
            f"{len(self.recovered)} recovered (threshold {self.threshold})"
        )


# --- building the reader's system -----------------------------------------------------------


@dataclass
class Evidence:
    """Published tables gathered from many outputs, and how to tie them together."""

    tables: dict[str, Table] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    keys: dict[str, list[str]] = field(default_factory=dict)  # table -> columns naming a figure
    sources: list[str] = field(default_factory=list)
    p_values: list[tuple[str, Hashable]] = field(default_factory=list)  # (table, row) with p
    shown_as: dict[tuple[str, str], str] = field(default_factory=dict)  # count -> its share

    def add(self, name: str, table: Table, keys: list[str], source: str) -> None:
        self.tables[name] = table
        self.keys[name] = keys
        self.sources.append(source)

    def same_figures(self) -> list[Relation]:
        """The same count published in several tables is one unknown: equalities between them."""
        seen: dict[tuple, Cell] = {}
        relations = []
        for name, table in self.tables.items():
            keys = self.keys[name]
            if not keys:
                continue
            for row, values in zip(
                table.frame.index, table.frame[keys].itertuples(index=False), strict=True
            ):
                for column in table.primary or table.counts:
                    key = (tuple(values), column)
                    cell = (name, row, column)
                    if key in seen:
                        relations.append(Relation([cell], total=seen[key]))
                    else:
                        seen[key] = cell
        return relations

    def publication(self) -> Publication:
        return Publication(dict(self.tables), [*self.relations, *self.same_figures()])


def results_evidence(name: str, frame: pd.DataFrame) -> tuple[Table, list[Relation]]:
    """A results table (one row per wave, council and question) and its pooled benchmarks."""
    frame = frame.reset_index(drop=True)
    for column in ("benchmark_value", "benchmark_n", "benchmark_count", "pool_size"):
        if column not in frame:
            frame[column] = np.nan
    table = Table(
        frame,
        counts=("count", "n", "benchmark_count", "benchmark_n"),
        base="n",
        shares={"value": ("count", "n"), "benchmark_value": ("benchmark_count", "benchmark_n")},
        primary=("count", "n"),
    )
    relations = []
    for _, part in frame.groupby(["wave", "question_code"]):
        for row in part.index:
            size = frame.at[row, "pool_size"]
            others = [r for r in part.index if r != row]
            answering = sum(1 for r in others if frame.at[r, "n"] != 0)  # a blank base counts
            if math.isnan(size) or int(size) != answering:
                continue  # the pool holds councils this audit has not seen
            for column, total in (("n", "benchmark_n"), ("count", "benchmark_count")):
                relations.append(
                    Relation([(name, r, column) for r in others], total=(name, row, total))
                )
    return table, relations


def answers_evidence(name: str, frame: pd.DataFrame) -> tuple[Table, list[Relation]]:
    table = Table(
        frame.reset_index(drop=True),
        counts=("count", "n"),
        base="n",
        shares={"value": ("count", "n")},
        complement=False,
    )
    relations = []
    for _, part in table.frame.groupby(RESULT_KEY):
        relations.append(
            Relation([(name, r, "count") for r in part.index], total=(name, part.index[0], "n"))
        )
    return table, relations


def report_evidence(
    evidence: Evidence, folder: Path, instrument: str = "poet-holder"
) -> pd.DataFrame:
    """Every report file under ``folder`` (open-data CSV and workbook of each council); returns
    the open data's results (the totals other publications add up to)."""
    frames = []
    for path in sorted(Path(folder).rglob("*-open-data.csv")):
        frames.append(read_open_data(path))
        evidence.sources.append(str(path))
    if not frames:
        return pd.DataFrame(columns=[*RESULT_KEY, "n", "count", "value"])
    results = pd.concat(frames, ignore_index=True)
    table, relations = results_evidence("report csv", results)
    evidence.add("report csv", table, RESULT_KEY, "open data")
    evidence.relations += relations
    workbooks, answers, you_said = [], [], []
    for path in sorted(Path(folder).rglob("*-tables.xlsx")):
        stem = path.name.removesuffix("-tables.xlsx")
        match = results[[_matches(stem, c, w) for c, w in zip(results["council"], results["wave"],
                                                               strict=True)]]  # fmt: skip
        if match.empty:
            continue
        council, wave = match["council"].iloc[0], int(match["wave"].iloc[0])
        sheets = read_workbook(path, council, wave, instrument)
        workbooks.append(sheets["results"])
        answers.append(sheets["answers"])
        you_said.append(sheets["you_said"])
        evidence.sources.append(str(path))
    if workbooks:
        frame = pd.concat(workbooks, ignore_index=True)
        evidence.add(
            "report xlsx",
            Table(frame, counts=("count", "n"), base="n", shares={"value": ("count", "n")}),
            RESULT_KEY,
            "workbooks",
        )
    if answers:
        frame = pd.concat(answers, ignore_index=True)
        table, relations = answers_evidence("report answers", frame)
        evidence.add("report answers", table, [], "workbook answers")
        evidence.shown_as[("report answers", "count")] = "value"
        evidence.relations += relations + _measure_relations(results, table.frame, instrument)
    you_said_evidence(evidence, [f for f in you_said if len(f)], "report you said")
    people_like_me_evidence(evidence, folder, results)
    return results


def you_said_evidence(evidence: Evidence, frames: list[pd.DataFrame], source: str) -> None:
    """The "You said, we did" shares (now and at the action's wave), tied by council, wave and
    question to the same results elsewhere: a share shown here for a count hidden there would
    pin it."""
    if not frames:
        return
    frame = pd.concat(frames, ignore_index=True).drop_duplicates(subset=RESULT_KEY)
    frame = frame[[*RESULT_KEY, "n", "count", "value"]].reset_index(drop=True)
    table = Table(frame, counts=("count", "n"), base="n", shares={"value": ("count", "n")},
                  share_tolerance=0.05)  # fmt: skip
    evidence.add(source, table, RESULT_KEY, source)


PLM_KEY = ["wave", "council", "area", "situation", "situation_value", "question_code"]


def people_like_me_evidence(evidence: Evidence, folder: Path, results: pd.DataFrame) -> None:
    """Every council's "people like me" CSV (the figures its static page shows)."""
    frames = []
    for path in sorted(Path(folder).rglob("*-people-like-me.csv")):
        frames.append(read_people_like_me(path))
        evidence.sources.append(str(path))
    if frames:
        people_like_me_frame_evidence(evidence, pd.concat(frames, ignore_index=True), results)


def people_like_me_frame_evidence(
    evidence: Evidence, every: pd.DataFrame, results: pd.DataFrame, label: str = "people like me"
) -> None:
    """People-like-me rows (``read_people_like_me``'s columns) read with the publication's own
    relations (:func:`pipeline.disclosure.people_like_me.describe`): each situation's groups
    add up to the council's result in the open data, and a comparator pool is the sum of the
    other councils' groups."""
    from pipeline.disclosure.people_like_me import describe

    for wave, rows in every.groupby("wave"):
        own = rows["area"].eq("council")
        totals = results[results["wave"] == wave][[*RESULT_KEY, "n", "count"]]
        described = describe(rows[own], rows[~own], totals)
        prefix = f"{label} {int(wave)} "
        for name, table in described.tables.items():
            keys = RESULT_KEY if name == "totals" else PLM_KEY
            evidence.add(prefix + name, table, keys, f"{label} {name}")
        for relation in described.relations:
            evidence.relations.append(
                Relation(
                    [(prefix + c[0], c[1], c[2]) for c in relation.parts],
                    total=(prefix + relation.total[0], relation.total[1], relation.total[2]),
                )
            )


def read_people_like_me(path: Path) -> pd.DataFrame:
    """A council's people-like-me CSV as ``wave, council, area, comparator_councils, situation,
    situation_value, question_code, n, count, value`` (blank = hidden)."""
    data = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    return people_like_me_rows(data)


def people_like_me_rows(data: pd.DataFrame) -> pd.DataFrame:
    """People-like-me open data (``pipeline.reports.people_like_me.open_data``'s headings) as
    ``read_people_like_me`` returns it."""
    from pipeline.reports.people_like_me import OPEN_DATA_COLUMNS

    frame = data.rename(columns={v: k for k, v in OPEN_DATA_COLUMNS.items()})
    frame = frame.rename(columns={"percent": "value"})
    frame["wave"] = frame["wave"].astype(int)
    for column in ("n", "count", "value"):
        frame[column] = pd.to_numeric(frame[column].replace("", np.nan), errors="coerce")
    keep = [*PLM_KEY, "comparator_councils", "n", "count", "value"]
    return frame[keep].reset_index(drop=True)


def _measure_relations(results: pd.DataFrame, answers: pd.DataFrame, instrument: str):
    """A process result ("easy") is the sum of its answers ("easy" + "very easy") in the same
    file: the two tables of one workbook are tied together."""
    from pipeline.instruments import get_instrument

    definition = get_instrument(instrument)
    relations = []
    if answers.empty:
        return relations
    grouped = answers.groupby(RESULT_KEY).groups
    for row in results.index:
        key = tuple(results.loc[row, RESULT_KEY])
        key = (int(key[0]), key[1], key[2])
        if key not in grouped:
            continue
        question = definition.question(key[2])
        codes = (
            set(question.scale.groups.get(results.at[row, "measure"], ()))
            if question.scale
            else set()
        )
        parts = [("report answers", r, "count") for r in grouped[key]
                 if answers.at[r, "answer_code"] in codes]  # fmt: skip
        if parts:
            relations.append(Relation(parts, total=("report csv", row, "count")))
    return relations


def _matches(stem: str, council: str, wave: int) -> bool:
    from pipeline.reports.builder import slug

    return stem.startswith(f"{slug(council)}-{wave}-")


def cli_results_evidence(evidence: Evidence, records: pd.DataFrame, name: str = "cli compare"):
    """``outcomes compare --format json`` of every council (numbers as printed)."""
    frame = records.copy()
    frame["pool_size"] = [
        float(m.group(1)) if (m := POOLED_LABEL.search(str(label or ""))) else np.nan
        for label in frame.get("benchmark_label", pd.Series(None, index=frame.index))
    ]
    keep = [*RESULT_KEY, "n", "count", "value", "benchmark_value", "benchmark_n"]
    keep += ["benchmark_count", "pool_size", "p_value", "p_adjusted"]
    frame = numeric_columns(frame[[c for c in keep if c in frame]].copy())
    table, relations = results_evidence(name, frame)
    evidence.add(name, table, RESULT_KEY, name)
    evidence.relations += relations
    evidence.p_values += [(name, row) for row in table.frame.index]


def budget_evidence(evidence: Evidence, council: str, summary: dict, source: str) -> None:
    """The budgets tables of one council as published (dashboard page or ``outcomes budgets``),
    read with the page's own description of what adds up to what."""
    from pipeline.disclosure.pages import describe_budget_summary

    frames = {k: _numeric_counts(v) for k, v in summary.items() if isinstance(v, pd.DataFrame)}
    described = describe_budget_summary(frames)
    prefix = f"{source}:{council}:"

    def moved(cell: Cell | None) -> Cell | None:
        return None if cell is None else (prefix + cell[0], cell[1], cell[2])

    for name, table in described.tables.items():
        frame = table.frame.copy()
        frame["council"] = council
        frame["table"] = name
        frame["label"] = _row_labels(frame)
        shares = {
            column: (count, moved(base) if isinstance(base, tuple) else base)
            for column, (count, base) in table.shares.items()
        }
        evidence.add(
            prefix + name,
            replace(table, frame=frame, shares=shares),
            ["council", "table", "label"],
            f"{source} budgets {council}",
        )
    for relation in described.relations:
        evidence.relations.append(
            Relation([moved(c) for c in relation.parts], total=moved(relation.total))
        )


IDENTITY_COLUMNS = ("question_code", "band", "management_option", "support_reason", "as_of")


def _row_labels(frame: pd.DataFrame) -> pd.Series:
    """What names a row to a reader (question, band, option...), unique within the table."""
    columns = [c for c in IDENTITY_COLUMNS if c in frame.columns]
    if not columns:
        return pd.Series([f"row {i}" for i in range(len(frame))], index=frame.index)
    labels = frame[columns].astype(str).agg(" ".join, axis=1)
    if labels.duplicated().any():
        labels = labels + [f" #{i}" for i in range(len(frame))]
    return labels


def _numeric_counts(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if column.startswith(("people", "agreed_", "share_")) or column in ("n", "count"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def comparison_evidence(evidence: Evidence, frame: pd.DataFrame, source: str) -> None:
    """Councils compared on one question (the dashboard's funnel table)."""
    if frame.empty:
        return
    frame = frame.copy()
    key = f"{source}:{frame['wave'].iloc[0]}:{frame['question_code'].iloc[0]}"
    frame = numeric_columns(frame[[c for c in (*RESULT_KEY, "n", "count", "value", "overall")
                            if c in frame]])  # fmt: skip
    table = Table(
        frame,
        counts=("count", "n"),
        base="n",
        shares={"value": ("count", "n")},
        total_shares={"overall": ("count", "n")} if "overall" in frame else {},
    )
    evidence.add(key, table, RESULT_KEY, source)


def trends_evidence(evidence: Evidence, frame: pd.DataFrame, source: str) -> None:
    if frame.empty:
        return
    council = str(frame["council"].iloc[0])
    keep = [c for c in (*RESULT_KEY, "n", "count", "value") if c in frame]
    table = Table(numeric_columns(frame[keep].copy()), counts=("count", "n"), base="n",
                  shares={"value": ("count", "n")})  # fmt: skip
    evidence.add(f"{source}:{council}", table, RESULT_KEY, source)


# --- solving --------------------------------------------------------------------------------


def audit(evidence: Evidence, threshold: int = THRESHOLDS.suppress_count_below) -> AuditResult:
    """Bounds on every hidden count of the evidence; see the module docstring."""
    publication = evidence.publication()
    hidden = []
    for name, table in publication.tables.items():
        for column in table.primary or table.counts:
            shown_as = evidence.shown_as.get((name, column))
            for row in table.frame.index:
                if shown_as is not None:  # printed only as a share: hidden when that is blank
                    blank = math.isnan(publication.value((name, row, shown_as)))
                else:
                    blank = math.isnan(publication.value((name, row, column)))
                if blank:
                    hidden.append((name, row, column))
    # one unknown per figure: audit the first place each hidden figure appears
    equal = {r.parts[0]: r.total for r in evidence.same_figures()}
    unique = [cell for cell in hidden if cell not in equal]
    equations = system(publication, with_shares=True, tolerance=decimals_tolerance)
    ranges = equations.ranges(unique) if unique else {}
    cells = []
    for cell in unique:
        low, high = ranges[cell]
        low, high = _narrow_by_p_value(publication, evidence, cell, low, high)
        cells.append(HiddenCell(cell, _label(publication, cell), low, high))
    return AuditResult(cells, threshold, evidence.sources)


def _label(publication: Publication, cell: Cell) -> str:
    name, row, column = cell
    frame = publication.frame(name)
    parts = [str(frame.at[row, c]) for c in ("wave", "council", "question_code", "label",
                                             "answer_code") if c in frame]  # fmt: skip
    return f"{name} {' '.join(parts)} {column}"


def _narrow_by_p_value(publication, evidence, cell, low, high) -> tuple[float, float]:
    """A two-proportion p-value beside a hidden count: keep the counts that reproduce it."""
    name, row, column = cell
    if column != "count" or (name, row) not in evidence.p_values:
        return low, high
    frame = publication.frame(name)
    p = _float(frame.at[row, "p_value"]) if "p_value" in frame else math.nan
    n = _float(frame.at[row, "n"])
    bench_count = _float(frame.at[row, "benchmark_count"])
    bench_n = _float(frame.at[row, "benchmark_n"])
    if any(math.isnan(v) for v in (p, n, bench_count, bench_n)):
        return low, high
    from pipeline.analysis.intervals import two_proportion_p

    top = int(min(high, n)) if math.isfinite(high) else int(n)
    fits = [
        c
        for c in range(int(low), top + 1)
        if abs(two_proportion_p(c, n, bench_count, bench_n) - p) <= 1e-6 * max(p, 1e-12) + 1e-12
    ]
    if not fits:
        return low, high
    return float(min(fits)), float(max(fits))


def _float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def audit_folder(folder: Path, instrument: str = "poet-holder") -> AuditResult:
    """Audit the report files under ``folder`` alone."""
    evidence = Evidence()
    report_evidence(evidence, folder, instrument)
    return audit(evidence)


def describe(result: AuditResult, limit: int = 20) -> Iterable[str]:
    """Lines for the command line: the summary, then the recovered (or narrowest) cells."""
    yield result.summary()
    shown = result.recovered or sorted(result.cells, key=lambda c: c.width)[:5]
    for hidden in shown[:limit]:
        status = "RECOVERED" if hidden.width < result.threshold else "safe"
        yield f"  {status}: {hidden.label} between {hidden.low:g} and {hidden.high:g}"

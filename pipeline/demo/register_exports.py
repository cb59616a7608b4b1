"""Write a canonical budget register as a council's case management system exports it.

Three systems, three shapes: the national return's headers with UK dates and "£12,345.50"
amounts; an Excel sheet with real date cells; another system's own headers with ISO dates and
plain numbers. Each register gets 2-4 impossible values (an amount of "TBC", a 31st of
February), recorded so the tests can check the quarantine caught them. Survey exports are in
:mod:`pipeline.demo.exports`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.demo.exports import PlantedValue, WrittenFile, write_xlsx
from pipeline.demo.register import CouncilProfile

REGISTER_HEADERS = {  # field -> (the national return's header, another system's header)
    "person_id": ("Person ID", "Client ID"),
    "council_code": ("Council Code", "LA Code"),
    "start_date": ("Start Date", "Budget Start Date"),
    "end_date": ("End Date", "Budget End Date"),
    "indicative": ("Indicative Budget", "RAS Amount"),
    "agreed_annual": ("Agreed Annual Budget", "Personal Budget"),
    "client_contribution": ("Client Contribution", "Assessed Contribution"),
    "management_option": ("Management Option", "Delivery Mechanism"),
    "support_reason": ("Primary Support Reason", "PSR"),
    "support_setting": ("Support Setting", "Setting"),
    "age_band": ("Age Band", "Age Group"),
    "gender": ("Gender", "Sex"),
    "ethnicity": ("Ethnicity", "Ethnic Group"),
    "last_review": ("Last Review Date", "Date of Last Review"),
    "next_review_due": ("Next Review Due", "Review Due"),
    "review_outcome": ("Review Outcome", "Outcome of Review"),
}
NATIONAL_OPTION_LABELS = {
    "direct_payment": "Direct payment only",
    "part_direct_payment": "Part direct payment",
    "council_managed": "Council managed personal budget",
    "provider_managed": "Individual service fund",
    "commissioned": "Council commissioned support only",
    "mixed": "Mixed",
}
SUPPORT_REASON_LABELS = {
    "physical": ("Physical support", "Personal care support"),
    "sensory": ("Sensory support", "Visual impairment"),
    "memory_cognition": ("Support with memory and cognition", "Dementia"),
    "learning_disability": ("Learning disability support", "Learning disability"),
    "mental_health": ("Mental health support", "Mental health"),
    "social": ("Social support", "Social isolation"),
    "other": ("Other", "Other"),
}
LABELS = {
    "support_setting": {
        "community": "Community",
        "residential": "Residential",
        "nursing": "Nursing",
    },
    "gender": {
        "female": "Female",
        "male": "Male",
        "other": "Other",
        "prefer_not_to_say": "Prefer not to say",
    },
    "ethnicity": {
        "white": "White",
        "mixed": "Mixed or multiple ethnic groups",
        "asian": "Asian or Asian British",
        "black": "Black or Black British",
        "other": "Other ethnic group",
        "prefer_not_to_say": "Not stated",
    },
    "age_band": {"85+": "85 and over"},
}
DATE_FIELDS = ("start_date", "end_date", "last_review", "next_review_due")
MONEY_FIELDS = ("indicative", "agreed_annual", "client_contribution")


@dataclass(frozen=True)
class RegisterStyle:
    """How one case management system exports its budget register."""

    name: str
    suffix: str  # csv | xlsx
    headers: int  # 0: the national return's headers, 1: another system's
    dates: str  # uk (31/01/2025) | iso (2025-01-31) | excel (real date cells)
    money: str  # pounds (£12,345.50) | plain (12345.50) | excel (numbers)
    encoding: str = "utf-8"


REGISTER_STYLES = {
    "csv_uk": RegisterStyle("csv_uk", "csv", headers=0, dates="uk", money="pounds"),
    "xlsx": RegisterStyle("xlsx", "xlsx", headers=0, dates="excel", money="excel"),
    "csv_iso": RegisterStyle(
        "csv_iso", "csv", headers=1, dates="iso", money="plain", encoding="utf-8-sig"
    ),
}
# (field, raw value, what is wrong with it): impossible dates and amounts a register really has
BAD_REGISTER_VALUES = (
    ("agreed_annual", "TBC"),
    ("start_date", "31/02/2023"),
    ("agreed_annual", "£-250.00"),
    ("indicative", "see notes"),
)


def _format_dates(values: pd.Series, style: RegisterStyle) -> pd.Series:
    dates = pd.to_datetime(values)
    if style.dates == "excel":
        return pd.Series(
            [d.to_pydatetime() if pd.notna(d) else None for d in dates],
            index=values.index,
            dtype=object,
        )
    text = dates.dt.strftime("%d/%m/%Y" if style.dates == "uk" else "%Y-%m-%d")
    return text.astype(object).where(dates.notna(), "")


def _format_money(values: pd.Series, style: RegisterStyle) -> pd.Series:
    if style.money == "excel":
        return values.astype(float).astype(object)
    if style.money == "pounds":
        return values.map(lambda v: f"£{v:,.2f}")
    return values.map(lambda v: f"{v:.2f}")


def write_register_export(
    register: pd.DataFrame,
    folder: Path,
    *,
    profile: CouncilProfile,
    style: RegisterStyle,
    rng: np.random.Generator,
) -> WrittenFile:
    """Write a canonical register as the council's system exports it, with 2-4 bad values."""
    table: dict[str, pd.Series] = {}
    for field_code, headers in REGISTER_HEADERS.items():
        header = headers[style.headers]
        values = register[field_code]
        if field_code in DATE_FIELDS:
            table[header] = _format_dates(values, style)
        elif field_code in MONEY_FIELDS:
            table[header] = _format_money(values, style)
        elif field_code == "management_option":
            table[header] = values.astype(str).map(NATIONAL_OPTION_LABELS)
        elif field_code == "support_reason":
            pick = rng.random(len(values)) < 0.3
            labels = values.astype(str).map(lambda c: SUPPORT_REASON_LABELS[c])
            table[header] = pd.Series(
                [pair[1] if p else pair[0] for pair, p in zip(labels, pick, strict=True)],
                index=values.index,
            )
        elif field_code in LABELS:
            labels = LABELS[field_code]
            table[header] = values.astype(str).map(lambda c, m=labels: m.get(c, c))
        else:
            table[header] = values.astype(object).where(values.notna(), "")
    frame = pd.DataFrame(table)

    planted: list[PlantedValue] = []
    count = int(rng.integers(2, 5))
    rows = sorted(int(r) for r in rng.choice(len(frame), size=count, replace=False))
    for row, (field_code, bad) in zip(rows, BAD_REGISTER_VALUES[:count], strict=True):
        header = REGISTER_HEADERS[field_code][style.headers]
        frame[header] = frame[header].astype(object)
        frame.iat[row, frame.columns.get_loc(header)] = bad
        planted.append(PlantedValue(row + 2, header, field_code, bad))  # header on row 1

    path = folder / f"{profile.name.lower()}_budget_register.{style.suffix}"
    if style.suffix == "xlsx":
        date_headers = tuple(REGISTER_HEADERS[f][style.headers] for f in DATE_FIELDS)
        write_xlsx(frame, path, titles=[], sheet="Budgets", date_columns=date_headers)
    else:
        frame.to_csv(path, index=False, encoding=style.encoding, lineterminator="\r\n")
    return WrittenFile(
        path=path,
        kind="budgets",
        council=profile.name,
        style=style.name,
        rows_written=len(frame),
        planted_values=planted,
    )

"""Budget registers as councils' own tools write them: headers, dates, money, delivery mechanisms.

The files are written by ``tests/fixtures/make_register_fixtures.py``; the expected counts and
values are that script's constants, worked out by hand from it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pipeline.ingest import load_budget_file
from pipeline.ingest.headers import HeaderMatcher, Target
from pipeline.ingest.register_fields import register_fields
from pipeline.store import connect
from tests.conftest import FIXTURES
from tests.fixtures import make_register_fixtures as rx

REGISTERS = FIXTURES / "registers"
FIELD_OF = {  # header in a fixture -> the budgets column it fills
    "Package start date (dd/mm/yyyy)": "start_date",
    "Package end date (dd/mm/yyyy)": "end_date",
    "Gross annual budget (£)": "agreed_annual",
    "Service start date": "start_date",
    "Agreed Personal Budget": "agreed_annual",
    "Last review": "last_review",
}


@pytest.fixture
def con(tmp_path):
    connection = connect(tmp_path / "outcomes.duckdb")
    yield connection
    connection.close()


def _quarantine(con, load_id: int) -> dict[int, tuple[str, str, str]]:
    rows = con.execute(
        "SELECT source_row, column_name, raw_value, reason FROM quarantine WHERE load_id = ? "
        "ORDER BY source_row",
        [load_id],
    ).fetchall()
    assert len({r[0] for r in rows}) == len(rows)  # one problem per row in these files
    return {r[0]: r[1:] for r in rows}


def _expected(value):
    return (
        Decimal(str(value)).quantize(Decimal("0.01")) if isinstance(value, int | float) else value
    )


def test_a_mosaic_report_loads_with_exactly_the_planted_values_quarantined(con):
    result = load_budget_file(con, REGISTERS / rx.MOSAIC, council="Northshire", new_council=True)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (
        rx.MOSAIC_ROWS,
    ) * 2 + (0,)
    assert result.values_quarantined == len(rx.MOSAIC_BAD)
    assert result.unmatched_columns == rx.MOSAIC_UNMATCHED
    quarantined = _quarantine(con, result.load_id)
    assert set(quarantined) == set(rx.MOSAIC_BAD)
    for row, (header, raw, why) in rx.MOSAIC_BAD.items():
        column, value, reason = quarantined[row]
        assert (column, value) == (header, raw)
        assert why in reason, (row, reason)
    assert "(a two-digit year YY is 20YY" in quarantined[4][2]


def test_a_mosaic_report_reads_two_digit_years_cp1252_pounds_and_salt_labels(con):
    load_budget_file(con, REGISTERS / rx.MOSAIC, council="Northshire", new_council=True)
    for row, (header, _raw, expected) in rx.MOSAIC_READ.items():
        column = FIELD_OF[header]
        value = con.execute(f"SELECT {column} FROM budgets WHERE source_row = ?", [row]).fetchone()
        assert value[0] == _expected(expected), (row, header)
    options = dict(
        con.execute(
            "SELECT DISTINCT management_label, management_option FROM budgets "
            "WHERE source_row NOT IN (18)"
        ).fetchall()
    )
    assert options == dict(rx.MOSAIC_MECHANISMS)  # SALT's labels kept as given beside our code
    label, option = con.execute(
        "SELECT management_label, management_option FROM budgets WHERE source_row = 18"
    ).fetchone()
    assert (label, option) == ("Self-Funder Metering Only", None)  # not guessed
    two_digit = con.execute(
        "SELECT count(*) FROM budgets WHERE year(start_date) BETWEEN 2023 AND 2025"
    ).fetchone()[0]
    # every start date but the three quarantined ones and the 1999 one is in 2023-2025
    assert two_digit == rx.MOSAIC_ROWS - 4


def test_a_finance_workbook_with_a_title_block_and_mixed_cells_loads(con):
    result = load_budget_file(con, REGISTERS / rx.FINANCE, council="Eastbrook", new_council=True)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (
        rx.FINANCE_ROWS,
        rx.FINANCE_ROWS,
        0,
    )
    assert result.values_quarantined == len(rx.FINANCE_BAD)
    assert result.unmatched_columns == []
    quarantined = _quarantine(con, result.load_id)
    assert set(quarantined) == set(rx.FINANCE_BAD)
    for row, (header, _value, _what, why) in rx.FINANCE_BAD.items():
        assert quarantined[row][0] == header
        assert why in quarantined[row][2], (row, quarantined[row])
    assert quarantined[11][1] == "2.675"  # a number with three decimals is not shrunk
    for row, (header, _raw, expected) in rx.FINANCE_READ.items():
        column = FIELD_OF[header]
        value = con.execute(f"SELECT {column} FROM budgets WHERE source_row = ?", [row]).fetchone()
        assert value[0] == _expected(expected), (row, header)
    cells = con.execute(
        "SELECT count(start_date), count(agreed_annual), count(last_review), "
        "count(DISTINCT management_option) FROM budgets"
    ).fetchone()
    assert cells == (rx.FINANCE_ROWS - 2, rx.FINANCE_ROWS - 2, rx.FINANCE_ROWS, 3)
    first = con.execute(
        "SELECT start_date, agreed_annual FROM budgets WHERE source_row = ?", [rx.FINANCE_FIRST_ROW]
    ).fetchone()
    assert first == (date(2023, 6, 1), Decimal("6000.00"))  # a date cell and a £-formatted number


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Package start date", "start_date"),
        ("Service start", "start_date"),
        ("Service start date", "start_date"),
        ("Date started", "start_date"),
        ("Start of service", "start_date"),
        ("Support start date", "start_date"),
        ("Event start date", "start_date"),
        ("Start date (dd/mm/yyyy)", "start_date"),
        ("Package end date", "end_date"),
        ("Service end", "end_date"),
        ("Date ended", "end_date"),
        ("Event end date", "end_date"),
        ("End Date (DD/MM/YY)", "end_date"),
        ("Person ID", "person_id"),
        ("Client Ref", "person_id"),
        ("Mosaic Person ID", "person_id"),
        ("LA Person Unique Identifier", "person_id"),
        ("Delivery mechanism", "management_option"),
        ("Personal Budget Type", "management_option"),
        ("Gross annual budget (£)", "agreed_annual"),
        ("Agreed Personal Budget", "agreed_annual"),
        ("Review due date", "next_review_due"),
        ("Service setting", "support_setting"),
    ],
)
def test_register_headers_are_matched_by_their_words(header, field):
    fields = register_fields()
    matcher = HeaderMatcher([Target(f.code, f.wording, f.aliases, f.type == "id") for f in fields])
    found = matcher.exact(header)
    assert found is not None and found[0] == field, (header, found)


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("Direct Payment only", "direct_payment"),
        ("Part Direct Payment", "part_direct_payment"),
        ("CASSR Managed Personal Budget", "council_managed"),
        ("LA Managed Personal Budget", "council_managed"),
        ("Council managed budget", "council_managed"),
        ("Managed Personal Budget", "council_managed"),
        ("CASSR Commissioned Support only", "commissioned"),  # no personal budget: not managed
        ("Community: CASSR Commissioned Support", "commissioned"),
        ("Community: Direct Payment", "direct_payment"),
        ("Prison: CASSR Managed Personal Budget", "council_managed"),
        ("Individual Service Fund", "provider_managed"),
        ("ISF", "provider_managed"),
        ("Self-Funder Metering Only", None),
    ],
)
def test_national_delivery_mechanisms_are_management_options(label, code):
    scale = next(f.scale for f in register_fields() if f.code == "management_option")
    assert scale.match(label) == code

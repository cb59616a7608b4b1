"""The register's date and money rules, run as the DuckDB expressions the loader uses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from pipeline.ingest.register_values import (
    DateRange,
    date_in_range,
    date_range_reason,
    date_read_expression,
    money_expression,
    money_reason,
    two_digit_year_pivot,
)

TODAY = date(2026, 12, 2)
DATES = DateRange.around(TODAY)


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def _date(con, text: str) -> tuple[date | None, bool | None, str | None]:
    read = date_read_expression("v", DATES)
    plausible = date_in_range(read, DATES)
    return con.execute(
        f"SELECT {read}, {plausible}, CASE WHEN NOT ({plausible}) "
        f"THEN {date_range_reason('v', read, DATES)} END FROM (SELECT ?::VARCHAR AS v)",
        [text],
    ).fetchone()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/01/2025", date(2025, 1, 31)),
        ("1/2/2025", date(2025, 2, 1)),
        ("2025-01-31", date(2025, 1, 31)),
        ("2025-01-31 00:00:00", date(2025, 1, 31)),
        ("2025-01-31 10:00:00.500000", date(2025, 1, 31)),
        ("2025/01/31", date(2025, 1, 31)),
        ("31-01-2025", date(2025, 1, 31)),
        ("31.01.2025", date(2025, 1, 31)),
        ("31 Jan 2025", date(2025, 1, 31)),
        ("31 January 2025", date(2025, 1, 31)),
        ("31/01/2025 09:30", date(2025, 1, 31)),
        (" 31/01/2025 ", date(2025, 1, 31)),
        # two-digit years: 20YY up to next year (27 in 2026), otherwise 19YY
        ("1/2/25", date(2025, 2, 1)),
        ("01/02/00", date(2000, 2, 1)),
        ("01.02.27", date(2027, 2, 1)),
        ("1 Feb 25", date(2025, 2, 1)),
        ("29/02/24", date(2024, 2, 29)),
        ("15/06/95", date(1995, 6, 15)),
        ("01/02/28", date(1928, 2, 1)),  # read, then quarantined as before 1990
    ],
)
def test_dates_are_read_day_first_with_the_two_digit_year_pivot(con, text, expected):
    assert _date(con, text)[0] == expected


@pytest.mark.parametrize(
    "text",
    ["02/13/2025", "31/02/2024", "29/02/23", "1/2/225", "2025-13-01", "25-01", "TBC", "45678", ""],
)
def test_month_first_impossible_and_odd_dates_are_not_dates(con, text):
    assert _date(con, text)[0] is None


def test_a_four_digit_format_never_reads_a_two_digit_year_as_year_25(con):
    read, plausible, _ = _date(con, "1/2/25")
    assert read.year == 2025 and plausible
    read, plausible, reason = _date(con, "01/02/0025")
    assert read.year == 25 and not plausible
    assert "read as 01/02/0025" in reason and "before 01/01/1990" in reason


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("31/12/1989", ["read as 31/12/1989", "before 01/01/1990", "01/01/1990 to 02/12/2027"]),
        ("01/02/50", ["read as 01/02/1950", "two-digit year YY is 20YY up to 27", "before"]),
        ("03/12/2027", ["more than a year after today", "01/01/1990 to 02/12/2027"]),
        ("31/12/27", ["read as 31/12/2027", "more than a year after today"]),
        ("01/01/2099", ["read as 01/01/2099", "more than a year after today"]),
    ],
)
def test_implausible_dates_are_named_with_the_range(con, text, words):
    _, plausible, reason = _date(con, text)
    assert plausible is False
    for word in words:
        assert word in reason


def test_the_range_ends_a_year_after_today():
    assert DateRange.around(TODAY) == DateRange(date(1990, 1, 1), date(2027, 12, 2))
    assert DateRange.around(date(2028, 2, 29)).latest == date(2029, 2, 28)
    assert two_digit_year_pivot(DATES) == 27


def _money(con, text: str) -> tuple[Decimal | None, str]:
    return con.execute(
        f"SELECT {money_expression('v')}, {money_reason('v')} FROM (SELECT ?::VARCHAR AS v)",
        [text],
    ).fetchone()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("£12,345.50", "12345.50"),
        ("12345.5", "12345.50"),
        ("1,000", "1000"),
        ("£ 1,000", "1000"),
        ("£\u00a01,000.00", "1000"),
        ("12345.50 ", "12345.50"),
        ("£1,234,567.89", "1234567.89"),
        ("0.5", "0.50"),
        ("-£50", "-50"),
        ("£-250.00", "-250"),
        ("- 50", "-50"),
        ("14651.519999999998", "14651.52"),  # a spreadsheet number's binary noise
        ("0.30000000000000004", "0.30"),
    ],
)
def test_pounds_are_read(con, text, expected):
    assert _money(con, text)[0] == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1.234,50", "European style"),
        ("1234,5", "European style"),
        ("1,23,4", "groups of three"),
        ("1,2345", "groups of three"),
        ("12,34", "European style"),
        ("1.2.3", "only one dot"),
        ("1.234", "ambiguous"),
        ("£1.234", "ambiguous"),
        ("12.345.678", "ambiguous"),
        ("1.2345", "more than two decimal places"),
        ("£1,234.567", "more than two decimal places"),
        ("twelve pounds", "e.g. £12,345.50"),
        ("TBC", "e.g. £12,345.50"),
        ("£", "e.g. £12,345.50"),
        ("(250.00)", "e.g. £12,345.50"),
        ("--50", "e.g. £12,345.50"),
    ],
)
def test_european_and_ambiguous_amounts_are_quarantined_never_shrunk(con, text, why):
    amount, reason = _money(con, text)
    assert amount is None
    assert reason.startswith("not an amount of money") and why in reason


# What the loader's reads see: cells as a raw table holds them, never starting or ending with a
# space, with noise the fast paths must leave to the full rules (issue 12: one value, two ways).
_STRIPPED_CELLS = [
    "£12,345.50",
    "12345.5",
    "£ 1,000",
    "£\u00a01,000.00",
    "-£50",
    "£-250.00",
    "- 50",
    "1.234,50",
    "1,23,4",
    "1.234",
    "0.30000000000000004",
    "£\t5",
    "31/01/2025",
    "1/2/25",
    "31/02/2024",
    "2025-01-31 10:30",
    "1 Feb 25",
    "02/13/2025",
    "TBC",
    "£",
]


@pytest.mark.parametrize("text", _STRIPPED_CELLS)
def test_reads_of_stripped_cells_are_those_of_the_trimming_rules(con, text):
    both = (
        f"SELECT {money_expression('v')}, {money_expression('v', stripped=True)}, "
        f"{date_read_expression('v', DATES)}, {date_read_expression('v', DATES, stripped=True)} "
        "FROM (SELECT ?::VARCHAR AS v)"
    )
    money, money_stripped, day, day_stripped = con.execute(both, [text]).fetchone()
    assert (money_stripped, day_stripped) == (money, day)

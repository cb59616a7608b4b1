"""Dates and money in a budget register, as DuckDB SQL expressions (vectorised: a million rows).

Each function takes the SQL of a text column (``r.c3``) and returns SQL. A value is either read
exactly or left NULL with a reason for the quarantine; nothing is guessed:

- **Dates** are day first (``31/01/2025``, ``31-01-2025``, ``31.01.2025``, ``31 Jan 2025``) or ISO
  (``2025-01-31``, with or without a time). A four-digit-year format only sees four digits
  (DuckDB's ``%Y`` alone reads ``1/2/25`` as the year 25). A two-digit year ``YY`` is 20YY when
  that is no later than next year, otherwise 19YY (:func:`two_digit_year_pivot`). A date before
  1990 or more than a year after today is quarantined (:class:`DateRange`).
- **Money** is pounds with an optional ``£``, commas only between groups of three digits and at
  most two decimal places after a dot (``£12,345.50``, ``12345.5``, ``-£50``). European or
  ambiguous amounts (``1.234,50``, ``1,23,4``, ``1.234``) are quarantined, never shrunk.
  Spreadsheet noise on a number (``14651.519999999998``) is rounded to pence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

EARLIEST_DATE = date(1990, 1, 1)  # personal budgets began in the 2000s; reviews are later still
YEARS_AHEAD = 1  # a planned end or next review date a year ahead is plausible; more is a typo

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?"
# The shapes DuckDB's strptime is allowed to see; its formats alone accept too much.
FOUR_DIGIT_YEAR_SHAPE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}|\d{4}[/\-]\d{1,2}[/\-]\d{1,2}"
    r"|\d{1,2} [A-Za-z]{3,9} \d{4})" + _TIME
)
TWO_DIGIT_YEAR_SHAPE = r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}|\d{1,2} [A-Za-z]{3,9} \d{2}"
FOUR_DIGIT_YEAR_FORMATS = (
    "%d/%m/%Y",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d %b %Y",
    "%d %B %Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
)
TWO_DIGIT_YEAR_FORMATS = ("%d/%m/%y", "%d-%m-%y", "%d.%m.%y", "%d %b %y", "%d %B %y")

_SPACE = r"[\s\x{00A0}]"  # a cp1252 export's "£ 1,000" may hold a no-break space
_POUNDS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?"
_NOISE = (
    r"-?\d+\.\d{2}(?:0{5,}|9{5,})\d*"  # a spreadsheet number's binary noise: 0.30000000000000004
)
MONEY_SHAPE = (
    rf"(?:-{_SPACE}*)?£?{_SPACE}*{_POUNDS}"  # 1,234.50  £1,234.50  -£50  - £ 50
    rf"|£{_SPACE}*-{_SPACE}*{_POUNDS}"  # £-50
    rf"|{_NOISE}"
)
# MONEY_SHAPE with every {_SPACE}* matching nothing: the amounts nearly every register holds.
# Such a text has only "£" and "," to remove before the cast, which two replace() calls do in a
# fraction of the time of a regexp_replace (a million rows, three amounts: issue 12).
UNSPACED_MONEY_SHAPE = rf"-?£?{_POUNDS}|£-{_POUNDS}|{_NOISE}"


@dataclass(frozen=True)
class DateRange:
    """The plausible dates of a register load: from EARLIEST_DATE to a year after today."""

    earliest: date
    latest: date

    @classmethod
    def around(cls, today: date) -> DateRange:
        try:
            latest = today.replace(year=today.year + YEARS_AHEAD)
        except ValueError:  # 29 February
            latest = today.replace(year=today.year + YEARS_AHEAD, day=28)
        return cls(EARLIEST_DATE, latest)

    def describe(self) -> str:
        return f"{self.earliest:%d/%m/%Y} to {self.latest:%d/%m/%Y}"


def two_digit_year_pivot(dates: DateRange) -> int:
    """The last year a two-digit year can mean in the 2000s: YY <= pivot is 20YY, else 19YY."""
    return dates.latest.year % 100


def _sql_list(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{item}'" for item in items) + "]"


def _sql_date(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


def date_read_expression(column: str, dates: DateRange, *, stripped: bool = False) -> str:
    """SQL: the date a text column holds (range unchecked), or NULL if it is not a date.

    ``stripped``: the column's cells never start or end with a space (a raw table's, see
    readers.py), so the expression need not trim them: a million rows' trims cost as much as
    reading one of their columns.
    """
    text = column if stripped else f"trim({column})"
    two_digit = f"CAST(try_strptime({text}, {_sql_list(TWO_DIGIT_YEAR_FORMATS)}) AS DATE)"
    pivot = two_digit_year_pivot(dates)
    # strptime's %y has its own pivot (69 -> 1969); move the year to ours
    pivoted = (
        f"({two_digit} + to_years(CASE WHEN year({two_digit}) % 100 <= {pivot} "
        f"THEN 2000 ELSE 1900 END + year({two_digit}) % 100 - year({two_digit})))"
    )
    return (
        f"CASE WHEN regexp_full_match({text}, '{FOUR_DIGIT_YEAR_SHAPE}') "
        f"THEN CAST(try_strptime({text}, {_sql_list(FOUR_DIGIT_YEAR_FORMATS)}) AS DATE) "
        f"WHEN regexp_full_match({text}, '{TWO_DIGIT_YEAR_SHAPE}') THEN CAST({pivoted} AS DATE) END"
    )


def date_in_range(read: str, dates: DateRange) -> str:
    """SQL: true where a read date is plausible."""
    return f"{read} BETWEEN {_sql_date(dates.earliest)} AND {_sql_date(dates.latest)}"


def date_range_reason(column: str, read: str, dates: DateRange) -> str:
    """SQL: why a date that was read is not plausible (for the quarantine's reason)."""
    pivot = two_digit_year_pivot(dates)
    two_digit = (
        f"CASE WHEN regexp_full_match(trim({column}), '{TWO_DIGIT_YEAR_SHAPE}') "
        f"THEN ' (a two-digit year YY is 20YY up to {pivot:02d}, otherwise 19YY)' ELSE '' END"
    )
    when = (
        f"CASE WHEN {read} < {_sql_date(dates.earliest)} THEN 'before {dates.earliest:%d/%m/%Y}' "
        f"ELSE 'more than a year after today' END"
    )
    return (
        f"'read as ' || strftime({read}, '%d/%m/%Y') || {two_digit} || ': ' || {when} || "
        f"'; dates are accepted from {dates.describe()}: check the year'"
    )


NOT_A_DATE = (
    "not a date: use day/month/year (31/01/2025) or 2025-01-31; "
    "month-first dates such as 01/31/2025 are not read"
)


def money_expression(column: str, *, stripped: bool = False) -> str:
    """SQL: the amount in pounds (DECIMAL, pence rounded) or NULL if it is not plainly money.

    ``stripped`` as for :func:`date_read_expression`.
    """
    text = column if stripped else f"trim({column})"
    digits = f"regexp_replace({text}, '£|,|{_SPACE}', '', 'g')"
    unspaced_digits = f"replace(replace({text}, '£', ''), ',', '')"
    return (
        f"CASE WHEN regexp_full_match({text}, '{UNSPACED_MONEY_SHAPE}') "
        f"THEN TRY_CAST({unspaced_digits} AS DECIMAL(12, 2)) "
        f"WHEN regexp_full_match({text}, '{MONEY_SHAPE}') "
        f"THEN TRY_CAST({digits} AS DECIMAL(12, 2)) END"
    )


def money_reason(column: str) -> str:
    """SQL: why a value is not an amount of money (computed for quarantined values only)."""
    text = f"trim({column})"
    digits = f"regexp_replace({text}, '£|{_SPACE}', '', 'g')"
    advice = "; write pounds as 1234.50 or £1,234.50"
    return (
        "CASE "
        f"WHEN regexp_full_match({digits}, '-?[0-9][0-9.]*,[0-9]{{1,2}}') "
        f"THEN 'not an amount of money: a comma before the pence (European style, 1.234,50) "
        f"is not read{advice}' "
        f"WHEN regexp_full_match({digits}, '-?[0-9]+(\\.[0-9]{{3}})+') "
        f"THEN 'not an amount of money: ambiguous, a dot before three digits may be pence or "
        f"thousands{advice}' "
        f"WHEN regexp_full_match({digits}, '-?[0-9,]*[0-9]\\.[0-9]{{3,}}') "
        f"THEN 'not an amount of money: more than two decimal places{advice}' "
        f"WHEN regexp_full_match({digits}, '-?[0-9][0-9,.]*') "
        f"THEN 'not an amount of money: commas must separate groups of three digits and only one "
        f"dot may come before the pence{advice}' "
        f"ELSE 'not an amount of money (e.g. £12,345.50)' END"
    )

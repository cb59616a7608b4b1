"""Nothing in a download can run, and a suppressed cell appears in no output."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

from pipeline import analysis
from pipeline.present.exports import neutralise, to_csv_bytes
from pipeline.present.findings import round_half_away
from pipeline.store import read_only_connection
from tests.reports.conftest import CRAFTED_COMMENTS, CRAFTED_COUNCIL, SUPPRESSED_QUESTION


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        (-4.2, -4.2),
        (0, 0),
        (None, None),
    ],
)
def test_neutralise(value, expected) -> None:
    assert neutralise(value) == expected


def test_html_is_self_contained_and_runs_nothing(crafted_reports) -> None:
    for key in ("html", "easy_read"):
        page = _parse(crafted_reports[key])
        tags = [tag for tag, _ in page.tags]
        assert "script" not in tags
        assert "link" not in tags and "img" not in tags and "iframe" not in tags
        for tag, attrs in page.tags:
            assert not any(name.startswith("on") for name in attrs), (tag, attrs)
            for name in ("src", "href"):
                target = attrs.get(name) or ""
                assert not re.match(r"(?i)\s*(https?:|//|javascript:)", target), (tag, target)
        assert page.tags[0] == ("html", {"lang": "en-GB"})
    html = crafted_reports["html"].read_text(encoding="utf-8")
    # the crafted name and comment are shown as text, escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(&#34;comment&#34;)&lt;/script&gt;" in html


def test_csv_and_excel_neutralise_crafted_text(crafted_reports) -> None:
    rows = list(csv.reader(io.StringIO(crafted_reports["csv"].read_bytes().decode("utf-8-sig"))))
    areas = {row[3] for row in rows[1:]}
    assert areas == {"'" + CRAFTED_COUNCIL}
    workbook = openpyxl.load_workbook(crafted_reports["xlsx"])
    seen = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {sheet.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value
                    seen.append(cell.value)
    for comment in CRAFTED_COMMENTS:
        if comment[0] in "=+-@":
            assert "'" + comment in seen
        else:
            assert comment in seen


def test_to_csv_bytes_keeps_negative_numbers_numeric() -> None:
    import pandas as pd

    data = to_csv_bytes(pd.DataFrame({"change": [-4.2, 3.0], "note": ["-4.2", "=1"]}))
    text = data.decode("utf-8-sig").splitlines()
    assert text[1] == "-4.2,'-4.2"
    assert text[2] == "3.0,'=1"


def test_suppressed_cell_appears_nowhere(crafted_db: Path, crafted_reports) -> None:
    con = read_only_connection(crafted_db)
    api = analysis.results(con, council=CRAFTED_COUNCIL, wave=2025, instrument="poet-holder")
    con.close()
    row = api.set_index("question_code").loc[SUPPRESSED_QUESTION]
    assert bool(row["suppressed"]) and int(row["count"]) == 3  # the API flags it
    hidden = {f"{round_half_away(row[c]):.1f}" for c in ("value", "lower", "upper")}
    pattern = re.compile(r"(?<![\d.])(" + "|".join(re.escape(h) for h in hidden) + r")(?!\d)")
    domain = row["domain"]

    pdf_text = subprocess.run(
        ["pdftotext", "-layout", str(crafted_reports["pdf"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    texts = {
        "html": crafted_reports["html"].read_text(encoding="utf-8"),
        "pdf": pdf_text,
        "csv": crafted_reports["csv"].read_bytes().decode("utf-8-sig"),
        "easy_read": crafted_reports["easy_read"].read_text(encoding="utf-8"),
        "alt": crafted_reports["chart_outcomes_alt"].read_text(encoding="utf-8"),
        "svg": crafted_reports["chart_outcomes_svg"].read_text(encoding="utf-8"),
    }
    for name, text in texts.items():
        assert not pattern.search(text), f"a suppressed value is in the {name} output"
    # the row is there, marked, with no numbers
    cells = texts["html"].split(f'<th scope="row">{domain}</th>', 1)[1].split("</tr>", 1)[0]
    assert "<td>[c]</td>" in cells
    assert "Too few people answered about getting and keeping a paid job" in texts["html"]
    csv_row = next(
        r
        for r in csv.DictReader(io.StringIO(texts["csv"]))
        if r["Indicator ID"].endswith(f"{SUPPRESSED_QUESTION}:better")
    )
    assert csv_row["Value"] == csv_row["Count"] == csv_row["Lower confidence limit 95%"] == ""
    workbook = openpyxl.load_workbook(crafted_reports["xlsx"])
    for sheet in workbook.worksheets:
        for line in sheet.iter_rows(values_only=True):
            if domain in line:
                numbers = [v for v in line if isinstance(v, float | int)]
                assert all(f"{round_half_away(v):.1f}" not in hidden for v in numbers), line
                assert 3 not in numbers


def test_comments_are_not_shown_for_small_groups(tmp_path: Path) -> None:
    import pandas as pd

    from pipeline.instruments import get_instrument
    from pipeline.reports.content import sampled_comments
    from tests.seeding import new_database, seed_returns

    con = new_database(tmp_path)
    seed_returns(
        con,
        pd.DataFrame(
            {
                "council": "Tiny",
                "wave": 2025,
                "instrument": "poet-holder",
                "respondent_key": [f"t{i}" for i in range(9)],
                "out_dignity": "better",
            }
        ),
    )
    con.execute(
        "INSERT INTO comments VALUES ('t1', 'poet-holder', 'Tiny', 2025, 'comment_best', 'hi', 1)"
    )
    assert sampled_comments(con, "Tiny", 2025, get_instrument("poet-holder")).empty

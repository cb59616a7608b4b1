"""The numbers in every output equal the analysis API's, and the text agrees with the tables."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from pipeline import analysis
from pipeline.present.findings import round_half_away
from pipeline.store import read_only_connection

COUNCIL, WAVE = "Eastbrook", 2025


@pytest.fixture(scope="module")
def api_outcomes(demo_db: Path) -> pd.DataFrame:
    con = read_only_connection(demo_db)
    frame = analysis.results(con, council=COUNCIL, wave=WAVE, instrument="poet-holder")
    con.close()
    return frame


def test_api_share_is_count_over_base_from_the_raw_answers(demo_db: Path, api_outcomes) -> None:
    """Anchor the comparison: recompute one share straight from the answers table."""
    con = read_only_connection(demo_db)
    n, better = con.execute(
        "SELECT count(*) FILTER (WHERE answer_code NOT IN ('not_applicable', 'dont_know')), "
        "count(*) FILTER (WHERE answer_code IN ('better', 'much_better')) FROM answers "
        "WHERE council = ? AND wave = ? AND instrument = 'poet-holder' "
        "AND question_code = 'out_dignity'",
        [COUNCIL, WAVE],
    ).fetchone()
    con.close()
    row = api_outcomes.set_index("question_code").loc["out_dignity"]
    assert (int(row["n"]), int(row["count"])) == (n, better)
    assert row["value"] == pytest.approx(100 * better / n)


def test_excel_outcomes_equal_the_api(demo_reports, api_outcomes) -> None:
    sheet = pd.read_excel(demo_reports["xlsx"], sheet_name="Outcomes", engine="calamine")
    assert list(pd.read_excel(demo_reports["xlsx"], sheet_name=None, engine="calamine"))[:2] == [
        "Contents",
        "Notes",
    ]
    merged = sheet.merge(api_outcomes, left_on="Topic", right_on="domain", how="inner")
    assert len(merged) == len(api_outcomes)
    shown = merged[~merged["suppressed"]]
    assert len(shown) > 10
    for _, row in shown.iterrows():
        assert row["Percent"] == round_half_away(row["value"])
        assert row["Lower 95% limit"] == round_half_away(row["lower"])
        assert row["Upper 95% limit"] == round_half_away(row["upper"])
        assert row["People who answered"] == row["n"]
        assert row["Count"] == row["count"]
    # numbers are stored as numbers, not text
    assert pd.api.types.is_numeric_dtype(sheet["Percent"])
    assert pd.api.types.is_numeric_dtype(sheet["People who answered"])


def test_csv_open_data_has_benchmark_tool_columns_and_api_values(
    demo_reports, api_outcomes
) -> None:
    raw = demo_reports["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM so Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0])[:12] == [
        "Indicator ID",
        "Indicator name",
        "Period",
        "Area",
        "Area code",
        "Benchmark",
        "Compared to benchmark",
        "Count",
        "Value unit",
        "Value",
        "Lower confidence limit 95%",
        "Upper confidence limit 95%",
    ]
    by_id = {r["Indicator ID"]: r for r in rows}
    for _, row in api_outcomes.iterrows():
        published = by_id[f"poet-holder:{row['question_code']}:better"]
        assert published["Area"] == COUNCIL and published["Period"] == str(WAVE)
        assert published["Area code"]  # from the budget register
        assert float(published["Value"]) == round_half_away(row["value"])
        assert int(published["Count"]) == row["count"]
        assert int(published["Denominator"]) == row["n"]
        assert float(published["Lower confidence limit 95%"]) == round_half_away(row["lower"])


def _table_cells(html: str, domain: str, table_id: str) -> list[str]:
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    row = table.split(f'<th scope="row">{domain}</th>', 1)[1].split("</tr>", 1)[0]
    return re.findall(r"<td>(.*?)</td>", row)


def test_html_tables_and_sentences_use_the_api_numbers(demo_reports, api_outcomes) -> None:
    html = demo_reports["html"].read_text(encoding="utf-8")
    for _, row in api_outcomes.iterrows():
        cells = _table_cells(html, row["domain"], "outcomes-table")
        assert cells[0] == f"{int(row['n']):,}"
        assert cells[2] == f"{round_half_away(row['value']):.1f}"
        whole = f"{round_half_away(row['value'], 0):.0f}%"
        topic = row["domain"][0].lower() + row["domain"][1:]
        assert f"{whole} said {topic} got better" in html
        if row["comparison"] == "worse":
            assert f"{whole} said {topic} got better, worse than" in html


def test_pdf_text_carries_the_same_numbers(demo_reports, api_outcomes) -> None:
    text = subprocess.run(
        ["pdftotext", "-layout", str(demo_reports["pdf"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = " ".join(text.split())
    for _, row in api_outcomes.iterrows():
        assert f"{round_half_away(row['value']):.1f}" in flat
        whole = f"{round_half_away(row['value'], 0):.0f}%"
        assert f"{whole} said" in flat
    assert "Page 1 of" in flat
    assert "Contents" in flat and "Methods and definitions" in flat
    # the contents list carries page numbers from target-counter
    assert re.search(r"Methods and definitions \.+ ?\d+", flat)


def test_pdf_pages_are_not_blank(demo_reports, tmp_path: Path) -> None:
    from PIL import Image, ImageStat

    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", str(demo_reports["pdf"]), str(tmp_path / "page")],
        check=True,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3
    for page in pages:
        grey = Image.open(page).convert("L")
        dark = sum(grey.histogram()[:200]) / (grey.width * grey.height)
        assert dark > 0.002, f"{page.name} looks blank"
        assert ImageStat.Stat(grey).stddev[0] > 5


def test_charts_have_png_svg_and_alt_text(demo_reports) -> None:
    png = demo_reports["chart_outcomes_png"].read_bytes()
    assert png.startswith(b"\x89PNG")
    svg = demo_reports["chart_outcomes_svg"].read_text(encoding="utf-8")
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Source:" in svg
    alt = demo_reports["chart_outcomes_alt"].read_text(encoding="utf-8")
    assert "Dignity and respect" in alt


def test_easy_read_uses_the_same_rounded_numbers(demo_reports, api_outcomes) -> None:
    html = demo_reports["easy_read"].read_text(encoding="utf-8")
    top = api_outcomes.sort_values("value", ascending=False).iloc[0]
    in_ten = int(round_half_away(top["value"] / 10, 0))
    assert f"About {in_ten} in 10 people said" in html
    assert "font-size: 137.5%" in html  # large type

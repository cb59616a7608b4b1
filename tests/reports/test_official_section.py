"""The results page and the workbook carry the Official measures table, figures as published."""

from __future__ import annotations

import pandas as pd

from pipeline.analysis import official_measures
from pipeline.store.connection import read_only_connection


def test_workbook_and_page_carry_the_official_measures(demo_db, demo_reports):
    con = read_only_connection(demo_db)
    expected = official_measures(con, "Eastbrook")
    con.close()
    assert len(expected) > 0  # the shipped national rows give England a figure every year
    sheet = pd.read_excel(
        demo_reports["xlsx"], sheet_name="Official measures", engine="calamine", dtype=str
    )
    assert len(sheet) == len(expected)
    assert list(sheet["Year"]) == list(expected["period"])
    assert list(sheet["ASCOF code"]) == list(expected["code"])
    england = [f"{v:.3f}" if abs(v) < 1 else f"{v:.1f}" for v in expected["england_value"]]
    assert list(sheet["England"].astype(str)) == england
    assert sheet["Council"].eq("not loaded").all()  # a demo council has no ASCOF return
    page = demo_reports["html"].read_text(encoding="utf-8")
    assert 'id="official-table"' in page and "Official measures" in page
    first = expected.iloc[0]
    assert f"<td>{first['period']}</td>" in page

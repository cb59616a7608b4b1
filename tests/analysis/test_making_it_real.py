"""Making it Real (issue 13 item 3): the framework file is data with its source, every mapped
code is a real question, and results group by theme and statement with "no evidence yet"."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline import analysis
from pipeline.analysis.making_it_real import (
    FRAMEWORK_FILE,
    NO_EVIDENCE,
    SPEAKS_TO,
    FrameworkError,
    framework_source,
    making_it_real_framework,
)
from pipeline.present.making_it_real import grouped_findings, statement_table
from tests.dashboards.conftest import build_dashboard_database

THEMES = [
    "Wellbeing and independence",
    "Information and advice",
    "Active and supportive communities",
    "Flexible and integrated care and support",
    "When things need to change",
    "Workforce",
]


@pytest.mark.parametrize("instrument", ["poet-holder", "poet-carer"])
def test_the_six_themes_in_order_with_every_mapped_code_a_real_question(instrument) -> None:
    frame = making_it_real_framework(instrument)  # raises on a code the survey does not ask
    assert list(dict.fromkeys(frame["theme"])) == THEMES
    assert set(frame["kind"]) == {"I", "We"}
    assert frame["statement"].str.len().gt(10).all()


def test_the_source_and_how_each_wording_was_checked_are_recorded() -> None:
    source = framework_source()
    assert source["publisher"] == "Think Local Act Personal" and source["year"] == 2018
    document = yaml.safe_load(FRAMEWORK_FILE.read_text(encoding="utf-8"))
    statements = [s for t in document["themes"] for s in t["statements"]]
    checked = [s for s in statements if s["wording"] == "checked"]
    # two themes were checked word for word against TLAP's own pages: said, and counted
    assert source["statements"] == len(statements)
    assert source["wording_checked"] == len(checked) >= 10
    assert {s["checked_against"].split("/")[2] for s in checked} == {
        "www.thinklocalactpersonal.org.uk"
    }
    frame = making_it_real_framework("poet-holder").drop_duplicates("statement_id")
    assert frame["wording_checked"].sum() == len(checked)
    assert set(frame["wording"]) == {"checked", "reworded copy", "from memory"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"wording": "sure"}, "say how it was checked"),
        ({"wording": "checked", "checked_against": None}, "but not against what"),
    ],
)
def test_a_statement_must_say_how_its_wording_was_checked(tmp_path, change, message) -> None:
    document = yaml.safe_load(FRAMEWORK_FILE.read_text(encoding="utf-8"))
    document["themes"][0]["statements"][0].update(change)
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(FrameworkError, match=message):
        making_it_real_framework("poet-holder", path)


def test_unchecked_wording_is_marked_where_statements_are_shown() -> None:
    from pipeline.present.making_it_real import UNCHECKED_TEXT, wording_note

    framework = making_it_real_framework("poet-holder")
    table = statement_table(framework, pd.DataFrame(columns=["question_code", "n", "finding"]))
    marked = table["Statement"].str.contains(UNCHECKED_TEXT, regex=False)
    unchecked = framework.drop_duplicates("statement_id")["wording_checked"].eq(False)
    assert marked.sum() == unchecked.sum() > 0
    source = framework_source()
    assert wording_note(source).startswith(
        f"{source['wording_checked']} of {source['statements']} statements were checked"
    )


def test_a_code_the_survey_does_not_ask_is_refused(tmp_path: Path) -> None:
    document = yaml.safe_load(FRAMEWORK_FILE.read_text(encoding="utf-8"))
    document["themes"][0]["statements"][0]["questions"]["poet-holder"].append("out_nothing")
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(FrameworkError, match="out_nothing"):
        making_it_real_framework("poet-holder", path)


def test_results_group_by_statement_and_unmapped_statements_have_no_evidence(tmp_path) -> None:
    con = analysis.open_database(build_dashboard_database(tmp_path))
    try:
        frame = analysis.making_it_real(con, council="Avonford", wave=2024)
        results = analysis.results(con, council="Avonford", wave=2024, section="outcomes")
    finally:
        con.close()
    unmapped = frame[frame["question_code"].isna()]
    assert set(unmapped["evidence"]) == {NO_EVIDENCE}
    assert "flexible-coordinated" in set(unmapped["statement_id"])
    accepted = frame[frame["statement_id"] == "wellbeing-accepted"].set_index("question_code")
    assert set(accepted["evidence"]) == {SPEAKS_TO}
    dignity = results.set_index("question_code").loc["out_dignity"]
    assert accepted.loc["out_dignity", "value"] == pytest.approx(dignity["value"])
    # one question may speak to several statements
    assert frame.loc[frame["question_code"] == "out_community", "statement_id"].nunique() >= 2


def test_grouping_uses_only_published_sentences() -> None:
    framework = making_it_real_framework("poet-holder")
    published = pd.DataFrame(
        {
            "question_code": ["out_dignity", "out_self_esteem"],
            "n": [40, None],  # the second is hidden: no evidence can be shown from it
            "finding": ["52% said dignity and respect got better.", ""],
        }
    )
    themes = grouped_findings(framework, published)
    wellbeing = themes[0]["statements"]
    accepted = next(s for s in wellbeing if s["id"] == "wellbeing-accepted")
    assert accepted["findings"] == ["52% said dignity and respect got better."]
    assert not next(s for s in wellbeing if s["id"] == "wellbeing-health")["evidence"]
    table = statement_table(framework, published)
    assert (table["Evidence"] == "Our results speak to this").sum() == 1

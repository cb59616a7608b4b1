"""In-page corrections on the Load data page become a mapping like a mapping file's."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboards.loading import keep_upload, mapping_from_edits

AUTOMATIC = pd.DataFrame(
    {
        "column": ["Ref", "Q12 Quality of life", "Notes", "Safety"],
        "code": ["respondent_id", "out_quality_of_life", None, "out_safe_home"],
        "method": ["alias", "wording", "unmatched", "fuzzy"],
        "score": [100.0, 100.0, 0.0, 86.0],
    }
)


def test_no_edits_give_no_mapping() -> None:
    assert mapping_from_edits(AUTOMATIC, AUTOMATIC.copy()) == {}


def test_changed_and_cleared_columns_are_the_only_ones_mapped() -> None:
    edited = AUTOMATIC.copy()
    edited.loc[3, "code"] = "out_safe_out"  # the fuzzy guess was wrong
    edited.loc[0, "code"] = ""  # leave the reference out
    assert mapping_from_edits(AUTOMATIC, edited) == {
        "columns": {"Safety": "out_safe_out", "Ref": None}
    }


def test_mapping_an_unmatched_column() -> None:
    edited = AUTOMATIC.copy()
    edited.loc[2, "code"] = "comment_best"
    assert mapping_from_edits(AUTOMATIC, edited) == {"columns": {"Notes": "comment_best"}}


def test_uploads_keep_their_name_and_same_content_shares_a_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("dashboards.loading.UPLOAD_DIR", tmp_path)
    first = keep_upload("../../etc/returns 2024.csv", b"a,b\n1,2\n")
    again = keep_upload("returns 2024.csv", b"a,b\n1,2\n")
    other = keep_upload("returns 2024.csv", b"a,b\n3,4\n")
    assert first == again and first.name == "returns 2024.csv"
    assert first.parent.parent == tmp_path
    assert other != first and other.read_bytes() == b"a,b\n3,4\n"


def test_uploads_go_to_a_private_folder_and_are_removed_after_the_load(monkeypatch) -> None:
    import stat

    from dashboards import loading

    monkeypatch.setattr("dashboards.loading.UPLOAD_DIR", None)
    path = keep_upload("returns.csv", b"a,b\n1,2\n")
    root = loading.upload_dir()
    assert path.parent.parent == root and root.name.startswith("sds-outcomes-uploads-")
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loading.discard_upload(path)
    assert not path.exists() and not path.parent.exists() and root.exists()
    with pytest.raises(ValueError, match="not an upload kept by this dashboard"):
        loading.discard_upload(root.parent / "elsewhere" / "returns.csv")

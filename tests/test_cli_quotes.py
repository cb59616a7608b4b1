"""`outcomes quotes list|approve|reject`: moderating comments from a script."""

from __future__ import annotations

import getpass

from typer.testing import CliRunner

from pipeline import analysis
from pipeline.cli import app
from tests.moderation.test_decisions import PLANTED, _comment, _returns
from tests.seeding import new_database, seed_returns

runner = CliRunner()
WIDE = {"COLUMNS": "250"}


def test_list_shows_redacted_text_and_approve_records_the_os_user(tmp_path) -> None:
    con = new_database(tmp_path)
    seed_returns(con, _returns("Bigtown", 12))
    _comment(con, "Bigtown", "Big000", PLANTED)
    _comment(con, "Bigtown", "Big001", "I feel much more independent.")
    con.close()
    db = str(tmp_path / "test.duckdb")

    listing = runner.invoke(app, ["quotes", "list", "bigtown", "2025", "--db", db], env=WIDE)
    assert listing.exit_code == 0, listing.output
    assert "[phone number]" in listing.output and "07700" not in listing.output
    assert "pending" in listing.output

    refused = runner.invoke(
        app,
        ["quotes", "approve", "Bigtown", "2025", "Big000", "--text", "ring 07700 900123"]
        + ["--db", db],
    )
    assert refused.exit_code == 1 and "phone number" in refused.output
    done = runner.invoke(app, ["quotes", "approve", "Bigtown", "2025", "Big000", "--db", db])
    assert done.exit_code == 0, done.output
    rejected = runner.invoke(app, ["quotes", "reject", "Bigtown", "2025", "Big001", "--db", db])
    assert rejected.exit_code == 0, rejected.output
    unknown = runner.invoke(app, ["quotes", "approve", "Bigtown", "2025", "Nobody", "--db", db])
    assert unknown.exit_code == 1 and "0 comment_best comments" in unknown.output

    con = new_database(tmp_path)
    quotes = analysis.approved_quotes(con, council="Bigtown", wave=2025)
    con.close()
    assert len(quotes) == 1 and quotes["approved_by"].iloc[0] == getpass.getuser()
    assert "[client reference]" in quotes["comment_text"].iloc[0]

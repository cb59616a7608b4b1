"""The options Streamlit reads for the dashboard's script (``dashboards/.streamlit/config.toml``)
on top of the project's own (``.streamlit/config.toml``), as ``outcomes dashboard`` runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = """
import json, streamlit.config as config
config._main_script_path = "dashboards/app.py"  # what `streamlit run dashboards/app.py` sets
options = config.get_config_options(force_reparse=True)
print(json.dumps({name: [config.get_option(name), options[name].where_defined]
                  for name in ("runner.postScriptGC", "theme.primaryColor", "server.runOnSave")}))
"""


def test_no_full_garbage_collection_after_each_run_and_the_project_options_still_apply():
    # Streamlit's default gc.collect(2) after every run cost ~0.1 s of CPU per warm page on the
    # 1,000,000-return database: more than the page (issue 12 item 4).
    run = subprocess.run(
        [sys.executable, "-c", READ], cwd=ROOT, capture_output=True, text=True, check=True
    )
    options = json.loads(run.stdout.strip().splitlines()[-1])
    value, where = options["runner.postScriptGC"]
    assert value is False and Path(where) == ROOT / "dashboards" / ".streamlit" / "config.toml"
    assert options["theme.primaryColor"][0] == "#005A8C"  # the accessible theme is kept
    assert options["server.runOnSave"][0] is False

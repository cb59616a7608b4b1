"""The synthetic councils of ``outcomes demo``: registers, survey returns and messy exports.

- :mod:`.register`: budget registers drawn per council, and the holders sampled from them;
- :mod:`.model`: the survey returns those people give (outcomes driven by the process steps);
- :mod:`.exports` / :mod:`.register_exports`: the CSV and Excel files councils really send;
- :mod:`.build`: writes them and loads them through the same ingest path as a council's files.
"""

from pipeline.demo.build import SURVEY_STYLE, build_demo, default_demo_folder, write_demo_files

__all__ = ["SURVEY_STYLE", "build_demo", "default_demo_folder", "write_demo_files"]

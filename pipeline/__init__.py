"""Outcomes evaluation pipeline for self-directed support.

Stages, one way round: ``ingest`` -> ``store`` -> ``analysis`` -> faces (``reports``, the
Streamlit ``dashboards`` and the ``cli``).
"""

__version__ = "0.1.0"

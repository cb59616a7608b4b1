# The README's two commands. `make demo`: set up, load the demo data, serve the dashboard.
# `make test`: set up, then lint and run every test (what CI runs).
.PHONY: setup demo test lint

setup:
	bash scripts/setup.sh

demo: setup
	.venv/bin/outcomes demo
	.venv/bin/outcomes dashboard

test: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/python -m pytest -q

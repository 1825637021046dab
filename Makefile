# zi-nb: two commands. `make run` sets up and runs the main job; `make test` installs test needs and runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run setup test setup-test lint bench bench-bulk bench-app bench-hub bench-triage notebooks clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

setup: $(BIN)/python
	$(BIN)/python -m pip install -q -e .

# the main job on the bundled sample: validate and score every unit, then every unit's LHE and the summary page
# (outputs/contoh/index.html); --resume makes a second `make run` redo only what changed
run: setup
	$(BIN)/zi-nb demo
	$(BIN)/zi-nb bulk zi_nb/data/sample -o outputs/contoh --run-id contoh --resume

setup-test: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'

# the house rules: ruff (rule set in pyproject.toml) on all Python files, mypy (zero errors) on the package
lint: setup-test
	$(BIN)/ruff check zi_nb tests benchmarks tools
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg tests notebooks

notebooks: setup
	$(BIN)/python tools/make_notebooks.py
	cd notebooks && ../$(BIN)/papermill unit_report.ipynb unit_report.ipynb --cwd . -k python3
	cd notebooks && ../$(BIN)/papermill bulk_summary.ipynb bulk_summary.ipynb --cwd . -k python3
	cd notebooks && ../$(BIN)/papermill evaluator.ipynb evaluator.ipynb --cwd . -k python3
	cd notebooks && ../$(BIN)/papermill triage.ipynb triage.ipynb --cwd . -k python3

bench: setup
	$(BIN)/python benchmarks/bench_foundation.py
	$(BIN)/python benchmarks/bench_widgets.py

# zi-nb bulk against the naive papermill + nbconvert loop on BULK_UNITS synthetic units (prints figures)
BULK_UNITS ?= 100
bench-bulk: setup
	$(BIN)/python benchmarks/bench_bulk.py --units $(BULK_UNITS)

# zi-nb triage on TRIAGE_UNITS synthetic self-assessments with planted inflations (raised answers, evidence removed,
# copied notes, totals nudged over 75/85): precision and recall of the top 10 % against the naive ranking by total
TRIAGE_UNITS ?= 1000
bench-triage: setup
	$(BIN)/python benchmarks/bench_triage.py --units $(TRIAGE_UNITS)

# the evaluator web app (zi-nb serve) in Chromium at 1366x768: median/p95 of first page, ?unit= link, unit from the
# list, item select, answer -> totals, save, Buat LHE; memory after 5 and 50 page loads; kernels left (a few minutes,
# so not part of `make bench`)
bench-app: setup-test
	$(BIN)/python benchmarks/bench_app.py

# the team server (zi-nb hub: JupyterHub + configurable-http-proxy + the ledger service) with a generated team: N
# evaluators saving answers at once through the service (N = 1, 5, 10, 20) against the same saves in-process, and
# the memory of a few users' voila servers (a few minutes, so not part of `make bench`)
bench-hub: setup-test
	$(BIN)/python benchmarks/bench_hub.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis .mypy_cache .ruff_cache

# Ashyq: `make run` serves the demo at http://127.0.0.1:8000; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast test-tools test-postgres ci bench install migrate demo lock check lint format-check format clean

$(STAMP): requirements/base.lock requirements/dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.lock
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo --ranking-story

# The web server and the background worker (docs/operations.md) in one command; Ctrl-C stops both.
run: demo
	ASHYQ_DEBUG=1 $(PY) manage.py worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	ASHYQ_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# axe-core (package.json, package-lock.json) for tests/test_accessibility.py. Without npm the
# accessibility test skips, except in CI (CI set), where a missing npm fails the build here.
AXE_STAMP := node_modules/.ashyq-installed

$(AXE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund && touch $(AXE_STAMP); \
	elif [ -n "$$CI" ]; then \
		echo "npm is missing: CI needs it to install axe-core for the accessibility test (apt-get install npm)" >&2; exit 1; \
	else \
		echo "WARNING: npm not found; the accessibility test will be skipped (install Node.js and npm, then run make test again)" >&2; \
	fi

test-tools: $(AXE_STAMP)

# Two workers (pytest-xdist) on the two cores CI has; each has its own test database and its own servers on free
# ports. A file's tests stay on one worker, so a module's browser or data fixture starts once. TEST_WORKERS=0 runs
# in one process (for -x, --pdb or print-debugging).
TEST_WORKERS ?= 2
XDIST = $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)

test: install test-tools
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

# The unit tests alone: no browser, no PostgreSQL-only test, no server (a quick loop while writing code).
test-fast: install
	$(PY) -m pytest $(XDIST) -m "not browser and not postgres and not server" $(PYTEST_ARGS)

# The suite on a throwaway PostgreSQL server (started, used and removed by .ci/run); CI runs both.
test-postgres: install
	bash .ci/run postgres

# Benchmarks (docs/benchmarks.md): synthetic data at 10k, 100k and 1M appeals on a throwaway PostgreSQL,
# gunicorn on 127.0.0.1, latency and throughput of the main pages and API calls. BENCH_SIZES=10000,100000 is quicker.
bench: install
	$(PY) benchmarks/run.py

ci:
	bash .ci/run

# The conventions CI checks once, before the test runs: Django's checks, migrations that match the models, the
# layers of the apps (import-linter's contract in pyproject.toml: no app imports one above it) and the lint rules
# (ruff, [tool.ruff.lint]) and the formatting (`ruff format`; run `make format` to apply it).
check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	PYTHONPATH=src $(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

# Lint rules in pyproject.toml ([tool.ruff.lint]); format-check says which files `ruff format` would change.
lint: install
	$(VENV)/bin/ruff check src tests benchmarks

format-check: install
	$(VENV)/bin/ruff format --check src tests benchmarks

format: install
	$(VENV)/bin/ruff format src tests benchmarks

# Recompile the lock files after editing requirements/*.in.
lock: install
	$(PY) -m pip install --quiet pip-tools
	cd requirements && ../$(VENV)/bin/pip-compile -q --strip-extras --no-emit-index-url -o base.lock base.in
	cd requirements && ../$(VENV)/bin/pip-compile -q --strip-extras --no-emit-index-url -o dev.lock dev.in
	sed -i '/--find-links/d' requirements/*.lock

clean:
	rm -rf $(VENV) var/static node_modules

# Ashyq: `make run` serves the demo at http://127.0.0.1:8000; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-postgres ci install migrate demo lock check clean

$(STAMP): requirements/base.lock requirements/dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.lock
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	ASHYQ_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# The suite on a throwaway PostgreSQL server (started, used and removed by .ci/run); CI runs both.
test-postgres: install
	bash .ci/run postgres

ci:
	bash .ci/run

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# Recompile the lock files after editing requirements/*.in.
lock: install
	$(PY) -m pip install --quiet pip-tools
	cd requirements && ../$(VENV)/bin/pip-compile -q --strip-extras --no-emit-index-url -o base.lock base.in
	cd requirements && ../$(VENV)/bin/pip-compile -q --strip-extras --no-emit-index-url -o dev.lock dev.in
	sed -i '/--find-links/d' requirements/*.lock

clean:
	rm -rf $(VENV) var/static

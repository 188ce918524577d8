# The two commands of the README: `make run` (the product on SQLite, seeded, with its background worker) and
# `make test` (the suite).
# Both create the virtualenv .venv when there is none and install the pinned requirements into it.
# DATABASE_URL (see README) points either at PostgreSQL instead of the SQLite file.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist): one per CPU core by default; TEST_WORKERS=0 runs the suite in this process.
TEST_WORKERS ?= auto

.PHONY: run test chromium lint format ci clean-venv

run: $(VENV)/.runtime-installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seed
	$(PY) manage.py ensure_admin
	@echo ""
	@echo "  Admin:     http://$(HOST):$(PORT)/admin/"
	@echo "  API:       http://$(HOST):$(PORT)/api/v1/"
	@echo "  API docs:  http://$(HOST):$(PORT)/api/docs/"
	@echo ""
	@# The background worker (large CSV imports) runs beside the server and stops with it; it finishes the job it
	@# is running first (Ctrl-C again stops it at once: that job wrote nothing and runs again next time).
	$(PY) manage.py jobs_worker --no-reload & worker=$$!; \
	  trap 'echo "Stopping the background worker"; kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	  trap 'exit 130' INT; trap 'exit 143' TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.dev-installed chromium
	$(PY) -m pytest --numprocesses $(TEST_WORKERS) $(PYTEST_ARGS)

# The browser test drives Debian's chromium; installed once, when missing.
chromium:
	@scripts/ensure-chromium

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

ci:
	bash .ci/run

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

clean-venv:
	rm -rf $(VENV)

# citemploi — one command to run, one to test. See README.md.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
UV := $(BIN)/uv
HOST ?= 127.0.0.1
PORT ?= 8000
export CITEMPLOI_VAR_DIR ?= $(CURDIR)/var

.PHONY: venv install run serve worker test test-fast quality lock bench stress clean

$(PY):
	python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip uv

$(VENV)/.installed: $(PY) requirements.lock pyproject.toml
	$(UV) pip install -q --python $(PY) -r requirements.lock
	$(UV) pip install -q --python $(PY) --no-deps -e .
	touch $@

venv: $(VENV)/.installed
install: venv

## make run: install, migrate, load the demo cité if the database is empty, serve on http://$(HOST):$(PORT)
run: venv
	$(BIN)/citemploi migrate --noinput
	$(BIN)/citemploi demo --if-empty
	$(BIN)/citemploi demo_logins
	$(BIN)/citemploi collectstatic --noinput -v0
	@echo "Démarrage du serveur sur http://$(HOST):$(PORT) et du worker de tâches de fond (Ctrl+C pour arrêter)."
	@trap 'kill 0' EXIT INT TERM; \
	  DEBUG=$${DEBUG:-true} $(BIN)/citemploi worker -v0 & \
	  DEBUG=$${DEBUG:-true} $(BIN)/citemploi runserver --noreload $(HOST):$(PORT)

worker: venv
	$(BIN)/citemploi worker

## make test: install what the tests need (Chromium from Debian included) and run the whole suite
test: venv
	bash scripts/install-test-deps.sh
	CITEMPLOI_TESTING=true $(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-fast: venv
	CITEMPLOI_TESTING=true $(BIN)/pytest -n 2 -m "not browser" $(PYTEST_ARGS)

quality: venv
	$(BIN)/ruff format --check citemploi tests
	$(BIN)/ruff check citemploi tests
	$(BIN)/djlint --check citemploi/templates citemploi/www
	$(BIN)/djlint --lint citemploi/templates citemploi/www
	$(BIN)/mypy citemploi
	CITEMPLOI_VAR_DIR=$$(mktemp -d) $(BIN)/citemploi makemigrations --check --dry-run

format: venv
	$(BIN)/ruff format citemploi tests
	$(BIN)/ruff check --fix citemploi tests
	$(BIN)/djlint --reformat citemploi/templates citemploi/www || true

## make bench: measure pages, throughput, imports and indicators through gunicorn (bench/README.md);
## BENCH_SCALE=small|reference, BENCH_DB=sqlite|postgres|both; writes bench/results.json and bench/results.md
bench: venv
	$(PY) bench/run.py

## make stress: 50 signed-in users mixing reads and writes (people, journal, barriers, orientations, outcomes, a
## file's budget) through gunicorn, every acknowledged write checked, SIGKILL during an import and a Copil decision,
## backup/restore (stress/README.md); STRESS_DB=sqlite|postgres|both (both), STRESS_SECONDS=60 per database
stress: venv
	@db=$${STRESS_DB:-both}; status=0; \
	case "$$db" in sqlite|postgres|both) ;; *) echo "STRESS_DB=sqlite, postgres or both"; exit 2;; esac; \
	if [ "$$db" != postgres ]; then STRESS_DB=sqlite $(PY) stress/run.py || status=1; fi; \
	if [ "$$db" != sqlite ]; then \
	  STRESS_DB=postgres bash scripts/with-postgres.sh $(PY) stress/run.py || status=1; fi; \
	exit $$status

## regenerate the lock file from pyproject.toml
lock: $(PY)
	$(UV) pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) var

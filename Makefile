# The two commands: `make run` (the demo) and `make test` (lint + every test).
SHELL := /bin/bash
PYTHON := $(shell for p in python3.13 python3.14 python3.12 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make run PORT=8080 SANDBOX_PORT=8766`: where the dashboard and the demo's eTelecom sandbox listen.
PORT ?= 8000
SANDBOX_PORT ?= 8765

.PHONY: run test lint format bench venv clean messages

$(STAMP): requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(STAMP)

# A new checkout gets a development .env (DEBUG=1, a generated SECRET_KEY; never overwritten), so
# the README's manage.py commands work after `make run` as written.
run: $(STAMP)
	$(BIN)/python scripts/ensure_env.py
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py rundemo --port $(PORT) --sandbox-port $(SANDBOX_PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: $(STAMP) lint
	./scripts/ensure-chromium.sh
	./scripts/ensure-gettext.sh
	DJANGO_SETTINGS_MODULE=etelecom_admin.test_settings $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

# Extract every translatable string into locale/vi/LC_MESSAGES/django.po, then compile it (the
# compiled .mo is committed, so `make run` works without gettext). Translate new entries in between.
messages: $(STAMP)
	./scripts/ensure-gettext.sh
	DJANGO_SETTINGS_MODULE=etelecom_admin.test_settings $(BIN)/python manage.py makemessages -l vi --no-obsolete \
		--ignore=.venv --ignore=artifacts --ignore=staticfiles --ignore=media
	DJANGO_SETTINGS_MODULE=etelecom_admin.test_settings $(BIN)/python manage.py compilemessages -l vi --ignore=.venv

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3* staticfiles artifacts

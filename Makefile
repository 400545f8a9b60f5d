# One Makefile that developers and CI call as is.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
VENDOR := src/gonghui/static/vendor
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
export GONGHUI_VAR_DIR ?= $(CURDIR)/var

# What mypy checks (see docs/architecture.md): all of core, members, congress and care but
# migrations and tests. Their views take core.web.AuthenticatedHttpRequest, so request.user is
# a User. A new module is picked up without editing this. --follow-imports=silent: modules
# imported from outside the list (the other apps) are read for their types but their own
# errors are not reported.
MYPY_DOMAIN := $(sort $(shell find src/gonghui/core src/gonghui/members src/gonghui/congress \
  src/gonghui/care -name '*.py' -not -path '*/migrations/*' -not -path '*/tests/*'))

.PHONY: install assets messages demo serve worker test test-sqlite test-postgres test-e2e lint bench clean

install: $(STAMP) assets messages

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

# Front-end assets come from npm (pinned in package-lock.json) and are served by the app.
assets: $(VENDOR)/.stamp
$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/fonts
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	cp node_modules/bootstrap/dist/css/bootstrap.min.css $(VENDOR)/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js $(VENDOR)/
	cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css $(VENDOR)/
	cp node_modules/bootstrap-icons/font/fonts/* $(VENDOR)/fonts/
	touch $@

messages: locale/zh_Hans/LC_MESSAGES/django.mo
locale/zh_Hans/LC_MESSAGES/django.mo: locale/zh_Hans/LC_MESSAGES/django.po $(STAMP)
	$(PY) -m gonghui.cli compilemessages -l zh_Hans -v 0 --ignore=.venv --ignore=node_modules

demo: install
	$(BIN)/gonghui migrate --no-input -v 0
	$(BIN)/gonghui seed --if-empty
	$(BIN)/gonghui demo_logins
	@echo "Serving on http://127.0.0.1:8000  (background worker started; Ctrl-C stops both)"
	@trap 'kill 0' EXIT; $(BIN)/gonghui db_worker --interval 0.5 >/dev/null 2>&1 & \
	  GONGHUI_DEBUG=1 $(BIN)/gonghui runserver 127.0.0.1:8000

serve: install
	$(BIN)/gonghui runserver 127.0.0.1:8000

worker: install
	$(BIN)/gonghui db_worker

# The whole suite on SQLite, then again on PostgreSQL when it answers.
# GONGHUI_REQUIRE_POSTGRES=1 (set by .ci/run) makes a missing PostgreSQL an error.
test: install lint test-sqlite test-postgres

test-sqlite:
	$(BIN)/pytest -n 2 --dist loadgroup

test-postgres:
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== PostgreSQL pass =="; \
	  GONGHUI_DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 --dist loadgroup; \
	elif [ "$$GONGHUI_REQUIRE_POSTGRES" = "1" ]; then \
	  echo "PostgreSQL at $(PG_URL) does not answer, and this run requires it" >&2; exit 1; \
	else echo "== PostgreSQL not reachable: pass skipped =="; fi

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy --strict --follow-imports=silent src/gonghui/core/rules.py src/gonghui/members/rules.py \
	  src/gonghui/congress/rules.py src/gonghui/care/rules.py
	$(BIN)/mypy --follow-imports=silent $(MYPY_DOMAIN)
	$(BIN)/gonghui makemigrations --check --dry-run -v 0

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var staticfiles

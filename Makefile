# Borough: `make run` starts the embedded default; `make test` runs every check and test. Both set everything up.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.13 2>/dev/null || echo python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9

.PHONY: run test setup lint test-only lock clean

$(BIN)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 13) else "Borough needs Python 3.13 (see .python-version); set PYTHON=/path/to/python3.13")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

static/build/.built: node_modules/.installed $(wildcard static-src/*.scss)
	npm run --silent build:css
	touch $@

setup: $(BIN)/.installed node_modules/.installed static/build/.built

run: setup
	$(BIN)/borough serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-secret-for-the-check \
		$(BIN)/borough check --deploy --fail-level WARNING
	rm -rf var/check-static && DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=check-static-only \
		BOROUGH_VAR_DIR=var/check-static $(BIN)/borough collectstatic --noinput -v0
	$(BIN)/borough makemigrations --check --dry-run

# Tests run on two processes (pytest-xdist, each with its own database and files); PYTEST_XDIST= runs them in one.
PYTEST_XDIST ?= -n auto --maxprocesses=2 --dist worksteal
test-only: setup
	$(BIN)/pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

test: lint test-only

lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.13 -o requirements.lock

clean:
	rm -rf $(VENV) node_modules var

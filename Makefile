# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
# make test runs the test files on this many processes (pytest-xdist; "auto": one per core)
TEST_WORKERS ?= auto
BIN = $(VENV)/bin
# Every install comes from uv.lock (`uv lock` after changing pyproject.toml's dependencies).
UV_VERSION = 0.13.9
UV = $(BIN)/uv
SYNC = UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --locked --inexact --quiet

.PHONY: demo demo-reset test lint lock fuzz clean

$(UV):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Runtime dependencies only (the demo), or with the development tools (tests, lint).
$(BIN)/.runtime: uv.lock pyproject.toml | $(UV)
	$(SYNC)
	touch $@

$(BIN)/.dev: uv.lock pyproject.toml | $(UV)
	$(SYNC) --extra dev
	touch $@ $(BIN)/.runtime

## Set up, migrate the SQLite database under ./data, load demo data and serve.
demo: $(BIN)/.runtime
	APP_ENV=development $(BIN)/python -m app serve --demo --host $(HOST) --port $(PORT)

## Forget the demo's data (the next `make demo` starts afresh).
demo-reset:
	rm -f data/platform.db data/platform.db-wal data/platform.db-shm

## Set up and run the whole suite: SQLite always; PostgreSQL too when TEST_DATABASE_URL is set.
test: $(BIN)/.dev $(if $(shell command -v npm),clients/typescript/node_modules)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

# The generated TypeScript client's tools (tests/test_generated_clients.py), when npm exists.
clients/typescript/node_modules: clients/typescript/package-lock.json
	npm ci --prefix clients/typescript --no-audit --no-fund
	touch $@

## Refresh uv.lock after a change of pyproject.toml's dependencies.
lock: | $(UV)
	$(UV) lock

lint: $(BIN)/.dev
	$(UV) lock --check
	$(BIN)/ruff check app tests migrations clients/python $(wildcard bench)
	$(BIN)/ruff format --check app tests clients/python $(wildcard bench)
	$(BIN)/mypy app
	test -d node_modules || npm ci --no-audit --no-fund
	VENV=$(VENV) scripts/lint_openapi.sh

fuzz: $(BIN)/.dev
	scripts/schemathesis.sh

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache

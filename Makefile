# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
BIN = $(VENV)/bin

.PHONY: demo test lint fuzz clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

## Set up, migrate the SQLite database under ./data, load demo data and serve.
demo: $(BIN)/.installed
	APP_ENV=development $(BIN)/python -m app serve --demo --host $(HOST) --port $(PORT)

## Set up and run the whole suite: SQLite always; PostgreSQL too when TEST_DATABASE_URL is set.
test: $(BIN)/.installed $(if $(shell command -v npm),clients/typescript/node_modules)
	$(BIN)/pytest

# The generated TypeScript client's tools (tests/test_generated_clients.py), when npm exists.
clients/typescript/node_modules: clients/typescript/package-lock.json
	npm ci --prefix clients/typescript --no-audit --no-fund
	touch $@

lint: $(BIN)/.installed
	$(BIN)/ruff check app tests migrations clients/python $(wildcard bench)
	$(BIN)/ruff format --check app tests clients/python $(wildcard bench)
	$(BIN)/mypy app
	test -d node_modules || npm ci --no-audit --no-fund
	VENV=$(VENV) scripts/lint_openapi.sh

fuzz: $(BIN)/.installed
	scripts/schemathesis.sh

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache

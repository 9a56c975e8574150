# Hawiya: `make run` to try it, `make test` to check it. Both install what is missing first.
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
STAMP := $(VENV)/.install-stamp
LINT_PATHS := src tests bench scripts

.PHONY: install run test lint unit bench docs clean

install: $(STAMP)

$(STAMP): pyproject.toml scripts/install-system.sh
	@bash scripts/install-system.sh
	@test -x $(BIN)/python || python3 -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@# mediapipe's own requirements would replace the headless OpenCV and pull jax (pyproject.toml)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps mediapipe==0.10.21
	@touch $(STAMP)

run: install
	@$(BIN)/hawiya db upgrade
	@$(BIN)/hawiya demo
	@$(BIN)/hawiya serve

lint: install
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy
	$(BIN)/lint-imports

# The suite runs on SQLite, then again on PostgreSQL when HAWIYA_TEST_DATABASE_URL names a server.
unit: install
	env -u HAWIYA_TEST_DATABASE_URL $(BIN)/pytest
	@if [ -n "$$HAWIYA_TEST_DATABASE_URL" ]; then \
		echo "--- again on PostgreSQL ($$HAWIYA_TEST_DATABASE_URL)"; $(BIN)/pytest; \
	fi

test: lint unit

bench: install
	$(BIN)/python bench/run.py

docs: install
	$(BIN)/python scripts/gen_docs.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build *.egg-info src/*.egg-info

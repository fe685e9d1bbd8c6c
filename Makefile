# The README's two commands: `make run` (set up + serve) and `make test` (set up + every check).
VENV ?= .venv
PYTHON ?= python3.11
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: install run test lint typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/musaic db upgrade
	$(BIN)/musaic catalog demo
	$(BIN)/musaic index build --if-missing
	$(BIN)/musaic serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check musaic tests benchmarks research
	$(BIN)/ruff format --check musaic tests benchmarks research
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy musaic

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache

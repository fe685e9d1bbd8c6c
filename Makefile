# The README's two commands: `make run` (set up + serve) and `make test` (set up + every check).
VENV ?= .venv
PYTHON ?= python3.11
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: install browser-deps run test lint typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	@ldconfig -p | grep -q libgomp.so.1 || { echo "installing libgomp1 (OpenMP, for lightgbm)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgomp1; }
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# The browser tests (tests/browser) need axe-core from npm and Debian's Chromium; Playwright's own
# browser download is not used. Without root, install chromium yourself or the tests say why.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

browser-deps: node_modules/.package-lock.json
	@test -x /usr/bin/chromium || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	    || echo "could not install chromium: run apt-get install chromium as root"; }

run: install
	$(BIN)/musaic db upgrade
	$(BIN)/musaic catalog demo
	$(BIN)/musaic index build --if-missing
	$(BIN)/musaic index train --if-missing --background --ranker-folds 3
	$(BIN)/musaic serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check musaic tests benchmarks research scripts
	$(BIN)/ruff format --check musaic tests benchmarks research scripts
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy musaic

pytest: install browser-deps
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) instance node_modules tests/artifacts .pytest_cache .mypy_cache .ruff_cache

# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint unit browser-deps bench drill fuzz screenshots clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

# `make run PORT=8123` when 8000 is taken (the sandbox takes the next port).
PORT ?= 8000
run: $(STAMP)
	$(BIN)/meetbridge run --port $(PORT)

browser-deps:
	@sh scripts/ensure-chromium.sh
	@sh scripts/ensure-axe.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m django makemigrations --check --dry-run --settings=meetbridge.settings >/dev/null

# Every test on SQLite, then again on PostgreSQL when one is reachable (even after a failed
# SQLite pass); both outcomes are reported, and either failing fails the target.
test: $(STAMP) browser-deps lint
	@sh scripts/test-both.sh $(BIN)/python

# The schemathesis run of `make test` (tests/api/test_schema_fuzz.py) at length: many random
# examples per route and mode, as a member and as an admin. FUZZ_EXAMPLES=N to change.
FUZZ_EXAMPLES ?= 300
fuzz: $(STAMP)
	MEETBRIDGE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) MEETBRIDGE_FUZZ_RANDOM=1 \
	  $(BIN)/python -m pytest -p no:cacheprovider -q tests/api/test_schema_fuzz.py

# The README's and the guides' screenshots, retaken by the browser journeys (1280 and 375 px).
screenshots: $(STAMP) browser-deps
	MEETBRIDGE_DOCS_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -p no:cacheprovider -q tests/e2e

bench: $(STAMP)
	$(BIN)/python -m bench

# Two web servers and a worker on a private PostgreSQL and Redis: kills and restarts under load.
drill: $(STAMP)
	$(BIN)/python scripts/drill.py

clean:
	rm -rf $(VENV) var .pytest_cache

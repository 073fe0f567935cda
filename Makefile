# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint unit browser-deps bench clean

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

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m django makemigrations --check --dry-run --settings=meetbridge.settings >/dev/null

# Every test on SQLite, then again on PostgreSQL when one is reachable (even after a failed
# SQLite pass); both outcomes are reported, and either failing fails the target.
test: $(STAMP) browser-deps lint
	@sh scripts/test-both.sh $(BIN)/python

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache

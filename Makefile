# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: run test lint unit bench install assets browser clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install -q --upgrade pip
	@$(BIN)/pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP) assets

## assets: Swagger UI (served by /docs) and axe-core (tests) from the npm registry, git-ignored
assets:
	@bash deploy/assets/fetch.sh

## browser: Debian's headless Chromium for the browser tests (apt-get when missing)
browser:
	@bash deploy/browser/setup.sh

## run: the whole service on the embedded default (SQLite + embedded event log) on :8000
run: $(STAMP) assets
	$(BIN)/vroegsignaal run $(if $(PORT),--port $(PORT))

## test: lint, types, and every test against real PostgreSQL and Kafka (started if needed)
test: $(STAMP) assets browser lint
	bash deploy/with-test-servers.sh $(BIN)/pytest -q -ra --durations=15

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## unit: the fast tests alone, no servers
unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

## bench: benchmarks against baselines measured in the same run (PostgreSQL and Kafka)
bench: $(STAMP)
	bash deploy/with-test-servers.sh $(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) var

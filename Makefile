# Two entry points for a newcomer: `make render` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
TOOLS  := tools/node_modules

.PHONY: render check test lint bench profile portable clean

$(BIN)/gitops-gen: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.dev-installed: $(BIN)/gitops-gen requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

$(TOOLS)/.installed: tools/package.json tools/package-lock.json
	cd tools && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

render: $(BIN)/gitops-gen   ## render catalog/ into rendered/ and .github/workflows/gitops-gen-*.yml
	$(BIN)/gitops-gen render

check: $(BIN)/gitops-gen    ## fail when rendered/ drifts from catalog/
	$(BIN)/gitops-gen check

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(VENV)/.dev-installed $(TOOLS)/.installed lint   ## lint, type-check and run the whole suite with the real tools
	PATH="$(CURDIR)/$(TOOLS)/.bin:$$PATH" $(BIN)/pytest -n 2

portable: $(BIN)/gitops-gen  ## render and check this repo as a platform without fork or fcntl would (Windows)
	$(BIN)/python tools/without_fork.py check
	$(BIN)/python tools/without_fork.py render --dry-run

bench: $(VENV)/.dev-installed   ## speed per catalog size against the write floor (a measurement, not a test)
	$(BIN)/python bench/run.py

profile: $(VENV)/.dev-installed ## where one cold 1,000-service render spends its time
	$(BIN)/python bench/profile.py

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache

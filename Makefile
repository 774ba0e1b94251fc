# Two commands do all set-up on a fresh machine (Python 3.11+ and the package index):
#   make run    create .venv, install casestats, run the full analysis of the bundled data
#   make test   create .venv, install casestats with its test tools, run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= output

.PHONY: run test lint docs bench clean

# `make run` needs only the runtime dependencies; the test tools come with `make test`.
$(BIN)/.installed-run: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(BIN)/.installed: $(BIN)/.installed-run
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

$(BIN)/.installed-docs: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test,docs]"
	touch $@

run: $(BIN)/.installed-run
	$(BIN)/python analyses/run_all.py --out $(OUT)

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q

# Offline, warnings as errors, every example executed.
docs: $(BIN)/.installed-docs
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/run.py

lint: $(BIN)/.installed
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .venv-pandas2.2 docs/_build $(OUT)

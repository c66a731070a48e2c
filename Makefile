# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test fuzz bench bench-scale bench-portfolio golden clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# ctrlmap alone, for the demo
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# ctrlmap with the test tools (pytest, pytest-cov, hypothesis, ruff, mypy, compliance-trestle)
$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/ctrlmap demo

test: $(VENV)/.installed-test
	$(BIN)/ruff check ctrlmap tests bench tools
	$(BIN)/ruff format --check ctrlmap tests bench tools
	$(BIN)/mypy
	$(BIN)/python tools/imports.py
	$(BIN)/pytest -q --cov=ctrlmap --cov-branch --cov-report=json:.coverage.json
	$(BIN)/python tools/coverage_floor.py .coverage.json

# The long fuzz run: 10,000 examples over tests/fuzz (make test runs a quick, fixed-seed share)
fuzz: $(VENV)/.installed-test
	CTRLMAP_FUZZ=fuzz $(BIN)/pytest -q tests/fuzz --hypothesis-show-statistics

bench: $(VENV)/.installed-test
	$(BIN)/python bench/run.py
	$(BIN)/python bench/oscal_bench.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/portfolio.py

# growth at 1x, 2x, 4x per input, and the 5,000-control target (exit 1 when it takes 10 s or more)
bench-scale: $(VENV)/.installed-test
	$(BIN)/python bench/scale.py

# `ctrlmap portfolio` over 1,000 and 2,000 generated clients (exit 1 when a target is missed)
bench-portfolio: $(VENV)/.installed-test
	$(BIN)/python bench/portfolio.py

golden: $(VENV)/.installed-test
	$(BIN)/pytest -q tests --update-golden

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .coverage .coverage.json

# make app   serve the dashboards on the built-in example estate
#            (POOL=2 make app: two pre-heated kernels per dashboard; POOL=1,overview=2 per
#            dashboard; MAX_KERNELS=16 pages at once; HOST=0.0.0.0 needs SERVE_ARGS=--token)
# make test  run the whole test suite (unit, doctest, nbval, browser)
# make lab   open the notebooks in JupyterLab
# make bench run the benchmarks (prints a table, writes bench/results/latest.json)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8866
POOL   ?= 1
MAX_KERNELS ?= 16
SERVE_ARGS ?=
# Jupyter refuses to run as root without --allow-root; CI and many containers run as root.
USER_ID ?= $(shell id -u)
LAB_ARGS ?= $(if $(filter 0,$(USER_ID)),--allow-root)

FOCUS_VENV := $(VENV)/focus-validator
FOCUS_VALIDATOR := $(FOCUS_VENV)/bin/focus-validator

.PHONY: app test unit lab bench install clean focus-validator

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "planner needs Python 3.11 or newer; set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[app,test]'
	@touch $(STAMP)

install: $(STAMP)

# The FOCUS validator needs numpy < 2: it gets a virtualenv of its own (tests/test_focus.py runs it)
$(FOCUS_VALIDATOR): tests/focus-validator.txt
	@test -x $(FOCUS_VENV)/bin/python || $(PYTHON) -m venv $(FOCUS_VENV)
	$(FOCUS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r tests/focus-validator.txt
	@touch $@

focus-validator: $(FOCUS_VALIDATOR)

app: $(STAMP)
	$(BIN)/python -m planner.serve --host $(HOST) --port $(PORT) --pool $(POOL) --max-kernels $(MAX_KERNELS) $(SERVE_ARGS)

lab: $(STAMP)
	$(BIN)/jupyter lab --ip=$(HOST) $(LAB_ARGS) notebooks/

test: $(STAMP) $(FOCUS_VALIDATOR)
	$(BIN)/python -m pytest

unit: $(STAMP) $(FOCUS_VALIDATOR)
	$(BIN)/python -m pytest -m "not browser and not slow"

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build dist *.egg-info test-artifacts

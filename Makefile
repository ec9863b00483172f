# faxgui: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python

.PHONY: run test lint check bench sandbox package clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Stamp files so a second `make run` / `make test` does not reinstall.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

## Open the app on the embedded sandbox (no account needed).
run: $(VENV)/.installed
	$(BIN)/faxgui

## Run the embedded Monopond-compatible sandbox on its own (PORT=8080 SPEED=10).
sandbox: $(VENV)/.installed
	$(BIN)/faxgui-sandbox --port $(or $(PORT),8080) --speed $(or $(SPEED),10)

## Static checks: ruff, import contracts, mypy on the Qt-free packages.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check faxgui resources tests
	$(BIN)/ruff format --check faxgui resources tests
	$(BIN)/lint-imports
	$(BIN)/mypy

## The whole suite, headless. pytest exits 5 when it collected nothing: that fails too.
test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest

## Benchmarks, each reported as a ratio against a baseline measured in the same run.
## Ghostscript is the fax rasteriser's baseline: installed from Debian's packages (as root)
## when missing; without it that one benchmark is skipped.
bench: $(VENV)/.installed-test
	command -v gs >/dev/null || { apt-get update -qq && apt-get install -y -qq ghostscript; } \
		|| echo "Ghostscript could not be installed: the fax rasteriser benchmark will be skipped"
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest tests/benchmarks -s

## The one-folder bundle for this machine (dist/faxgui), its self-test run frozen in a clean
## environment and held to the budgets; on Linux also the tarball (dist/faxgui-*.tar.gz).
## Installs what it needs into build/package-venv (see packaging/build_bundle.py).
package:
	$(PYTHON) packaging/build_bundle.py
ifeq ($(shell uname -s),Linux)
	packaging/linux/make_tarball.sh
endif

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache

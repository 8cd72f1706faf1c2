# The targets the README tells people to type. Each one sets up what it needs first.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
SW      := $(BIN)/stagewise
EXTRAS  ?= dev,lessons,docs

.PHONY: help venv engine engine-down images demo lint test test-fast lessons docs bench clean

help:
	@echo "make demo   - the main job: engine, base images, and a bundled example checked for real"
	@echo "make test   - the whole test suite (sets up venv, engine and images first)"
	@echo "make engine / engine-down / images / lint / lessons / docs / bench"

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[$(EXTRAS)]'
	@touch $@

venv: $(VENV)/.installed

engine: venv
	$(SW) engine up

engine-down: venv
	$(SW) engine down

images: engine
	$(SW) images prepare

demo: images
	$(SW) demo

lint: venv
	$(BIN)/ruff check checker tests benchmarks
	$(BIN)/mypy

test: images lint
	$(BIN)/pytest -ra

test-fast: venv
	$(BIN)/pytest -ra -m "not engine"

bench: images
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) site .pytest_cache .mypy_cache .ruff_cache

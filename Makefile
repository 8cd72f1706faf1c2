# The targets the README tells people to type. Each one sets up what it needs first.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
SW      := $(BIN)/stagewise
EXTRAS  ?= dev,lessons,docs

.PHONY: help venv engine engine-down images demo lint test test-fast lessons lessons-save chromium docs bench clean

help:
	@echo "make demo   - the main job: engine, base images, a bundled example built for real, a sample class graded"
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

# The main job: a multi-stage build measured next to its single-stage twin, then a sample class graded.
demo: images
	$(SW) demo
	$(SW) grade examples/sample-class --out grades

lint: venv
	$(BIN)/ruff check checker tests benchmarks conftest.py
	$(BIN)/mypy

NBVAL   := --nbval lessons/ --nbval-sanitize-with lessons/nbval-sanitize.cfg

# Two workers (pytest-xdist) run the tests and the lesson notebooks side by side (each notebook whole on one
# worker, the site built once: see conftest.py); then, alone, the grading tests (grading prunes the
# build-cache records made while it ran) and the image-kit tests (they rebuild base images).
ALONE := tests/grade tests/images

test: images lint chromium
	$(BIN)/pytest -ra -n 2 --dist loadgroup tests $(addprefix --ignore=,$(ALONE)) $(NBVAL)
	$(BIN)/pytest -ra $(ALONE)

test-fast: venv
	$(BIN)/pytest -ra -m "not engine"

lessons: images
	$(BIN)/pytest -ra $(NBVAL)

# Re-execute every lesson and save its outputs in place (what the site shows).
lessons-save: images
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=600 lessons/*.ipynb

# The site's browser tests use Debian's Chromium (Playwright's own download does not work offline).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

docs: venv
	$(BIN)/python -m checker.docs_site
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

bench: images
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) site .pytest_cache .mypy_cache .ruff_cache

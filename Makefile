# The two commands a newcomer runs:
#   make demo   set up, then crawl the bundled fixture portal offline into data/newscrawler.sqlite
#   make test   set up, then run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test clean

$(BIN)/newscrawler: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/newscrawler

demo: setup
	mkdir -p data
	rm -f data/zjdaily.jsonl
	$(BIN)/newscrawler crawl zjdaily --replay fixtures/zjdaily --db data/newscrawler.sqlite --output data/zjdaily.jsonl

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) data

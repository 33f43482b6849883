# ChickGraph: two commands for a new user: `make run` (the main job) and `make test`.
# Everything is installed into .venv and .local/ (git-ignored); downloads are cached
# (~/.m2 for Maven, ~/.cache/pip for pip).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CORPUS ?=

.PHONY: install run test test-unit lint neo4j-start neo4j-stop bench clean help enrich-db

help:
	@echo "make run    - install, start the local Neo4j (unless NEO4J_URI is set), load the corpus"
	@echo "make test   - install, provision Neo4j for the tests, run pytest (unit + integration)"
	@echo "make lint   - ruff"
	@echo "make enrich-db - obtain org.Hs.eg.db (apt-get download) for the enrichment and its tests"
	@echo "make bench  - benchmarks (bench/), not part of the tests"

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,dask,plots]'
	touch $@

install: $(BIN)/.installed

neo4j-start: install
	@if [ -z "$$NEO4J_URI" ]; then $(BIN)/chickgraph neo4j start; else echo "NEO4J_URI is set: using $$NEO4J_URI"; fi

neo4j-stop: install
	$(BIN)/chickgraph neo4j stop

run: neo4j-start
	$(BIN)/chickgraph ingest $(CORPUS)

# Unit tests run on every core (pytest-xdist: they share nothing); integration tests one at a
# time, since they share one server and the graph each leaves behind.
test: install
	@if [ -z "$$NEO4J_URI" ]; then $(BIN)/chickgraph neo4j install; fi
	$(BIN)/python -m pytest tests/unit -n auto
	$(BIN)/python -m pytest tests/integration

test-unit: install
	$(BIN)/python -m pytest tests/unit -n auto

enrich-db: install
	$(BIN)/chickgraph enrich human --fetch-only

lint: install
	$(BIN)/ruff check pipeline tests bench

# bench starts its own server (.local/neo4j-bench, port 17689; see bench/common.py), never
# the one of `make run`, and writes bench/RESULTS.md
bench: install
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .local

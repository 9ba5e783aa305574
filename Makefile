# The README's commands. `make run` and `make test` each set up everything they need on a
# fresh machine: the virtualenv, the Python packages, the local Neo4j (from Maven Central).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.package-lock.json
# make test runs the suite in this many processes (pytest-xdist), each with a Neo4j of its own; one
# when NEO4J_URI names a server (all would write to it).
TEST_WORKERS ?= $(if $(NEO4J_URI),1,2)

.DEFAULT_GOAL := help
.PHONY: help install run test lint typecheck schema bench bench-peer load fuzz races clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "deptgraph needs Python 3.11+; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 18+ (it fetches GraphiQL and Cytoscape.js)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error

install: $(STAMP) $(NODE_STAMP) ## Create .venv, install deptgraph with its tools, and the front-end packages

run: install ## Provision Neo4j if needed, seed an empty database, serve on http://127.0.0.1:8000
	$(BIN)/deptgraph serve

test: install ## Provision Neo4j if needed and run the whole test suite
	$(BIN)/deptgraph neo4j install
	scripts/ensure-chromium
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --cov --cov-report=term:skip-covered

lint: install ## ruff (lint and format check) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install ## Benchmarks: seed load times, then the read API beside hand-written Cypher
	$(BIN)/python -m bench.seed_load $(BENCH_SIZE_ARGS)
	$(BIN)/python -m bench.api $(BENCH_SIZE_ARGS) $(BENCH_API_ARGS)

bench-peer: install ## deptgraph beside @neo4j/graphql (../shared/peer), cache on and off (PEER=… to point elsewhere)
	$(BIN)/deptgraph neo4j install
	$(BIN)/python -m bench.peer $(if $(PEER),--peer $(PEER)) $(BENCH_PEER_ARGS)

load: install ## 60 s of 50 readers + an editor, with Neo4j stopped for 10 s in the middle (prints a report)
	$(BIN)/deptgraph neo4j install
	$(BIN)/python -m bench.load $(LOAD_ARGS)

fuzz: install ## A longer fuzz run with a random seed (FUZZ_EXAMPLES=5000 by default)
	$(BIN)/deptgraph neo4j install
	$(BIN)/pytest tests/test_fuzz.py tests/test_execution.py --fuzz-random --fuzz-examples=$${FUZZ_EXAMPLES:-5000}

races: install ## Racing writers for RACE_SECONDS (300 by default), then deptgraph check (prints a report)
	$(BIN)/deptgraph neo4j install
	$(BIN)/pytest tests/test_races.py -s -p no:cacheprovider --race-seconds=$${RACE_SECONDS:-300}

schema: install ## Refresh api/schema.graphql from the code
	$(BIN)/deptgraph schema -o api/schema.graphql

clean: ## Remove the virtualenv and node_modules (the Neo4j home .neo4j/ is kept; delete it by hand)
	rm -rf $(VENV) node_modules

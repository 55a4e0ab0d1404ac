# Pluto: `make serve` to run it, `make test` to check it. Both set up what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv setup serve cluster test system-deps test-sqlite test-postgres-s3 test-postgres test-s3 fuzz lint fmt bench validate clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[server,dev]'
	touch $(STAMP)

venv: $(STAMP)

setup: venv
	scripts/install-pipeline-tools
	$(BIN)/pluto migrate
	$(BIN)/pluto demo --pipelines

serve: setup
	$(BIN)/pluto serve --host $(HOST) --port $(PORT)

# PostgreSQL, an S3 server, two web nodes, two workers and nginx in front, all on loopback;
# prints nginx's URL and a token, and stops everything on Ctrl-C.
cluster: venv
	scripts/install-nginx
	$(BIN)/python -m tests.cluster.cluster

# Two passes of the whole suite: the embedded set-up (SQLite, a local folder) and the
# scaled-out one (PostgreSQL, an S3 server). They share nothing (each has its own data
# directory, database and store), so they run side by side, with the linters beside them;
# each pass's output is printed whole when it ends. The slowest tests that are the same on
# either database (marked one_pass in tests/conftest.py: the API fuzzing, the pipelines, the
# benchmark smoke run, the cluster) run in the PostgreSQL+S3 pass only, so that the two
# passes end at about the same time.
test: venv system-deps
	$(MAKE) --no-print-directory -j3 --output-sync=target lint test-sqlite test-postgres-s3 \
		SQLITE_ALSO_LEAVES_OUT="and not one_pass" POSTGRESQL_ALSO_RUNS="or one_pass"

# R (with DESeq2, survival, httr, jsonlite, rjson) for the R client's tests and the checks
# against R;
# Chromium for the browser tests; fastp, salmon, samtools, bowtie2, macs2, bedtools and
# deepTools' bamCoverage for the pipelines;
# nginx for the cluster tests. All from Debian's packages, installed when missing.
system-deps:
	scripts/install-nginx
	scripts/install-pipeline-tools
	scripts/install-r
	scripts/install-chromium

# On its own, the whole suite but what needs PostgreSQL; in `make test`, without the tests
# marked one_pass, which the PostgreSQL+S3 pass runs.
test-sqlite: venv system-deps
	$(BIN)/pytest -m "not postgresql_only $(SQLITE_ALSO_LEAVES_OUT)"

# PostgreSQL and SeaweedFS started for the run. The tests that start Pluto processes on their
# own SQLite file, and those of what only the local folder does, run in the SQLite pass only;
# in `make test`, but for those of them marked one_pass (tests/conftest.py), which run here.
test-postgres-s3: venv system-deps
	scripts/with-postgres scripts/with-s3 $(BIN)/pytest \
		-m "(not own_database $(POSTGRESQL_ALSO_RUNS)) and not local_storage"

# Each of the two on its own, with the other part embedded.
test-postgres: venv system-deps
	scripts/with-postgres $(BIN)/pytest -m "not own_database"

test-s3: venv system-deps
	scripts/with-s3 $(BIN)/pytest -m "not own_database and not local_storage and not postgresql_only"

# The API fuzzing on its own, on PostgreSQL, with new examples each run and more of them than
# in `make test` (FUZZ_EXAMPLES per operation).
FUZZ_EXAMPLES ?= 50
fuzz: venv system-deps
	PLUTO_FUZZ_FRESH=1 PLUTO_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) scripts/with-postgres \
		$(BIN)/pytest tests/test_api_fuzz.py

lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src tests bench

fmt: venv
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: venv
	$(BIN)/python -m bench

# Every analysis kind against its reference in R (scripts/validate_*.py), each printing its
# figures: differential expression against DESeq2 on the demo and a generated data set,
# survival against R's survival (survfit, survdiff, coxph) on the survival demo cohort and
# generated cohorts with ties, ...
validate: venv
	scripts/install-r
	set -e; for check in scripts/validate_*.py; do echo "== $$check"; $(BIN)/python $$check; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

# The two commands: `make demo` and `make test`. Both install what is missing first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_MAJOR := 15
POSTGIS_CONTROL := /usr/share/postgresql/$(PG_MAJOR)/extension/postgis.control

.PHONY: demo test test-fast test-ui test-real-schema check-defs install system-deps lint bench db-down

demo: install
	$(BIN)/maint-assets demo

# Four worker processes, each with its own servers (cluster, S3, SMTP, ...) on free ports; a
# test file stays on one worker, so its module fixtures are made once, and the files go out
# longest first, as maint_assets_tests/durations.json recorded them (PYTEST_ARGS=
# --record-durations refreshes it). Much of the suite waits on servers and daemons, so four
# workers pay off on two cores (docs/testing.md).
test: install
	$(BIN)/ruff check .
	$(MAKE) --no-print-directory check-defs
	$(BIN)/pytest -n 4 --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

# No server started: the definitions load (dg, as the webserver loads them) and the tests that
# use no PostgreSQL, S3, SMTP or Pushgateway (< 60 s).
test-fast: install
	$(MAKE) --no-print-directory check-defs
	$(BIN)/pytest -m "not servers and not ui" -q

# dg loads the code location with a throwaway instance (the checkout's dagster.yaml needs the
# deployment's storage).
check-defs:
	@home=$$(mktemp -d) && touch $$home/dagster.yaml && trap 'rm -rf "$$home"' EXIT && \
	  DAGSTER_HOME=$$home VIRTUAL_ENV=$(CURDIR)/$(VENV) PATH=$(CURDIR)/$(BIN):$$PATH \
	  $(BIN)/dg check defs

# A fresh demo driven in headless Chromium (about 15 minutes; not part of `make test`).
test-ui: install
	$(BIN)/pytest -m ui --timeout 2400

# The atlas API's own functions on production's real schema, fetched from its public repository
# (ATLAS_DB_GIT_DIR: a mirror; it has no licence, so it is not committed; not part of `make test`).
test-real-schema: install
	$(BIN)/pytest -m real_schema -n 1

# Client-API-VN pins SQLAlchemy < 2: it gets its own virtualenv under .maint/ (idempotent).
install: system-deps $(STAMP)
	@test -x .maint/client-api-vn/bin/transfer_vn || \
	  echo "==> Client-API-VN's own virtualenv under .maint/client-api-vn (about a minute)"
	@$(BIN)/maint-assets vn install-tool >/dev/null

# Step lines instead of pip's ~300 lines of output.
$(STAMP): pyproject.toml
	@echo "==> [1/3] virtualenv $(VENV)"
	@$(PYTHON) -m venv $(VENV)
	@echo "==> [2/3] pip"
	@$(BIN)/pip install -q --upgrade pip
	@echo "==> [3/3] maint_assets with Dagster and the test tools (2-3 minutes the first time)"
	@$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)
	@echo "==> installed: $(BIN)/maint-assets"

# PostgreSQL 15 + PostGIS, the Prometheus Pushgateway the metrics tests push to, promtool
# (package prometheus) that checks the alert rules and the Chromium the UI test renders with,
# from
# Debian when we can install them (root on Debian); otherwise the cluster code and the tests
# stop with a message naming the packages.
DEBIAN_PACKAGES := postgresql-$(PG_MAJOR) postgresql-$(PG_MAJOR)-postgis-3 prometheus-pushgateway \
	prometheus chromium
system-deps:
	@if [ ! -x /usr/lib/postgresql/$(PG_MAJOR)/bin/pg_ctl ] || [ ! -f $(POSTGIS_CONTROL) ] \
	    || ! command -v prometheus-pushgateway >/dev/null || ! command -v promtool >/dev/null \
	    || ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing $(DEBIAN_PACKAGES)"; \
	    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	      $(DEBIAN_PACKAGES) >/dev/null; \
	  else \
	    echo "missing: install the Debian packages $(DEBIAN_PACKAGES)"; \
	  fi; \
	fi

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python bench/atlas_full_refresh.py

db-down: install
	$(BIN)/maint-assets db down

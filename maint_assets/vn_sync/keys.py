"""Schemas, tables, asset keys, pool, group, owners and SQL files of the VisioNature graph.

Production's tables are ``vn_sync/src_vn_json/<table>``. The check copy is one schema-level
asset, ``vn_sync/schema/vn_check_copy``: its three tables have transfer_vn's names, the same as
production's, and are downloaded and merged together in one step."""

import dagster as dg

DOMAIN = "vn_sync"
GROUP_VN_SYNC = "vn_sync"
# One download or repair at a time against the mirror's database.
POOL_VN_DB = "vn_db"
OWNERS = ["team:vn_sync"]
SQL_DIR = "vn_sync"

PRODUCTION = "src_vn_json"
CHECK = "src_vn_json_check"
# Where the window download lands before it is merged into the check copy.
WINDOW_STAGING = "src_vn_json_check_window"

OBSERVATIONS = "observations_json"
FORMS = "forms_json"
PLACES = "places_json"
# Reconciled in this order: a form or place goes only when no observation still refers to
# it, so observations go first (the repair writes forms before their sightings and deletes
# them after: reconcile.py).
TABLES = (OBSERVATIONS, FORMS, PLACES)
# The only tables transfer_vn deletes from (--update, on the source's diff).
CAPTURED = (OBSERVATIONS, PLACES)
# The transfer_vn controler that downloads each table.
CONTROLERS = {OBSERVATIONS: "observations", FORMS: "observations", PLACES: "places"}
# Downloaded with each window, for the territorial unit of each place (coverage.sql).
REFERENCE_CONTROLERS = {"local_admin_units", "territorial_units", "taxo_groups", "places"}

VN_CHECK_COPY = dg.AssetKey([DOMAIN, "schema", "vn_check_copy"])
PRODUCTION_TABLES = {table: dg.AssetKey([DOMAIN, PRODUCTION, table]) for table in TABLES}

# SQL files: the check copy's merge, and the modules whose statements both assets run.
SQL_VN_CHECK_COPY = f"{SQL_DIR}/vn_check_copy"
SQL_RECONCILE = f"{SQL_DIR}/reconcile"
SQL_COVERAGE = f"{SQL_DIR}/coverage"
SQL_BOOKKEEPING = f"{SQL_DIR}/bookkeeping"
SQL_CHECKS = f"{SQL_DIR}/checks"

"""Schemas, tables, keys and pool of the VisioNature graph: keys are ``vn/<schema>/<table>``."""

import dagster as dg

PRODUCTION = "src_vn_json"
CHECK = "src_vn_json_check"
# Where the window download lands before it is merged into the check copy.
WINDOW_STAGING = "src_vn_json_check_window"

OBSERVATIONS = "observations_json"
FORMS = "forms_json"
PLACES = "places_json"
# Reconciled in this order: a form or place goes only when no observation still refers to
# it, so observations go first.
TABLES = (OBSERVATIONS, FORMS, PLACES)
# The only tables transfer_vn deletes from (--update, on the source's diff).
CAPTURED = (OBSERVATIONS, PLACES)
# The transfer_vn controler that downloads each table.
CONTROLERS = {OBSERVATIONS: "observations", FORMS: "observations", PLACES: "places"}
# Downloaded with each window, for the territorial unit of each place (coverage.sql).
REFERENCE_CONTROLERS = {"local_admin_units", "territorial_units", "taxo_groups", "places"}

DB = "vn_db"
POOL = "vn_db"
GROUP = "vn_sync"


def key(schema: str, table: str) -> dg.AssetKey:
    return dg.AssetKey(["vn", schema, table])

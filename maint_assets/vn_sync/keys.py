"""Schemas, tables, keys and pool of the VisioNature graph: keys are ``vn/<schema>/<table>``."""

import dagster as dg

PRODUCTION = "src_vn_json"
CHECK = "src_vn_json_check"
# Where the window download lands before it replaces the window of the check copy.
WINDOW_STAGING = "src_vn_json_check_window"

OBSERVATIONS = "observations_json"
FORMS = "forms_json"
PLACES = "places_json"
# Reconciled in this order: forms and places are deleted only when no observation of the
# target still refers to them, so observations go first.
TABLES = (OBSERVATIONS, FORMS, PLACES)
# The transfer_vn controler that downloads each table.
CONTROLERS = {OBSERVATIONS: "observations", FORMS: "observations", PLACES: "places"}

DB = "vn_db"
POOL = "vn_db"
GROUP = "vn_sync"


def key(schema: str, table: str) -> dg.AssetKey:
    return dg.AssetKey(["vn", schema, table])

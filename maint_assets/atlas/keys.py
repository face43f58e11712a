"""Asset keys, groups and pool of the atlas graph: keys are ``atlas/<schema>/<table>``."""

from datetime import timedelta

import dagster as dg

DB = "atlas_db"
POOL = "atlas_db"
SOURCES = "atlas_sources"
TAXONOMY = "atlas_taxonomy"
SPATIAL = "atlas_spatial"


def key(schema: str, table: str) -> dg.AssetKey:
    return dg.AssetKey(["atlas", schema, table])


# Changes refresh the derived assets within minutes and the weekly schedule refreshes them all;
# a derived asset older than a week means both failed.
FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(days=8), warn_window=timedelta(days=7, hours=1)
)

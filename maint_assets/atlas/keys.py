"""Asset keys, groups and pool of the atlas graph: keys are ``atlas/<schema>/<table>``."""

import dagster as dg

DB = "atlas_db"
POOL = "atlas_db"
SOURCES = "atlas_sources"
TAXONOMY = "atlas_taxonomy"
SPATIAL = "atlas_spatial"


def key(schema: str, table: str) -> dg.AssetKey:
    return dg.AssetKey(["atlas", schema, table])

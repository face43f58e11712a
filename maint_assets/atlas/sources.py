"""Tables the atlas graph reads but does not write: loaded by ingestion or seeded by hand."""

import dagster as dg

from maint_assets.atlas.keys import SOURCES, key


def _source(schema: str, table: str, description: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        key(schema, table), group_name=SOURCES, description=description, kinds={"postgres", "table"}
    )


observations = _source(
    "public", "observations", "Observations (PostGIS points), partitioned by within_quebec."
)
taxa_obs = _source("public", "taxa_obs", "Taxon names as delivered by the data sources.")
regions = _source("public", "regions", "Regions (PostGIS multipolygons) of every type and scale.")
datasets = _source("public", "datasets", "Datasets the observations come from.")
taxa_groups = _source("public", "taxa_groups", "Taxonomic groups (static seed).")
taxa_group_members = _source(
    "public", "taxa_group_members", "Scientific names defining each group (static seed)."
)
regions_zoom_lookup = _source(
    "atlas_api",
    "regions_zoom_lookup",
    "Which (type, scale) levels are counted, and their map zoom.",
)
taxa_ref_sources = _source("api", "taxa_ref_sources", "Priority of each taxonomic source.")
taxa_vernacular_sources = _source(
    "api", "taxa_vernacular_sources", "Priority of each vernacular-name source."
)

ALL = [
    observations,
    taxa_obs,
    regions,
    datasets,
    taxa_groups,
    taxa_group_members,
    regions_zoom_lookup,
    taxa_ref_sources,
    taxa_vernacular_sources,
]

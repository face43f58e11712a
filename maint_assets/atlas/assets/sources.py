"""Tables the atlas graph reads but does not write: loaded by ingestion or seeded by hand."""

import dagster as dg

from maint_assets.atlas.keys import (
    DATASETS,
    GROUP_SOURCES,
    OBSERVATIONS,
    OWNERS,
    REGIONS,
    REGIONS_ZOOM_LOOKUP,
    TAXA_GROUP_MEMBERS,
    TAXA_GROUPS,
    TAXA_OBS,
    TAXA_REF_SOURCES,
    TAXA_VERNACULAR_SOURCES,
)


def _source(key: dg.AssetKey, description: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        key,
        group_name=GROUP_SOURCES,
        description=description,
        owners=OWNERS,
        kinds={"postgres", "table"},
    )


observations = _source(OBSERVATIONS, "Observations (PostGIS points), partitioned by within_quebec.")
taxa_obs = _source(TAXA_OBS, "Taxon names as delivered by the data sources.")
regions = _source(REGIONS, "Regions (PostGIS multipolygons) of every type and scale.")
datasets = _source(
    DATASETS,
    "Datasets the observations come from. Shares its short name with the catalogue's "
    "public.datasets: both table names are fixed by the systems that read them.",
)
taxa_groups = _source(TAXA_GROUPS, "Taxonomic groups (static seed).")
taxa_group_members = _source(
    TAXA_GROUP_MEMBERS, "Scientific names defining each group (static seed)."
)
regions_zoom_lookup = _source(
    REGIONS_ZOOM_LOOKUP, "Which (type, scale) levels are counted, and their map zoom."
)
taxa_ref_sources = _source(TAXA_REF_SOURCES, "Priority of each taxonomic source.")
taxa_vernacular_sources = _source(
    TAXA_VERNACULAR_SOURCES, "Priority of each vernacular-name source."
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

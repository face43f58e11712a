"""Tables the atlas graph reads but does not write: loaded by ingestion or seeded by hand.

Each sits in the group of the chain it feeds, so that the lineage shows it beside what it
feeds (observations feed the taxonomy's group lookup too, but mostly the counts)."""

import dagster as dg

from maint_assets.atlas.keys import (
    DATASETS,
    GROUP_SPATIAL,
    GROUP_TAXONOMY,
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


def _source(key: dg.AssetKey, group: str, description: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        key,
        group_name=group,
        description=description,
        owners=OWNERS,
        kinds={"postgres", "table"},
    )


observations = _source(
    OBSERVATIONS, GROUP_SPATIAL, "Observations (PostGIS points), partitioned by within_quebec."
)
taxa_obs = _source(TAXA_OBS, GROUP_TAXONOMY, "Taxon names as delivered by the data sources.")
regions = _source(
    REGIONS, GROUP_SPATIAL, "Regions (PostGIS multipolygons) of every type and scale."
)
datasets = _source(
    DATASETS,
    GROUP_SPATIAL,
    "Datasets the observations come from. Shares its short name with the catalogue's "
    "public.datasets: both table names are fixed by the systems that read them.",
)
taxa_groups = _source(TAXA_GROUPS, GROUP_TAXONOMY, "Taxonomic groups (static seed).")
taxa_group_members = _source(
    TAXA_GROUP_MEMBERS, GROUP_TAXONOMY, "Scientific names defining each group (static seed)."
)
regions_zoom_lookup = _source(
    REGIONS_ZOOM_LOOKUP,
    GROUP_SPATIAL,
    "Which (type, scale) levels are counted, and their map zoom.",
)
taxa_ref_sources = _source(TAXA_REF_SOURCES, GROUP_TAXONOMY, "Priority of each taxonomic source.")
taxa_vernacular_sources = _source(
    TAXA_VERNACULAR_SOURCES, GROUP_TAXONOMY, "Priority of each vernacular-name source."
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

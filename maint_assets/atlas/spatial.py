"""The spatial chain: region outlines for the web map and point-in-polygon count tables."""

from maint_assets.atlas import sources
from maint_assets.atlas.keys import DB, POOL, SPATIAL, key
from maint_assets.core.automation import EAGER
from maint_assets.core.sql_assets import matview_asset, rebuilt_table_asset

WEB_REGIONS = key("atlas_api", "web_regions")
OBS_REGION_COUNTS = key("atlas_api", "obs_region_counts")
OBS_REGIONS_TAXA_DATASETS_COUNTS = key("atlas_api", "obs_regions_taxa_datasets_counts")

_COUNT_DEPS = [sources.observations, sources.regions, sources.regions_zoom_lookup]

web_regions = matview_asset(
    WEB_REGIONS,
    deps=[sources.regions, sources.regions_zoom_lookup],
    db=DB,
    group=SPATIAL,
    pool=POOL,
    automation_condition=EAGER,
    description="Region outlines simplified for the zoom level each level is shown at.",
)

obs_region_counts = rebuilt_table_asset(
    OBS_REGION_COUNTS,
    sql_group="atlas/obs_region_counts",
    deps=_COUNT_DEPS,
    db=DB,
    group=SPATIAL,
    pool=POOL,
    automation_condition=EAGER,
    description="Observations per region, taxon and year, for every counted region level.",
)

obs_regions_taxa_datasets_counts = rebuilt_table_asset(
    OBS_REGIONS_TAXA_DATASETS_COUNTS,
    sql_group="atlas/obs_regions_taxa_datasets_counts",
    deps=_COUNT_DEPS,
    db=DB,
    group=SPATIAL,
    pool=POOL,
    automation_condition=EAGER,
    description="Observations per region, taxon and dataset, with first and last year.",
)

ASSETS = [web_regions, obs_region_counts, obs_regions_taxa_datasets_counts]

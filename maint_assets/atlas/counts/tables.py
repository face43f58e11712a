"""The tables the count refresh keeps and how it is bounded: the two public count tables, the
detail and the counted levels they are made from, and their copies in the build schema."""

from __future__ import annotations

from dataclasses import dataclass

from maint_assets.atlas.counts.touched_check import TouchedCheck
from maint_assets.atlas.keys import SQL_OBS_REGION_COUNTS, SQL_OBS_REGIONS_TAXA_DATASETS_COUNTS
from maint_assets.core.paths import SQL_DIR
from maint_assets.core.refresh import BUILD_SCHEMA

SOURCES = ["observations", "regions", "regions_zoom_lookup"]
# Both tables are refreshed together: one maintenance lock (named after the first, as an
# operator's psql session takes it) and one change-log consumer.
LOCK = "atlas/atlas_api/obs_region_counts"
CONSUMER = "atlas/counts"
# Holds the change log back while a rebuild runs (rebuild.py); released by the next
# refresh that records CONSUMER's position, so a rebuild that died leaves no hold behind.
REBUILDING = "atlas/counts: rebuilding"
REGION_COUNTS = "obs_region_counts"
DATASET_COUNTS = "obs_regions_taxa_datasets_counts"
# The SQL file of each count table's own statements.
SQL_FILES = {
    REGION_COUNTS: SQL_OBS_REGION_COUNTS,
    DATASET_COUNTS: SQL_OBS_REGIONS_TAXA_DATASETS_COUNTS,
}
PUBLIC = {
    REGION_COUNTS: ("atlas_api", REGION_COUNTS),
    DATASET_COUNTS: ("atlas_api", DATASET_COUNTS),
}
DETAIL = ("maint_assets", "region_taxon_dataset_year_counts")
LEVELS = ("maint_assets", "counted_levels")
COUNT_TABLES_DDL = SQL_DIR / "atlas" / "schema" / "45_count_tables.sql"


class NeedsRebuild(RuntimeError):
    """An incremental refresh is not possible (or not allowed here); the message says why."""


class CountsDrifted(RuntimeError):
    """Rows the refresh touched disagree with what they are made from."""

    def __init__(self, check: TouchedCheck) -> None:
        super().__init__(check.summary())
        self.check = check


class DriftedRebuildCut(RuntimeError):
    """The session rebuilding the tables after rows disagreed was lost: not an error a step is
    run again on, since the run again would find the tables rebuilt (if the server committed)
    and pass, and the disagreement would be reported nowhere."""


@dataclass(frozen=True)
class Limits:
    max_incremental_changes: int = 200_000
    max_region_recounts: int = 2_000
    swap_timeout_s: float = 600.0


@dataclass(frozen=True)
class TableChange:
    rows: int
    added: int
    updated: int
    removed: int


@dataclass(frozen=True)
class CountTables:
    """Where a refresh writes: the live tables, or their copies in the build schema. (The
    cells are a cache of the regions, kept in place: see sync_cells.)"""

    levels: tuple[str, str]
    detail: tuple[str, str]
    counts: dict[str, tuple[str, str]]

    @classmethod
    def live(cls) -> CountTables:
        return cls(levels=LEVELS, detail=DETAIL, counts=dict(PUBLIC))

    @classmethod
    def build(cls) -> CountTables:
        return cls(
            levels=(BUILD_SCHEMA, LEVELS[1]),
            detail=(BUILD_SCHEMA, DETAIL[1]),
            counts={name: (BUILD_SCHEMA, name) for name in PUBLIC},
        )

    def all(self) -> list[tuple[str, str]]:
        return [self.levels, self.detail, *self.counts.values()]

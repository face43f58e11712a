"""The atlas dumps, each proven to restore by its check (checks.py).

Each dump is written from one exported snapshot (the dump and the row counts of its manifest
agree), stored in the artifact store with its SHA-256, and pruned by the store's retention
policy. Its blocking restore check loads the stored copy its run wrote (checksum verified)
into a scratch database, after the dumps it needs, and compares the tables and row counts with
the manifest: when a dump does not restore, the staging database of the same run is not
rebuilt.
"""

import tempfile
from collections.abc import Callable
from pathlib import Path

import dagster as dg
from pydantic import Field

from maint_assets.atlas.assets import sources
from maint_assets.atlas.backups import dumps
from maint_assets.atlas.keys import (
    DUMP_FOLDERS,
    GROUP_BACKUPS,
    OBSERVATIONS_SAMPLE_DUMP,
    OWNERS,
    POOL_ATLAS_DUMPS,
    REFERENCE_DATA_DUMP,
    REGIONS_DUMP,
    RESTORE_CHECK,
    ROLES_DUMP,
    ROLES_RESTORE_CHECK,
    SCHEMA_DUMP,
    TAXA_OBS_REF_LOOKUP,
    TAXA_OBS_VERNACULAR_LOOKUP,
    TAXA_REF,
    TAXA_VERNACULAR,
)
from maint_assets.core.artifacts import ArtifactStore, put_artifact
from maint_assets.core.automation import WEEKLY_FRESHNESS
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.run_config import check_run_config
from maint_assets.core.snapshots import open_snapshot

# What each dump needs loaded before it, in order.
PREREQUISITES = {
    SCHEMA_DUMP: [],
    REFERENCE_DATA_DUMP: [SCHEMA_DUMP],
    REGIONS_DUMP: [SCHEMA_DUMP],
    OBSERVATIONS_SAMPLE_DUMP: [SCHEMA_DUMP, REFERENCE_DATA_DUMP, REGIONS_DUMP],
}


class DumpConfig(dg.Config):
    """The dumps without settings of their own."""


class ReferenceDumpConfig(dg.Config):
    tables: list[str] = Field(
        default=dumps.REFERENCE_TABLES, description="schema-qualified tables; each must exist"
    )


class SampleDumpConfig(dg.Config):
    rows: int = Field(default=60_000, ge=1, description="observations in the sample")
    seed: int = Field(default=1, description="same seed and same rows: same sample")


def _dump_asset(
    asset_key: dg.AssetKey,
    deps: list,
    description: str,
    write: Callable[..., dumps.Dump],
    config_type: type[dg.Config] = DumpConfig,
) -> dg.AssetsDefinition:
    @dg.asset(
        key=asset_key,
        deps=deps,
        group_name=GROUP_BACKUPS,
        pool=POOL_ATLAS_DUMPS,
        owners=OWNERS,
        freshness_policy=WEEKLY_FRESHNESS,
        kinds={"postgres", "s3"},
        description=description,
    )
    def _dump(
        context: dg.AssetExecutionContext,
        config: config_type,  # type: ignore[valid-type]
        atlas_db: PostgresResource,
        artifacts: ArtifactStore,
    ) -> dg.MaterializeResult:
        check_run_config(context)
        with atlas_db.connect() as conn, tempfile.TemporaryDirectory() as tmp:
            snapshot = open_snapshot(conn, atlas_db.url)
            try:
                dump = write(snapshot, Path(tmp), config)
            finally:
                conn.execute("ROLLBACK")
            recorded = put_artifact(
                context,
                artifacts,
                dump.path,
                DUMP_FOLDERS[asset_key],
                {
                    "format": dump.format,
                    "source": atlas_db.describe(),
                    "server_version": snapshot.server_version,
                    "tables": dump.tables,
                    "relations": dump.relations,
                    "disable_triggers": dump.disable_triggers,
                    "roles": dump.roles,
                    "content": dump.content,
                    "privileges": dump.privileges.objects,
                    "column_privileges": dump.privileges.columns,
                    "default_privileges": dump.privileges.defaults,
                },
                sha256=dump.sha256,
                checked_by=ROLES_RESTORE_CHECK if asset_key == ROLES_DUMP else RESTORE_CHECK,
            )
        return dg.MaterializeResult(
            metadata={
                **recorded,
                "tables": dg.MetadataValue.json(dump.tables),
                "server_version": snapshot.server_version,
            }
        )

    return _dump


roles_dump = _dump_asset(
    ROLES_DUMP,
    [],
    "Roles and their attributes (pg_dumpall --roles-only --no-role-passwords): no password hashes.",
    lambda snap, out, _config: dumps.roles_dump(snap, out),
)
schema_dump = _dump_asset(
    SCHEMA_DUMP,
    [s.key for s in sources.ALL],
    "Schema of the atlas schemas (pg_dump -s), without owners or privileges: its manifest "
    "records them, for the staging build to grant where the roles exist.",
    lambda snap, out, _config: dumps.schema_dump(snap, out),
)
reference_data_dump = _dump_asset(
    REFERENCE_DATA_DUMP,
    [
        *(
            s.key
            for s in (
                sources.datasets,
                sources.taxa_obs,
                sources.taxa_groups,
                sources.taxa_group_members,
                sources.regions_zoom_lookup,
                sources.taxa_ref_sources,
                sources.taxa_vernacular_sources,
            )
        ),
        TAXA_REF,
        TAXA_OBS_REF_LOOKUP,
        TAXA_VERNACULAR,
        TAXA_OBS_VERNACULAR_LOOKUP,
    ],
    "Every taxonomy and lookup table (pg_dump -Fc --strict-names: a missing table fails).",
    lambda snap, out, config: dumps.reference_dump(snap, out, config.tables),
    ReferenceDumpConfig,
)
regions_dump = _dump_asset(
    REGIONS_DUMP,
    [sources.regions.key],
    "public.regions, custom format, compressed.",
    lambda snap, out, _config: dumps.regions_dump(snap, out),
)
observations_sample_dump = _dump_asset(
    OBSERVATIONS_SAMPLE_DUMP,
    [sources.observations.key],
    "A seeded, reproducible sample of observations with their obs_efforts and efforts.",
    lambda snap, out, config: dumps.observations_sample(snap, out, config.rows, config.seed),
    SampleDumpConfig,
)

ASSETS = [roles_dump, schema_dump, reference_data_dump, regions_dump, observations_sample_dump]

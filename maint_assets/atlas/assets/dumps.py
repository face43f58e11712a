"""The atlas dumps, each proven to restore by its check (checks.py).

The dumps staging loads together (schema, reference data, regions, observations sample) are
written in one step from one exported snapshot, so they agree with each other and with the row
counts of their manifests; each is an asset of its own, with its own check, but the step
cannot be subset: selecting one writes all four. Each dump is stored
in the artifact store with its SHA-256, and pruned by the store's retention policy. Its
blocking restore check loads the stored copy its run wrote (checksum verified) into a scratch
database, after the dumps it needs, and compares the tables and row counts with the manifest:
when a dump does not restore, the staging database of the same run is not rebuilt.
"""

import tempfile
from collections.abc import Callable, Iterator
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
    SNAPSHOT_DUMPS_OP,
    TAXA_OBS_REF_LOOKUP,
    TAXA_OBS_VERNACULAR_LOOKUP,
    TAXA_REF,
    TAXA_VERNACULAR,
)
from maint_assets.core.artifact_steps import put_artifact
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.automation import WEEKLY_FRESHNESS
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.run_config import check_run_config
from maint_assets.core.snapshots import Snapshot, exported_snapshot

# What each dump needs loaded before it, in order.
PREREQUISITES = {
    SCHEMA_DUMP: [],
    REFERENCE_DATA_DUMP: [SCHEMA_DUMP],
    REGIONS_DUMP: [SCHEMA_DUMP],
    OBSERVATIONS_SAMPLE_DUMP: [SCHEMA_DUMP, REFERENCE_DATA_DUMP, REGIONS_DUMP],
}


class SnapshotDumpsConfig(dg.Config):
    tables: list[str] = Field(
        default=dumps.REFERENCE_TABLES,
        description="the reference data dump's schema-qualified tables; each must exist",
    )
    rows: int = Field(default=60_000, ge=1, description="observations in the sample")
    seed: int = Field(default=1, description="same seed and same rows: same sample")


def _store(
    context: dg.AssetExecutionContext,
    artifacts: ArtifactStore,
    atlas_db: PostgresResource,
    asset_key: dg.AssetKey,
    dump: dumps.Dump,
    snapshot: Snapshot,
) -> dg.MaterializeResult:
    recorded = put_artifact(
        context,
        artifacts,
        dump.path,
        DUMP_FOLDERS[asset_key],
        {
            "format": dump.format,
            "source": atlas_db.describe(),
            "server_version": snapshot.server_version,
            # what staging and the restore checks compare: dumps they load together must
            # have read the same data (restores.one_snapshot)
            "snapshot": snapshot.visibility,
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
        asset_key=asset_key,
    )
    return dg.MaterializeResult(
        asset_key=asset_key,
        metadata={
            **recorded,
            "tables": dg.MetadataValue.json(dump.tables),
            "server_version": snapshot.server_version,
            "snapshot": snapshot.visibility,
        },
    )


@dg.asset(
    key=ROLES_DUMP,
    group_name=GROUP_BACKUPS,
    pool=POOL_ATLAS_DUMPS,
    owners=OWNERS,
    freshness_policy=WEEKLY_FRESHNESS,
    kinds={"postgres", "s3"},
    description="Roles and their attributes (pg_dumpall --roles-only --no-role-passwords): "
    "no password hashes.",
)
def roles_dump(
    context: dg.AssetExecutionContext,
    atlas_db: PostgresResource,
    artifacts: ArtifactStore,
) -> dg.MaterializeResult:
    check_run_config(context)
    # pg_dumpall reads the cluster's roles, which no database snapshot covers.
    with tempfile.TemporaryDirectory() as tmp:
        with exported_snapshot(atlas_db) as snapshot:
            dump = dumps.roles_dump(snapshot, Path(tmp))
        return _store(context, artifacts, atlas_db, ROLES_DUMP, dump, snapshot)


# The dumps staging and the restore checks load together, each written by a function of the
# shared snapshot, a directory and the config (looked up when called, so tests may replace
# them), in the order they are written.
_WRITERS: dict[dg.AssetKey, Callable[[Snapshot, Path, SnapshotDumpsConfig], dumps.Dump]] = {
    SCHEMA_DUMP: lambda snap, out, _config: dumps.schema_dump(snap, out),
    REFERENCE_DATA_DUMP: lambda snap, out, config: dumps.reference_dump(snap, out, config.tables),
    REGIONS_DUMP: lambda snap, out, _config: dumps.regions_dump(snap, out),
    # last: it stages its sample's ids in a temporary table and sets the session's output
    OBSERVATIONS_SAMPLE_DUMP: lambda snap, out, config: dumps.observations_sample(
        snap, out, config.rows, config.seed
    ),
}
_SPECS = {
    SCHEMA_DUMP: (
        [s.key for s in sources.ALL],
        "Schema of the atlas schemas (pg_dump -s), without owners or privileges: its manifest "
        "records them, for the staging build to grant where the roles exist.",
    ),
    REFERENCE_DATA_DUMP: (
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
    ),
    REGIONS_DUMP: ([sources.regions.key], "public.regions, custom format, compressed."),
    OBSERVATIONS_SAMPLE_DUMP: (
        [sources.observations.key],
        "A seeded, reproducible sample of observations with their obs_efforts and efforts.",
    ),
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            deps=deps,
            group_name=GROUP_BACKUPS,
            owners=OWNERS,
            freshness_policy=WEEKLY_FRESHNESS,
            kinds={"postgres", "s3"},
            description=f"{description} Written in one step with the other atlas dumps, from "
            "one exported snapshot.",
        )
        for key, (deps, description) in _SPECS.items()
    ],
    # Not subsettable: a dump written alone read another snapshot than the others, and its
    # restore check (after them) and staging refused the mix. Dagster's UI adds the others to
    # a launch that selects one (and automation does likewise), so any selection writes all
    # four from one snapshot.
    can_subset=False,
    pool=POOL_ATLAS_DUMPS,
    name=SNAPSHOT_DUMPS_OP,
)
def snapshot_dumps(
    context: dg.AssetExecutionContext,
    config: SnapshotDumpsConfig,
    atlas_db: PostgresResource,
    artifacts: ArtifactStore,
) -> Iterator[dg.MaterializeResult]:
    """The dumps read from one exported snapshot, so that they agree with each other: each
    asset its own, they loaded one after another into staging, whose foreign keys joined
    dumps of different moments (a dataset reloaded between the reference data dump and the
    sample's left sampled observations naming a dataset no dump had). The snapshot is
    released once they are written, before the uploads; the dumps written before one that
    fails are still stored."""
    check_run_config(context)
    written: list[tuple[dg.AssetKey, dumps.Dump]] = []
    failure: Exception | None = None
    with tempfile.TemporaryDirectory() as tmp:
        with exported_snapshot(atlas_db) as snapshot:
            try:
                for key, write in _WRITERS.items():
                    out = Path(tmp) / key.path[-1]
                    out.mkdir()
                    written.append((key, write(snapshot, out, config)))
            except Exception as err:  # raised below, once the dumps before it are stored
                failure = err
        for key, dump in written:
            yield _store(context, artifacts, atlas_db, key, dump, snapshot)
    if failure is not None:
        raise failure


ASSETS = [roles_dump, snapshot_dumps]

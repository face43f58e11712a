"""The atlas dumps, each proven to restore, and the staging database built from them.

Each dump is written from one exported snapshot (the dump and the row counts of its manifest
agree), stored in the artifact store with its SHA-256, and pruned by the store's retention
policy. Its blocking restore check loads the stored copy its run wrote (checksum verified)
into a scratch database, after the dumps it needs, and compares the tables and row counts with
the manifest: when a dump does not restore, the staging database of the same run is not
rebuilt. The staging database is maint_assets' own: a database of the configured name that it
did not create, or the production database, is refused.
"""

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import psycopg
from pydantic import Field, field_validator

from maint_assets.atlas import change_log, sources
from maint_assets.atlas.backups import dumps
from maint_assets.atlas.counts import PUBLIC, refresh_counts
from maint_assets.atlas.taxonomy.assets import (
    TAXA_OBS_REF_LOOKUP,
    TAXA_OBS_VERNACULAR_LOOKUP,
    TAXA_REF,
    TAXA_VERNACULAR,
)
from maint_assets.core import databases
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.identifiers import check_base
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.restores import (
    ArtifactMissing,
    Recorded,
    load_chain,
    recorded_artifact,
    restore_check,
)
from maint_assets.core.run_config import check_run_config
from maint_assets.core.schema import apply_schema
from maint_assets.core.snapshots import Snapshot, open_snapshot
from maint_assets.core.sql_files import compose, statement

GROUP = "atlas_backups"
FOLDER = "atlas/backups"


def key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["atlas", "backups", name])


ROLES, SCHEMA, REFERENCE, REGIONS, SAMPLE = (
    key(n) for n in ("roles", "schema", "reference_data", "regions", "observations_sample")
)
STAGING = dg.AssetKey(["atlas", "staging", "database"])
# What each dump needs loaded before it, in order.
PREREQUISITES = {
    SCHEMA: [],
    REFERENCE: [SCHEMA],
    REGIONS: [SCHEMA],
    SAMPLE: [SCHEMA, REFERENCE, REGIONS],
}
STAGING_ORDER = [SCHEMA, REFERENCE, REGIONS, SAMPLE]


def folder(asset_key: dg.AssetKey) -> str:
    return f"{FOLDER}/{asset_key.path[-1]}"


def _recorded(asset_key: dg.AssetKey) -> Recorded:
    return Recorded(asset_key, folder(asset_key))


class DumpConfig(dg.Config):
    """The dumps without settings of their own."""


class ReferenceDumpConfig(dg.Config):
    tables: list[str] = Field(
        default=dumps.REFERENCE_TABLES, description="schema-qualified tables; each must exist"
    )


class SampleDumpConfig(dg.Config):
    rows: int = Field(default=60_000, ge=1, description="observations in the sample")
    seed: int = Field(default=1, description="same seed and same rows: same sample")


def _store(
    context: dg.AssetExecutionContext,
    artifacts: ArtifactStore,
    atlas_db: PostgresResource,
    snapshot: Snapshot,
    dump: dumps.Dump,
) -> dg.MaterializeResult:
    asset_key = context.asset_key
    artifact = artifacts.put(
        dump.path,
        folder(asset_key),
        dump.path.name,
        {
            "asset": asset_key.to_user_string(),
            "format": dump.format,
            "source": atlas_db.describe(),
            "server_version": snapshot.server_version,
            "tables": dump.tables,
            "relations": dump.relations,
            "disable_triggers": dump.disable_triggers,
            "roles": dump.roles,
            "run_id": context.run.run_id,
        },
        sha256=dump.sha256,
    )
    pruned = artifacts.prune(folder(asset_key), artifacts.retention)
    return dg.MaterializeResult(
        metadata={
            "artifact": artifact.key,
            "store": artifacts.describe(),
            "size_bytes": artifact.size,
            "sha256": artifact.sha256,
            "tables": dg.MetadataValue.json(dump.tables),
            "server_version": snapshot.server_version,
            "pruned": dg.MetadataValue.json([a.key for a in pruned]),
        }
    )


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
        group_name=GROUP,
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
            return _store(context, artifacts, atlas_db, snapshot, dump)

    return _dump


def _source_assets(*specs: dg.AssetSpec) -> list[dg.AssetKey]:
    return [s.key for s in specs]


roles = _dump_asset(
    ROLES,
    [],
    "Roles and their attributes (pg_dumpall --roles-only --no-role-passwords): no password hashes.",
    lambda snap, out, _config: dumps.roles_dump(snap, out),
)
schema = _dump_asset(
    SCHEMA,
    _source_assets(*sources.ALL),
    "Schema of the atlas schemas (pg_dump -s), without owners or privileges.",
    lambda snap, out, _config: dumps.schema_dump(snap, out),
)
reference_data = _dump_asset(
    REFERENCE,
    [
        *_source_assets(
            sources.datasets,
            sources.taxa_obs,
            sources.taxa_groups,
            sources.taxa_group_members,
            sources.regions_zoom_lookup,
            sources.taxa_ref_sources,
            sources.taxa_vernacular_sources,
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
regions = _dump_asset(
    REGIONS,
    [sources.regions.key],
    "public.regions, custom format, compressed.",
    lambda snap, out, _config: dumps.regions_dump(snap, out),
)
observations_sample = _dump_asset(
    SAMPLE,
    [sources.observations.key],
    "A seeded, reproducible sample of observations with their obs_efforts and efforts.",
    lambda snap, out, config: dumps.observations_sample(snap, out, config.rows, config.seed),
    SampleDumpConfig,
)


def _restore_check(asset_key: dg.AssetKey) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset_key,
        name="restores",
        blocking=True,
        # It loads the dumps this one needs first: a run of them all orders it after them.
        additional_deps=PREREQUISITES[asset_key],
        description="The stored dump (checksum verified) loads into a scratch database, after "
        "the dumps it needs, and its tables hold the row counts of its manifest.",
    )
    def _check(
        context: dg.AssetCheckExecutionContext,
        artifacts: ArtifactStore,
        atlas_staging_server: PostgresResource,
    ) -> dg.AssetCheckResult:
        sources = [_recorded(k) for k in [*PREREQUISITES[asset_key], asset_key]]
        scratch = f"maint_assets_check_{asset_key.path[-1]}"
        return restore_check(context, artifacts, atlas_staging_server, sources, scratch)

    return _check


@dg.asset_check(
    asset=ROLES,
    name="restores_without_passwords",
    blocking=True,
    description="The stored roles dump holds no password or password hash, and re-creates "
    "every role of its manifest: replayed on the staging server inside a transaction that "
    "is rolled back (roles are cluster-wide; roles that exist there already are kept).",
)
def roles_restore(
    context: dg.AssetCheckExecutionContext,
    artifacts: ArtifactStore,
    atlas_staging_server: PostgresResource,
) -> dg.AssetCheckResult:
    try:
        artifact = recorded_artifact(
            context.instance, context.run.run_id, artifacts, _recorded(ROLES)
        )
    except ArtifactMissing as err:
        return dg.AssetCheckResult(passed=False, metadata={"error": str(err)})
    with tempfile.TemporaryDirectory() as tmp:
        text = artifacts.fetch(artifact, Path(tmp) / artifact.name).read_text()
    with_passwords = dumps.password_lines(text)
    failed = []
    with atlas_staging_server.connect() as conn:
        conn.execute("BEGIN")
        for sql in dumps.role_statements(text):
            try:
                with conn.transaction():  # a savepoint per statement
                    conn.execute(sql)
            except psycopg.errors.DuplicateObject:
                pass  # the role exists on this server: its attributes are still replayed
            except psycopg.Error as err:
                failed.append(f"{sql[:80]}: {str(err).strip().splitlines()[0]}")
        present = set(conn.execute(statement(dumps.GROUP, "role_names")).fetchone()[0])
        conn.execute("ROLLBACK")
    missing = sorted(set(artifact.manifest.get("roles", [])) - present)
    return dg.AssetCheckResult(
        passed=not (with_passwords or failed or missing),
        metadata={
            "artifact": artifact.key,
            "lines_with_passwords": len(with_passwords),
            "roles": len(artifact.manifest.get("roles", [])),
            "failed_statements": dg.MetadataValue.json(failed),
            "missing_roles": dg.MetadataValue.json(missing),
        },
    )


class StagingConfig(dg.Config):
    database: str = Field(
        default="atlas_staging",
        description="name of the staging database: one maint_assets creates and owns (a "
        "database of that name it did not create is refused)",
    )

    confirm_database: str = Field(
        default="",
        description="the staging database's name (`database`) to rebuild it; anything else "
        "rebuilds nothing",
    )

    @field_validator("database")
    @classmethod
    def _fits(cls, name: str) -> str:
        return check_base(name, [databases.BUILDING, databases.PREVIOUS], "staging database")


# Destructive (it replaces the staging database): never part of automation, and "Materialize
# all" (any run without the confirmation) records nothing rather than failing the run.
@dg.asset(
    key=STAGING,
    deps=[SCHEMA, REFERENCE, REGIONS, SAMPLE],
    group_name=GROUP,
    kinds={"postgres"},
    output_required=False,
    description="A staging database rebuilt from the latest dumps with constraints enforced, "
    "every materialized view and count table populated, row counts checked against the "
    "manifests; swapped in by renaming, so a failed rebuild leaves the previous one. "
    "Destructive, so it needs a confirmation: a run rebuilds only with config "
    "`confirm_database` equal to `database` (the weekly backups job gives it); otherwise, as "
    "in Materialize all, it rebuilds nothing and says so in the run's log.",
)
def staging_database(
    context: dg.AssetExecutionContext,
    config: StagingConfig,
    atlas_db: PostgresResource,
    atlas_staging_server: PostgresResource,
    artifacts: ArtifactStore,
) -> Iterator[dg.MaterializeResult]:
    check_run_config(context)
    if config.confirm_database != config.database:
        context.log.warning(
            f"{config.database} not rebuilt: set confirm_database to {config.database!r} in the "
            f"run's config to replace it (got {config.confirm_database!r})"
        )
        return
    # The same cluster (system identifier) and the same database (OID): whatever host name,
    # address or port each URL uses to reach it.
    if databases.server_and_oid(atlas_staging_server, config.database) == (
        databases.server_and_oid(atlas_db)
    ):
        raise dg.Failure(
            f"refusing to rebuild {config.database!r}: it is the production database "
            f"({atlas_db.describe()})"
        )
    building = config.database + databases.BUILDING
    databases.refuse_unless_owned(
        atlas_staging_server, config.database, config.database + databases.PREVIOUS, building
    )
    loaded = [
        recorded_artifact(context.instance, context.run.run_id, artifacts, _recorded(k))
        for k in STAGING_ORDER
    ]
    major = databases.major_version(atlas_staging_server)
    url = databases.create_database(
        atlas_staging_server, building, f"atlas staging database, run {context.run.run_id}"
    )
    try:
        with tempfile.TemporaryDirectory() as tmp:
            load_chain(artifacts, loaded, url, major, Path(tmp))
        wrong = {
            t: v
            for a in loaded
            for t, v in databases.count_mismatches(url, a.manifest.get("tables", {})).items()
        }
        if wrong:
            raise ValueError(f"staging row counts differ from the dump manifests: {wrong}")
        populated = _populate(url)
    except Exception:
        databases.drop_database(atlas_staging_server, building)
        raise
    databases.swap_in(atlas_staging_server, building, config.database)
    context.log.info(f"{config.database} replaced by the database built from {len(loaded)} dumps")
    yield dg.MaterializeResult(
        metadata={
            "database": config.database,
            "server": atlas_staging_server.describe(),
            "dumps": dg.MetadataValue.json([a.key for a in loaded]),
            "populated": dg.MetadataValue.json(populated),
        }
    )


def _populate(url: str) -> dict[str, int]:
    """Refresh every materialized view (dependencies first) and rebuild the count tables."""
    populated = {}
    db = PostgresResource(url=url)
    with db.connect() as conn:
        apply_schema(conn, "atlas", bookkeeping_only=True)
        if change_log.installed(conn):
            with conn.transaction():
                change_log.start_epoch(conn)
        with conn.transaction():
            for nsp, name in conn.execute(statement(dumps.GROUP, "matviews_in_order")).fetchall():
                conn.execute(compose(dumps.GROUP, "refresh_matview", view=(nsp, name)))
                populated |= databases.count_rows(conn, [f"{nsp}.{name}"])
        rebuilt = refresh_counts(db, conn, full=True)
        populated |= {".".join(PUBLIC[n]): c.rows for n, c in rebuilt.tables.items()}
    return populated


DUMPS = [roles, schema, reference_data, regions, observations_sample]
ASSETS = [*DUMPS, staging_database]
CHECKS = [roles_restore, *(_restore_check(k) for k in PREREQUISITES)]

"""The staging database: maint_assets' own copy of the atlas, rebuilt from the dumps.

A database of the configured name that maint_assets did not create, or the production
database, is refused.
"""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import psycopg
from pydantic import Field, field_validator

from maint_assets.atlas import change_log
from maint_assets.atlas.backups import grants
from maint_assets.atlas.backups.dumps import EXCLUDED_SCHEMAS
from maint_assets.atlas.counts.refresh import refresh_counts
from maint_assets.atlas.counts.tables import PUBLIC
from maint_assets.atlas.keys import (
    ATLAS_STAGING,
    DUMP_FOLDERS,
    GROUP_BACKUPS,
    OBSERVATIONS_SAMPLE_DUMP,
    OWNERS,
    POOL_ATLAS_STAGING,
    REFERENCE_DATA_DUMP,
    REGIONS_DUMP,
    SCHEMA_DUMP,
    SNAPSHOT_DUMPS_OP,
    SQL_DIR,
    SQL_DUMPS,
    STAGING_TEMPLATE,
)
from maint_assets.atlas.privileges import STAGING_REMEDY
from maint_assets.core import database_content, databases
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.automation import WEEKLY_FRESHNESS
from maint_assets.core.identifiers import check_base
from maint_assets.core.pg_tools import PgToolError
from maint_assets.core.postgres import DatabaseUnavailable, PostgresResource
from maint_assets.core.restore_server import error_cause, server_failure
from maint_assets.core.restores import (
    Recorded,
    SnapshotsDiffer,
    load_chain,
    one_snapshot,
    recorded_artifact,
)
from maint_assets.core.run_config import check_run_config
from maint_assets.core.schema import apply_schema
from maint_assets.core.sql_files import compose, statement

# The dumps the staging database is built from, in the order they are loaded.
STAGING_ORDER = [SCHEMA_DUMP, REFERENCE_DATA_DUMP, REGIONS_DUMP, OBSERVATIONS_SAMPLE_DUMP]


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
    key=ATLAS_STAGING,
    deps=STAGING_ORDER,
    group_name=GROUP_BACKUPS,
    pool=POOL_ATLAS_STAGING,
    owners=OWNERS,
    freshness_policy=WEEKLY_FRESHNESS,
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
    with _staging_server_failures(config.database):
        staging_identity = databases.server_and_oid(atlas_staging_server, config.database)
    if staging_identity == databases.server_and_oid(atlas_db):
        raise dg.Failure(
            f"refusing to rebuild {config.database!r}: it is the production database "
            f"({atlas_db.describe()})"
        )
    # One build of a staging database at a time on its server, whoever started it (two runs of
    # the weekly job started by hand, a psql session): the second one's create_database
    # dropped the first one's __building database WITH (FORCE) under it. The second waits for
    # the lock (Dagster retries the step), then builds from the dumps it recorded.
    lock = f"{ATLAS_STAGING.to_user_string()}/{config.database}"
    with (
        _staging_server_failures(config.database),
        atlas_staging_server.maintenance_step(lock),
    ):
        building = config.database + databases.BUILDING
        databases.refuse_unless_owned(
            atlas_staging_server, config.database, config.database + databases.PREVIOUS, building
        )
        loaded = [
            recorded_artifact(
                context.instance, context.run.run_id, artifacts, Recorded(k, DUMP_FOLDERS[k])
            )
            for k in STAGING_ORDER
        ]
        try:
            one_snapshot(loaded)
        except SnapshotsDiffer as err:
            raise dg.Failure(
                f"{config.database} not rebuilt: {err} (materialize the four dumps of "
                f"{SNAPSHOT_DUMPS_OP} in one run). The staging database is unchanged.",
                allow_retries=False,
            ) from None
        major = databases.major_version(atlas_staging_server)
        url = databases.create_database(
            atlas_staging_server, building, f"atlas staging database, run {context.run.run_id}",
            template=STAGING_TEMPLATE,
        )
        try:
            with tempfile.TemporaryDirectory() as tmp:
                load_chain(artifacts, loaded, url, major, Path(tmp))
            wrong = {
                t: v
                for a in loaded
                for t, v in database_content.count_mismatches(
                    url, a.manifest.get("tables", {})
                ).items()
            }
            if wrong:
                raise ValueError(f"staging row counts differ from the dump manifests: {wrong}")
            changed = [
                t
                for a in loaded
                for t in database_content.content_mismatches(url, a.manifest.get("content", {}))
            ]
            if changed:
                raise ValueError(
                    f"staging rows differ from the rows the dumps hold (same count, other "
                    f"values): {changed}"
                )
            populated = _populate(url)
            # Last: a loading role that is no superuser refreshes what it still owns.
            schema = loaded[STAGING_ORDER.index(SCHEMA_DUMP)].manifest
            privileges = _privileges(url, schema)
            # In the try: a swap refused (sessions the role may not end) leaves no copy of
            # the whole database behind until the next run.
            ended = databases.swap_in(atlas_staging_server, building, config.database)
        except Exception:
            databases.drop_database(atlas_staging_server, building)
            raise
    context.log.info(f"{config.database} replaced by the database built from {len(loaded)} dumps")
    if ended:
        context.log.warning(
            f"{config.database}: {len(ended)} open sessions ended to replace it: "
            + "; ".join(ended)
        )
    if privileges["missing_roles"]:
        context.log.warning(
            f"{config.database}: production's grants to and objects of roles the staging server "
            f"lacks were left out: {', '.join(privileges['missing_roles'])} (create them there, "
            "e.g. from the roles dump, and rebuild)"
        )
    if privileges["grants"] is not None and "default_privileges" not in schema:
        context.log.warning(
            f"{config.database} has none of production's column grants or default privileges: "
            "the schema dump's manifest records none (a dump older than that record)"
        )
    if privileges["owners_not_given"]:
        context.log.warning(
            f"{config.database}: objects of {', '.join(privileges['owners_not_given'])} in "
            "production are owned by the loading role here: it may not give objects to roles "
            "it is not a member of (docs/operations.md: least privilege)"
        )
    if privileges["grants"] is None:
        context.log.warning(
            f"{config.database} has none of production's owners or grants: the schema dump's "
            "manifest records none (a dump older than that record)"
        )
    yield dg.MaterializeResult(
        metadata={
            "database": config.database,
            "server": atlas_staging_server.describe(),
            "dumps": dg.MetadataValue.json([a.key for a in loaded]),
            "populated": dg.MetadataValue.json(populated),
            "grants": privileges["grants"],
            "owners": privileges["owners"],
            "column_grants": privileges.get("column_grants"),
            "default_privileges": privileges.get("default_privileges"),
            "missing_roles": dg.MetadataValue.json(privileges["missing_roles"]),
            "owners_not_given": dg.MetadataValue.json(privileges["owners_not_given"]),
            "sessions_ended": dg.MetadataValue.json(ended),
        }
    )


@contextmanager
def _staging_server_failures(database: str) -> Iterator[None]:
    """A failure the staging server caused (not reached, no right to create a database or
    PostGIS, out of disk) fails the build saying what to do there, not as the dumps'."""
    try:
        yield
    except (DatabaseUnavailable, psycopg.Error, PgToolError) as err:
        cause = error_cause(err)
        if cause is None:
            raise
        raise dg.Failure(
            server_failure("the dumps", str(err), cause, STAGING_REMEDY)
            + f" {database} is unchanged."
        ) from err


def _privileges(url: str, manifest: dict) -> dict:
    """Give the staging database production's owners and grants (grants.py), then compare
    them: a difference for a role the staging server has fails the build."""
    if manifest.get("privileges") is None:
        return {"grants": None, "owners": None, "missing_roles": [], "owners_not_given": []}
    record = grants.Record(
        manifest["privileges"],
        manifest.get("column_privileges", []),
        manifest.get("default_privileges", []),
    )
    with PostgresResource(url=url).connect() as conn:
        with conn.transaction():
            applied = grants.apply(conn, record)
        wrong = grants.mismatches(conn, record, EXCLUDED_SCHEMAS)
    if wrong:
        raise ValueError(
            f"staging owners or privileges differ from production's: {wrong[:20]} "
            f"({len(wrong)} in all); statements refused: {applied.failed[:20]}"
        )
    return {
        "grants": applied.grants,
        "owners": applied.owners,
        "column_grants": applied.column_grants,
        "default_privileges": applied.default_privileges,
        "missing_roles": applied.missing_roles,
        "owners_not_given": applied.owners_not_given,
    }


def _populate(url: str) -> dict[str, int]:
    """Refresh every materialized view (dependencies first) and rebuild the count tables."""
    populated = {}
    db = PostgresResource(url=url)
    with db.connect() as conn:
        apply_schema(conn, SQL_DIR, bookkeeping_only=True)
        if change_log.installed(conn):
            with conn.transaction():
                change_log.start_epoch(conn)
        with conn.transaction():
            for nsp, name in conn.execute(statement(SQL_DUMPS, "matviews_in_order")).fetchall():
                conn.execute(compose(SQL_DUMPS, "refresh_matview", view=(nsp, name)))
                populated |= database_content.count_rows(conn, [f"{nsp}.{name}"])
        rebuilt = refresh_counts(db, conn, full=True)
        populated |= {".".join(PUBLIC[n]): c.rows for n, c in rebuilt.tables.items()}
    return populated


ASSETS = [staging_database]

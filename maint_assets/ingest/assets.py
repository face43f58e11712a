"""A new version of a production schema, ingested beside it and switched in without downtime.

``ingest/staging`` loads each listed file into a fresh ``<production>__staging`` schema with
COPY, then adds keys, row checks and indexes (a violation fails the load naming the table) and
analyzes. Its blocking checks, run again by the switch itself, compare it with production.

``ingest/production`` switches in one short transaction: production tables the ingest does not
load (users' submissions, accounts: every table not in the list, so a new one is never
forgotten) are moved into the new version under a lock that lets reads go on and makes writes
wait, then the schemas are renamed. Readers see the old version until the commit and the new
one after it, never a missing or partial table; the old version is kept for rollback.
"""

import time
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import psycopg
from psycopg import sql
from pydantic import Field

from maint_assets.core.grants import grant_on_schema, grant_on_table, schema_grants, table_grants
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.schema import apply_schema
from maint_assets.core.sql_files import compose, statement
from maint_assets.core.stores import FileStore
from maint_assets.ingest.tables import IngestSpec, SpecError, TableSpec, load_spec

STAGING = dg.AssetKey(["ingest", "staging"])
PRODUCTION = dg.AssetKey(["ingest", "production"])
GROUP, POOL, SQL = "ingest", "ingest_db", "ingest/switch"
CHECKS = ["required_tables_loaded", "no_table_shrinks"]
_BLOCK = 1 << 20


class IngestSettings(dg.ConfigurableResource):
    """Where the files are and which tables they fill."""

    tables_file: str
    source_url: str
    endpoint_url: str = ""

    def spec(self) -> IngestSpec:
        try:
            return load_spec(Path(self.tables_file))
        except SpecError as err:
            raise dg.Failure(str(err)) from None

    def source(self) -> FileStore:
        return FileStore(url=self.source_url, endpoint_url=self.endpoint_url)


@dg.asset(
    key=STAGING,
    group_name=GROUP,
    pool=POOL,
    kinds={"postgres"},
    check_specs=[dg.AssetCheckSpec(name, asset=STAGING, blocking=True) for name in CHECKS],
    description="The next version of the production schema, loaded beside it",
)
def staging(context: dg.AssetExecutionContext, ingest_db: PostgresResource, ingest: IngestSettings):
    spec, backend = ingest.spec(), ingest.source().backend()
    listed = {f.path for f in backend.list()}
    missing = [t.file for t in spec.tables if t.required and t.file not in listed]
    if missing:
        raise dg.Failure(f"missing from {ingest.source_url}: {', '.join(missing)}; nothing loaded")
    with ingest_db.connect() as conn:
        apply_schema(conn, "ingest", bookkeeping_only=True)
    counts = {}
    with ingest_db.locked_transaction(f"ingest/{spec.production}") as conn:
        conn.execute(compose(SQL, "drop_schema", schema=spec.staging))
        conn.execute(compose(SQL, "create_schema", schema=spec.staging))
        for table in spec.tables:
            relation = (spec.staging, table.name)
            conn.execute(_create_table(relation, table))
            if table.file in listed:
                with backend.local_copy(table.file) as local:
                    _load(conn, relation, table, local)
            _constrain(conn, relation, table)
            conn.execute(compose(SQL, "analyze", table=relation))
            counts[table.name] = conn.execute(compose(SQL, "row_count", table=relation)).fetchone()[
                0
            ]
        results = checks(conn, spec)
    yield from results
    yield dg.MaterializeResult(
        metadata={"schema": spec.staging, "rows": dg.MetadataValue.json(counts)}
    )


@dg.asset(
    key=PRODUCTION,
    deps=[STAGING],
    group_name=GROUP,
    pool=POOL,
    kinds={"postgres"},
    description="The production schema: the staging version switched in, the previous one kept",
)
def production(
    context: dg.AssetExecutionContext, ingest_db: PostgresResource, ingest: IngestSettings
) -> dg.MaterializeResult:
    spec = ingest.spec()
    with ingest_db.locked_transaction(f"ingest/{spec.production}") as conn:
        if not _exists(conn, spec.staging):
            raise dg.Failure(f"no staging schema {spec.staging}: materialize ingest/staging first")
        failed = [r.check_name for r in checks(conn, spec) if not r.passed]
        if failed:
            raise dg.Failure(
                f"{spec.production} not switched: check(s) {', '.join(failed)} fail on "
                f"{spec.staging}; production is untouched"
            )
        archived = f"{spec.production}__v{datetime.now(UTC):%Y%m%dT%H%M%S%f}"
        carried, held_ms = switch(
            conn, spec, spec.staging, archived, context.run.run_id, "previous"
        )
    dropped = expire(ingest_db, spec)
    return dg.MaterializeResult(
        metadata={
            "previous_version": archived,
            "carried_over": dg.MetadataValue.json(carried),
            "locks_held_ms": round(held_ms, 1),
            "dropped_versions": dg.MetadataValue.json(dropped),
        }
    )


def switch(
    conn: psycopg.Connection,
    spec: IngestSpec,
    incoming: str,
    outgoing: str,
    run_id: str,
    state: str,
) -> tuple[list[str], float]:
    """Move the carried-over tables into ``incoming``, rename production to ``outgoing`` and
    ``incoming`` to production; returns the tables carried and how long the first lock was
    held before the caller commits (measured to the end of the renames)."""
    prod = spec.production
    present = _exists(conn, prod)
    carried = (
        [
            t
            for (t,) in conn.execute(statement(SQL, "tables_of"), {"schema": prod})
            if t not in spec.names
        ]
        if present
        else []
    )
    if present:
        # What readers and applications were granted on production, they keep on the new
        # version; copied before the first lock, which it does not need.
        grant_on_schema(conn, schema_grants(conn, prod), incoming)
        for table in spec.names:
            grant_on_table(conn, table_grants(conn, prod, table), incoming, table)
    started = time.perf_counter()
    if carried:
        conn.execute(
            sql.SQL(statement(SQL, "lock_for_carry_over")).format(
                tables=sql.SQL(", ").join(sql.Identifier(prod, t) for t in carried)
            )
        )
        for table in carried:
            conn.execute(compose(SQL, "carry_over", table=(prod, table), target=incoming))
    if present:
        conn.execute(compose(SQL, "rename_schema", schema=prod, new_name=outgoing))
        conn.execute(
            statement(SQL, "record_version"),
            {
                "production": prod,
                "archived_as": outgoing,
                "run_id": run_id,
                "state": state,
            },
        )
    conn.execute(compose(SQL, "rename_schema", schema=incoming, new_name=prod))
    return carried, (time.perf_counter() - started) * 1000


def expire(db: PostgresResource, spec: IngestSpec) -> list[str]:
    """Drop the versions beyond the newest ``keep_versions``."""
    with db.connect() as conn, conn.transaction():
        expired = conn.execute(
            statement(SQL, "expired_versions"),
            {"production": spec.production, "keep": spec.keep_versions},
        ).fetchall()
        for id_, schema in expired:
            conn.execute(compose(SQL, "drop_schema", schema=schema))
            conn.execute(statement(SQL, "forget_version"), {"id": id_})
    return [schema for _, schema in expired]


def checks(conn: psycopg.Connection, spec: IngestSpec) -> list[dg.AssetCheckResult]:
    staged = {
        t.name: conn.execute(compose(SQL, "row_count", table=(spec.staging, t.name))).fetchone()[0]
        for t in spec.tables
    }
    live_tables = {
        t for (t,) in conn.execute(statement(SQL, "tables_of"), {"schema": spec.production})
    }
    empty = [t.name for t in spec.tables if t.required and not staged[t.name]]
    shrunk = {}
    for table in spec.tables:
        if table.name in live_tables:
            live = conn.execute(
                compose(SQL, "row_count", table=(spec.production, table.name))
            ).fetchone()[0]
            if staged[table.name] < (1 - spec.max_shrink) * live:
                shrunk[table.name] = {"production": live, "staging": staged[table.name]}
    return [
        dg.AssetCheckResult(
            asset_key=STAGING,
            check_name="required_tables_loaded",
            passed=not empty,
            metadata={
                "empty_tables": dg.MetadataValue.json(empty),
                "rows": dg.MetadataValue.json(staged),
            },
        ),
        dg.AssetCheckResult(
            asset_key=STAGING,
            check_name="no_table_shrinks",
            passed=not shrunk,
            metadata={"shrunk": dg.MetadataValue.json(shrunk), "max_shrink": spec.max_shrink},
        ),
    ]


def _create_table(relation: tuple[str, str], table: TableSpec) -> sql.Composed:
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in table.columns.items()
    )
    return sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(*relation), columns)


def _load(
    conn: psycopg.Connection, relation: tuple[str, str], table: TableSpec, local: Path
) -> None:
    if table.file.endswith(".csv"):
        with (
            conn.cursor().copy(compose(SQL, "copy_csv", table=relation)) as copy,
            local.open("rb") as f,
        ):
            while block := f.read(_BLOCK):
                copy.write(block)
        return
    conn.execute(statement(SQL, "create_lines"))
    with conn.cursor().copy(statement(SQL, "copy_lines")) as copy, local.open("rb") as f:
        while block := f.read(_BLOCK):
            copy.write(block)
    conn.execute(compose(SQL, "insert_lines", table=relation))
    conn.execute("DROP TABLE ingest_lines")


def _constrain(conn: psycopg.Connection, relation: tuple[str, str], table: TableSpec) -> None:
    """Keys, row checks and indexes after the load (faster than maintaining them row by row);
    a violation fails the load naming the table and the rule."""
    target = sql.Identifier(*relation)
    rules = [
        sql.SQL("PRIMARY KEY ({})").format(
            sql.SQL(", ").join(map(sql.Identifier, table.primary_key))
        )
    ]
    rules += [sql.SQL("CHECK ({})").format(sql.SQL(check)) for check in table.checks]
    for rule in rules:
        try:
            with conn.transaction():
                conn.execute(sql.SQL("ALTER TABLE {} ADD {}").format(target, rule))
        except psycopg.errors.IntegrityError as err:
            raise dg.Failure(
                f"{relation[0]}.{relation[1]} breaks {rule.as_string(conn)}: "
                f"{str(err).splitlines()[0]}; production is untouched"
            ) from None
    for columns in table.indexes:
        conn.execute(
            sql.SQL("CREATE INDEX ON {} ({})").format(
                target, sql.SQL(", ").join(map(sql.Identifier, columns))
            )
        )


def _exists(conn: psycopg.Connection, schema: str) -> bool:
    return conn.execute(statement(SQL, "schema_exists"), {"schema": schema}).fetchone()[0]


class RollbackConfig(dg.Config):
    confirm_production: str = Field(
        description="must equal the production schema's name: the rollback replaces its content"
    )


@dg.op(description="Switch the production schema back to its previous version.")
def rollback_production(
    context: dg.OpExecutionContext,
    config: RollbackConfig,
    ingest_db: PostgresResource,
    ingest: IngestSettings,
) -> None:
    spec = ingest.spec()
    if config.confirm_production != spec.production:
        raise dg.Failure(
            f"this job replaces the schema {spec.production!r} by its previous version: set "
            f"confirm_production to {spec.production!r} to confirm"
        )
    with ingest_db.locked_transaction(f"ingest/{spec.production}") as conn:
        row = conn.execute(
            statement(SQL, "latest_previous"), {"production": spec.production}
        ).fetchone()
        if row is None:
            raise dg.Failure(f"{spec.production} has no previous version to roll back to")
        version_id, previous = row
        conn.execute(statement(SQL, "forget_version"), {"id": version_id})
        replaced = f"{spec.production}__rolled_back_{datetime.now(UTC):%Y%m%dT%H%M%S%f}"
        carried, held_ms = switch(conn, spec, previous, replaced, context.run.run_id, "rolled_back")
    context.log.info(
        f"{spec.production} is now the version kept as {previous}; the replaced one is kept "
        f"as {replaced}; carried over: {carried} ({held_ms:.1f} ms)"
    )


@dg.job(description="Switch production back to its previous version (confirmation required).")
def rollback_production_job() -> None:
    rollback_production()

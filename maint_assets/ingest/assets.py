"""A new version of a production schema, ingested beside it and switched in without downtime.

``ingest/staging`` loads each listed file into a fresh ``<production>__staging`` schema with
COPY, then adds keys, row checks and indexes (a violation fails the load naming the table) and
analyzes. Columns are matched by name: a CSV header, or the keys of the JSON lines, that differ
from the table's columns (order aside) refuse the file naming the differences. Its blocking
checks, run again by the switch itself, compare it with production.

``ingest/production`` switches in one short transaction: production tables the ingest does not
load (users' submissions, accounts: every table not in the list, so a new one is never
forgotten) are moved into the new version under a lock that lets reads go on and makes writes
wait, then the schemas are renamed. Readers see the old version until the commit and the new
one after it, never a missing or partial table; the old version is kept for rollback.

Schemas the ingest creates carry a marker comment (``maint_assets: ingest …``); it drops a
staging schema, or an expired version, only when the marker says it made it, so a name that
happens to match (another application's schema) is refused, never dropped.
"""

import csv
import time
from collections.abc import Iterator
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

MARKER = "maint_assets: ingest"

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
        if _exists(conn, spec.staging):
            _refuse_unless_marked(conn, spec.staging, f"{MARKER} staging")
            conn.execute(compose(SQL, "drop_schema", schema=spec.staging))
        conn.execute(compose(SQL, "create_schema", schema=spec.staging))
        _mark(conn, spec.staging, f"{MARKER} staging of {spec.production}")
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


class SwitchConfig(dg.Config):
    confirm_production: str = Field(
        default="",
        description="the production schema's name (the tables file's `production`) to switch "
        "the staging version in; anything else switches nothing",
    )


# Destructive: never part of automation, and "Materialize all" (or any run without the
# confirmation) records nothing rather than failing, so the rest of such a run succeeds.
@dg.asset(
    key=PRODUCTION,
    deps=[STAGING],
    group_name=GROUP,
    pool=POOL,
    kinds={"postgres"},
    output_required=False,
    description="The production schema: the staging version switched in, the previous one "
    "kept. Destructive, so it needs a confirmation: a run switches only with config "
    "`confirm_production` naming the production schema (the weekly schedule gives it); "
    "otherwise, as in Materialize all, it switches nothing and says so in the run's log.",
)
def production(
    context: dg.AssetExecutionContext,
    config: SwitchConfig,
    ingest_db: PostgresResource,
    ingest: IngestSettings,
) -> Iterator[dg.MaterializeResult]:
    spec = ingest.spec()
    if config.confirm_production != spec.production:
        context.log.warning(
            f"{spec.production} not switched: set confirm_production to {spec.production!r} "
            f"in the run's config to switch {spec.staging} in (got "
            f"{config.confirm_production!r})"
        )
        return
    with ingest_db.locked_transaction(f"ingest/{spec.production}") as conn:
        if not _exists(conn, spec.staging):
            raise dg.Failure(f"no staging schema {spec.staging}: materialize ingest/staging first")
        failed = [r.check_name for r in checks(conn, spec) if not r.passed]
        if failed:
            raise dg.Failure(
                f"{spec.production} not switched: check(s) {', '.join(failed)} fail on "
                f"{spec.staging}; production is untouched"
            )
        _refuse_unless_marked(conn, spec.staging, f"{MARKER} staging")
        archived = spec.archived(datetime.now(UTC))
        carried, held_ms = switch(
            conn, spec, spec.staging, archived, context.run.run_id, "previous"
        )
    dropped, kept = expire(ingest_db, spec)
    if kept:
        context.log.warning(
            f"kept {', '.join(kept)} beyond keep_versions: not created by maint_assets (no "
            f"'{MARKER}' comment), so never dropped by it"
        )
    yield dg.MaterializeResult(
        metadata={
            "previous_version": archived,
            "carried_over": dg.MetadataValue.json(carried),
            "locks_held_ms": round(held_ms, 1),
            "dropped_versions": dg.MetadataValue.json(dropped),
            "kept_not_ours": dg.MetadataValue.json(kept),
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
    ours = _comment(conn, incoming).startswith(MARKER)
    conn.execute(compose(SQL, "rename_schema", schema=incoming, new_name=prod))
    if ours:  # a schema someone else made (rolled back to) keeps its own comment
        _mark(conn, prod, f"{MARKER} version of {prod}, switched in by run {run_id}")
    return carried, (time.perf_counter() - started) * 1000


def expire(db: PostgresResource, spec: IngestSpec) -> tuple[list[str], list[str]]:
    """Drop the versions beyond the newest ``keep_versions`` that maint_assets created; return
    them, and those kept because it did not (the production schema the first switch replaced)."""
    dropped, kept = [], []
    with db.connect() as conn, conn.transaction():
        expired = conn.execute(
            statement(SQL, "expired_versions"),
            {"production": spec.production, "keep": spec.keep_versions},
        ).fetchall()
        for id_, schema in expired:
            if _exists(conn, schema) and not _comment(conn, schema).startswith(MARKER):
                kept.append(schema)
                continue
            conn.execute(compose(SQL, "drop_schema", schema=schema))
            conn.execute(statement(SQL, "forget_version"), {"id": id_})
            dropped.append(schema)
    return dropped, kept


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
    """COPY ``local`` into ``relation``, each value into the column its header (or key) names."""
    if table.file.endswith(".csv"):
        header = _csv_header(local)
        _match_columns(table, header, "its header")
        copy_csv = sql.SQL(statement(SQL, "copy_csv")).format(
            table=sql.Identifier(*relation), columns=sql.SQL(", ").join(map(sql.Identifier, header))
        )
        with conn.cursor().copy(copy_csv) as copy, local.open("rb") as f:
            while block := f.read(_BLOCK):
                copy.write(block)
        return
    conn.execute(statement(SQL, "create_lines"))
    with conn.cursor().copy(statement(SQL, "copy_lines")) as copy, local.open("rb") as f:
        while block := f.read(_BLOCK):
            copy.write(block)
    keys = [k for (k,) in conn.execute(statement(SQL, "line_keys"))]
    _match_columns(table, keys, "the keys of its lines")
    conn.execute(compose(SQL, "insert_lines", table=relation))
    conn.execute("DROP TABLE ingest_lines")


def _csv_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as f:
        return next(csv.reader(f), [])


def _match_columns(table: TableSpec, names: list[str], what: str) -> None:
    """Refuse the file of ``table`` unless ``names`` are its columns (in any order), each once."""
    missing = [c for c in table.columns if c not in names]
    unknown = [n for n in names if n not in table.columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if missing or unknown or repeated:
        differences = "; ".join(
            f"{label}: {', '.join(map(repr, found))}"
            for label, found in (
                ("missing", missing), ("not a column", unknown), ("repeated", repeated)
            )
            if found
        )
        raise dg.Failure(
            f"{table.file} does not match the columns of {table.name} "
            f"({', '.join(table.columns)}): {what} differ ({differences}); nothing was loaded, "
            "production is untouched"
        )


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


def _comment(conn: psycopg.Connection, schema: str) -> str:
    return conn.execute(statement(SQL, "schema_comment"), {"schema": schema}).fetchone()[0] or ""


def _mark(conn: psycopg.Connection, schema: str, marker: str) -> None:
    # COMMENT takes no bind parameter: the marker is a quoted literal.
    conn.execute(
        sql.SQL(statement(SQL, "mark_schema")).format(
            schema=sql.Identifier(schema), marker=sql.Literal(marker)
        )
    )


def _refuse_unless_marked(conn: psycopg.Connection, schema: str, marker: str) -> None:
    comment = _comment(conn, schema)
    if not comment.startswith(marker):
        raise dg.Failure(
            f"refusing to replace the schema {schema}: it was not created by maint_assets' "
            f"ingest (its comment is {comment!r}, not {marker!r}…); rename or drop it yourself "
            "if it is really a leftover"
        )


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
        replaced = spec.archived(datetime.now(UTC))
        carried, held_ms = switch(conn, spec, previous, replaced, context.run.run_id, "rolled_back")
    context.log.info(
        f"{spec.production} is now the version kept as {previous}; the replaced one is kept "
        f"as {replaced}; carried over: {carried} ({held_ms:.1f} ms)"
    )


@dg.job(description="Switch production back to its previous version (confirmation required).")
def rollback_production_job() -> None:
    rollback_production()

"""The load: ``public.datasets`` built with COPY beside the live table and swapped in once its
blocking checks (catalog/checks.py) pass, in the same transaction, with the live table's owner,
grants, comments and the views made on it. A dump taken while the exposition shifted keeps
the live datasets it lacks, for a bounded number of loads (``_keep_absent``)."""

from collections.abc import Iterator

import dagster as dg
import psycopg
from psycopg import sql
from pydantic import Field

from maint_assets.catalog.checks import CHECK_SPECS, datasets_checks
from maint_assets.catalog.handover import upstream_artifact
from maint_assets.catalog.keys import (
    CLEAN_FOLDER,
    DATASETS,
    DATASETS_CLEAN,
    GROUP_CATALOG,
    OWNERS,
    POOL_CATALOG_DB,
    SHIFTED,
    SQL_DATASETS,
    SQL_DIR,
)
from maint_assets.core import own_objects
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.automation import DAILY_FRESHNESS, EAGER
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.refresh import finish_rebuild, relation_state, start_rebuild
from maint_assets.core.restores import Recorded
from maint_assets.core.run_config import check_run_config
from maint_assets.core.schema import apply_schema
from maint_assets.core.sql_files import compose, statement
from maint_assets.core.ui import column_schema


class LoadConfig(dg.Config):
    max_drop_fraction: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="refuse a load with fewer rows than the live table by more than this share",
    )
    max_kept_loads: int = Field(
        default=2,
        ge=0,
        description="how many loads in a row keep a dataset that dumps taken while the "
        "exposition shifted lacked; missing from one more, it is taken as deleted",
    )


@dg.asset(
    key=DATASETS,
    deps=[DATASETS_CLEAN],
    group_name=GROUP_CATALOG,
    pool=POOL_CATALOG_DB,
    owners=OWNERS,
    kinds={"postgres"},
    automation_condition=EAGER,
    freshness_policy=DAILY_FRESHNESS,
    check_specs=CHECK_SPECS,
    description="public.datasets (the table the dashboards read; the atlas has a table of the "
    "same name, both fixed by their readers), loaded with COPY beside the live table and "
    "swapped in once its checks pass, with the live table's owner, grants and comments; the "
    "views analysts made on it are re-created over it in the same transaction (materialized "
    "ones with its data: refreshed), and one that no longer can be refuses the swap",
)
def public_datasets(
    context: dg.AssetExecutionContext,
    config: LoadConfig,
    catalog_db: PostgresResource,
    artifacts: ArtifactStore,
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    check_run_config(context)
    with catalog_db.step_connection() as conn:
        apply_schema(conn, SQL_DIR, bookkeeping_only=True)
        own_objects.ensure(conn)
    latest = upstream_artifact(context, artifacts, Recorded(DATASETS_CLEAN, CLEAN_FOLDER))
    # Run again if the connection is cut: a load run twice replaces the table with the same rows.
    with catalog_db.locked_step(DATASETS.to_user_string(), rerun_if_cut=True) as conn:
        build = start_rebuild(conn, "datasets", SQL_DATASETS)
        # Streamed from the store, checksum verified at the end: still inside the transaction.
        with conn.cursor().copy(compose(SQL_DATASETS, "copy", table=build)) as copy:
            for block in artifacts.read(latest):
                copy.write(block)
        kept: list[str] = []
        if latest.manifest.get(SHIFTED) and relation_state(conn, "public", "datasets"):
            kept, unable = _keep_absent(conn, build, ("public", "datasets"),
                                        config.max_kept_loads)
            context.log.warning(
                f"the dump was taken while the exposition shifted "
                f"({latest.manifest[SHIFTED]}): "
                + (unable or f"{len(kept)} dataset(s) it lacks kept as they were")
            )
        conn.execute(statement(SQL_DATASETS, "forget_kept"), {"kept": kept})
        conn.execute(statement(SQL_DATASETS, "count_kept"), {"kept": kept})
        checks = datasets_checks(conn, build, config.max_drop_fraction)
        yield from checks
        failed = [c.check_name for c in checks if not c.passed]
        if failed:
            raise dg.Failure(
                f"public.datasets not replaced: check(s) {', '.join(failed)} failed; the "
                "live table is unchanged"
            )
        outcome = finish_rebuild(conn, "public", "datasets", SQL_DATASETS, indexed=True,
                                 attempts=catalog_db.exclusive_lock_attempts)
        columns = column_schema(conn, "public", "datasets")
    if outcome.dropped_no_longer_declared:
        context.log.info(
            "not carried onto the new public.datasets (dropped with the old one): made from "
            f"{SQL_DATASETS}.sql, which no longer declares them: "
            f"{'; '.join(outcome.dropped_no_longer_declared)}"
        )
    yield dg.MaterializeResult(
        metadata={**outcome.metadata(), **columns, "artifact": latest.key,
                  "kept_absent_from_dump": len(kept)}
    )


def _keep_absent(
    conn: psycopg.Connection, build: tuple[str, str], live: tuple[str, str], max_loads: int
) -> tuple[list[str], str | None]:
    """Copy into ``build`` the rows of ``live`` whose identifier it lacks, but those kept by
    ``max_loads`` loads in a row already; the identifiers kept, or why none could be (a live
    table of another shape: the runbook's, or an older definition)."""
    names = {k: sql.Identifier(*v).as_string(conn) for k, v in (("table", build), ("live", live))}
    columns = [c for (c,) in conn.execute(statement(SQL_DATASETS, "shared_columns"), names)]
    required = [c for (c,) in conn.execute(statement(SQL_DATASETS, "required_columns"), names)]
    lacking = [c for c in ("identifier", *required) if c not in columns]
    if lacking:
        return [], (
            f"none of the datasets it lacks could be kept: the live table has no "
            f"{', '.join(dict.fromkeys(lacking))} of the new one's type"
        )
    tables = {"table": sql.Identifier(*build), "live": sql.Identifier(*live),
              "columns": sql.SQL(", ").join(map(sql.Identifier, columns))}
    kept = [k for (k,) in conn.execute(
        sql.SQL(statement(SQL_DATASETS, "keep_absent")).format(**tables),
        {"max_loads": max_loads},
    )]
    if kept:
        cur = conn.cursor()
        kept_rows = sql.SQL(statement(SQL_DATASETS, "kept_rows")).format(**tables)
        with cur.copy(kept_rows, {"kept": kept}) as out:
            blocks = [bytes(b) for b in out]
        with cur.copy(sql.SQL(statement(SQL_DATASETS, "copy_kept")).format(**tables)) as copy:
            for block in blocks:
                copy.write(block)
    return kept, None

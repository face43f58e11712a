"""The check copy (``src_vn_json_check``), kept by transfer_vn: a daily incremental update, and a
weekly download of the last days that replaces that window of the copy.

The window download goes into its own schema first (tables created by transfer_vn), and only
a download that finished without an error and brought observations replaces the window of the
check copy, in one transaction. The runbook downloaded straight into the check copy and ran the
repair even when the download had failed, so a partial copy could be taken for the truth.
"""


from datetime import UTC, datetime, timedelta
from typing import Literal

import dagster as dg
from psycopg import sql
from pydantic import Field

from maint_assets.core.automation import DAILY_FRESHNESS
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement
from maint_assets.vn_sync import tool_config
from maint_assets.vn_sync.client_api_vn import ClientApiVn
from maint_assets.vn_sync.keys import CHECK, CONTROLERS, GROUP, POOL, TABLES, WINDOW_STAGING, key
from maint_assets.vn_sync.reconcile import (
    GROUP as RECONCILE,
)
from maint_assets.vn_sync.reconcile import (
    ReconcileRefused,
    Window,
    reconcile,
    require_tables,
)


class DownloadConfig(dg.Config):
    mode: Literal["window", "update"] = Field(
        default="window",
        description="window: download the last window_days again and replace that window of "
        "the check copy; update: transfer_vn --update (the jobs its schedule says are due)",
    )
    window_days: int = Field(default=14, ge=1)
    max_delete_fraction: float = Field(
        default=0.05, ge=0, le=1,
        description="refuse (and change nothing) when the window would remove more than this "
        "share of the check copy's rows in the window",
    )
    skip_malformed: bool = Field(default=False, description="apply the rest of a download "
                                 "that has malformed items instead of failing")
    allow_empty: bool = Field(default=False, description="accept a window with no observation")


@dg.multi_asset(
    name="vn_check_download",
    specs=[
        dg.AssetSpec(
            key(CHECK, table), group_name=GROUP, kinds={"postgres"},
            freshness_policy=DAILY_FRESHNESS,
            description=f"The check copy's {table}, as transfer_vn downloads it from VisioNature",
        )
        for table in TABLES
    ],
    pool=POOL,
)
def vn_check_download(
    context: dg.AssetExecutionContext,
    config: DownloadConfig,
    vn_db: PostgresResource,
    client_api_vn: ClientApiVn,
):
    require_tables(vn_db, [CHECK])
    if config.mode == "update":
        metadata = _update(context, vn_db, client_api_vn)
    else:
        metadata = _window(context, config, vn_db, client_api_vn)
    for table in TABLES:
        yield dg.MaterializeResult(asset_key=key(CHECK, table), metadata=metadata[table])


def _update(
    context: dg.AssetExecutionContext, vn_db: PostgresResource, tool: ClientApiVn
) -> dict[str, dict[str, object]]:
    with tool.generated_config(vn_db, CHECK) as (path, config):
        if not tool.has_schedule():
            tool.run("schedule", path, config)
        run = tool.run("update", path, config)
    context.log.info(run.output[-4000:])
    rows = _row_counts(vn_db, CHECK)
    return {t: {"mode": "update", "row_count": rows[t]} for t in TABLES}


def _window(
    context: dg.AssetExecutionContext,
    config: DownloadConfig,
    vn_db: PostgresResource,
    tool: ClientApiVn,
) -> dict[str, dict[str, object]]:
    now = datetime.now(UTC)
    start = now.date() - timedelta(days=config.window_days)
    _drop_staging(vn_db)
    with tool.generated_config(vn_db, WINDOW_STAGING, start_date=start) as (path, generated):
        window = Window(
            start=start,
            deletions_from=int(
                datetime.combine(start + timedelta(days=1), datetime.min.time(), UTC).timestamp()
            ),
            download_started=int(now.timestamp()),
            type_date=tool_config.type_date(generated),
        )
        enabled = tool_config.enabled_controlers(generated)
        tool.run("json_tables_create", path, generated)
        try:
            run = tool.run("full", path, generated)
        finally:
            # transfer_vn --full clears the scheduler store that --update relies on.
            with tool.generated_config(vn_db, CHECK) as (check_path, check_config):
                tool.run("schedule", check_path, check_config)
    context.log.info(run.output[-4000:])
    tables = tuple(t for t in TABLES if CONTROLERS[t] in enabled)
    staged = _row_counts(vn_db, WINDOW_STAGING)
    if not staged[TABLES[0]] and not config.allow_empty:
        raise dg.Failure(
            f"transfer_vn stored no observation for the window from {start}; the check copy "
            "and production are unchanged (allow_empty accepts an empty window)"
        )
    with vn_db.locked_transaction(f"vn/{CHECK}") as conn:
        try:
            results = reconcile(
                conn, WINDOW_STAGING, CHECK, window, tables,
                config.max_delete_fraction, config.skip_malformed,
            )
        except ReconcileRefused as err:
            raise dg.Failure(f"window download not applied to {CHECK}: {err}") from None
        conn.execute(
            statement(RECONCILE, "record_window"),
            {
                "check_schema": CHECK, "window_start": start,
                "deletions_from": window.deletions_from,
                "download_started": window.download_started, "type_date": window.type_date,
                "tables": list(tables), "run_id": context.run.run_id,
            },
        )
    _drop_staging(vn_db)
    return {
        t: {
            "mode": "window", "window_start": start.isoformat(), "type_date": window.type_date,
            "downloaded_rows": staged[t],
            **(results[t].metadata() if t in results else {"reconciled": False}),
        }
        for t in TABLES
    }


def _row_counts(vn_db: PostgresResource, schema: str) -> dict[str, int]:
    with vn_db.connect() as conn:
        return {
            t: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, t))
            ).fetchone()[0]
            for t in TABLES
        }


def _drop_staging(vn_db: PostgresResource) -> None:
    with vn_db.connect() as conn:
        conn.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(WINDOW_STAGING))
        )

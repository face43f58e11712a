"""Repairing production (``src_vn_json``) from the check copy, deletions included.

One transaction per run: observations, forms and places are reconciled, one monitoring row per
table and action is written, and a refusal (too many deletions, malformed items) rolls all of
it back. Only rows that differ are written, since every write fires GeoNature's row triggers.
The summary goes out by e-mail from the orchestrator once the repair is committed.
"""



import dagster as dg
from pydantic import Field

from maint_assets.core.automation import WEEKLY_FRESHNESS
from maint_assets.core.notify import NotifierError, SmtpNotifier
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement
from maint_assets.vn_sync.keys import CHECK, GROUP, POOL, PRODUCTION, TABLES, key
from maint_assets.vn_sync.reconcile import (
    ACTIONS,
    ReconcileRefused,
    TableResult,
    Window,
    reconcile,
    require_tables,
)
from maint_assets.vn_sync.reconcile import GROUP as RECONCILE


class RepairConfig(dg.Config):
    max_delete_fraction: float = Field(
        default=0.05, ge=0, le=1,
        description="refuse (and change nothing) when a table would lose more than this share "
        "of its production rows inside the checked window",
    )
    skip_malformed: bool = Field(
        default=False,
        description="repair the rest when the check copy has malformed items (they are "
        "reported and left alone); by default the run fails and changes nothing",
    )


@dg.multi_asset(
    name="vn_sync_repair",
    specs=[
        dg.AssetSpec(
            key(PRODUCTION, table), group_name=GROUP, kinds={"postgres"},
            deps=[key(CHECK, table)], freshness_policy=WEEKLY_FRESHNESS,
            description=f"Production {table} (GeoNature reads it), repaired from the check copy",
        )
        for table in TABLES
    ],
    pool=POOL,
)
def vn_sync_repair(
    context: dg.AssetExecutionContext,
    config: RepairConfig,
    vn_db: PostgresResource,
    notifier: SmtpNotifier,
):
    require_tables(vn_db, [CHECK, PRODUCTION])
    with vn_db.locked_transaction(f"vn/{PRODUCTION}") as conn:
        row = conn.execute(
            statement(RECONCILE, "latest_window"), {"check_schema": CHECK}
        ).fetchone()
        if row is None:
            raise dg.Failure(
                f"no completed window download of {CHECK} is recorded "
                "(maint_assets.vn_check_windows): materialize vn_check_download in window mode "
                "first; deletions can only be judged inside a downloaded window"
            )
        start, deletions_from, download_started, type_date, tables, window_run, _ = row
        window = Window(start, deletions_from, download_started, type_date)
        try:
            results = reconcile(
                conn, CHECK, PRODUCTION, window, tuple(t for t in TABLES if t in tables),
                config.max_delete_fraction, config.skip_malformed,
            )
        except ReconcileRefused as err:
            raise dg.Failure(f"repair of {PRODUCTION} refused: {err}") from None
        for result in results.values():
            for action in ACTIONS:
                conn.execute(
                    statement(RECONCILE, "record_action"),
                    {"action": action, "count": result.counts[action],
                     "table_name": f"{PRODUCTION}.{result.table}", "run_id": context.run.run_id},
                )
    for result in results.values():
        if result.malformed:
            context.log.warning(
                f"{CHECK}.{result.table}: {result.malformed_count} malformed item(s) left "
                f"alone, first (id, site): {result.malformed}"
            )
    email = _notify(notifier, vn_db, results, start, context.run.run_id)
    if email.startswith("failed"):
        context.log.error(f"the repair is committed but its summary was not sent: {email}")
    for table in TABLES:
        result = results.get(table)
        yield dg.MaterializeResult(
            asset_key=key(PRODUCTION, table),
            metadata={
                "window_start": start.isoformat(), "window_download_run": window_run,
                "email": email,
                **(result.metadata() if result else {"reconciled": False}),
            },
        )


def _notify(
    notifier: SmtpNotifier,
    vn_db: PostgresResource,
    results: dict[str, TableResult],
    start: object,
    run_id: str,
) -> str:
    total = {a: sum(r.counts[a] for r in results.values()) for a in ACTIONS}
    subject = (
        f"[{vn_db.describe()}] VisioNature repair: {total['insert']} inserted, "
        f"{total['update']} updated, {total['delete']} deleted"
    )
    lines = [f"Repair of {PRODUCTION} from {CHECK} (window from {start}), run {run_id}:", ""]
    lines += [
        f"{PRODUCTION}.{r.table}: {r.counts['insert']} inserted, {r.counts['update']} updated, "
        f"{r.counts['delete']} deleted, {r.target_newer} newer in production kept, "
        f"{r.malformed_count} malformed skipped"
        for r in results.values()
    ]
    try:
        sent = notifier.send(subject, "\n".join(lines) + "\n")
    except NotifierError as err:
        return f"failed: {err}"
    return f"sent to {', '.join(notifier.to)}" if sent else "not configured"

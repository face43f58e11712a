"""The check copy (``src_vn_json_check``), kept by Client-API-VN's transfer_vn.

- ``update`` (daily): ``transfer_vn --update`` of the observations and places, run once now
  (``ClientApiVn.update_now``): the source's diff brings changed rows and removes deleted
  ones, which the deletion capture records as the source's signal.
- ``window`` (weekly): ``transfer_vn --full`` of the last ``window_days`` into a staging
  schema, then the same diff poll of the check copy from before the window's first day (the
  other end of the download: corrections and deletions made while it ran), then, in one
  transaction, the window's coverage is recorded from transfer_vn's download_log and the
  download is merged into the check copy (merge.py).
- ``adopt``: a check copy the operator's own cron keeps (daily --update, weekly --full) is
  taken as it is; the coverage is that of the --full lines of its download_log since the
  last adoption. No transfer_vn run of ours.

A failed transfer_vn run, a refusal and everything kept unconfirmed are rows of
maint_assets.vn_monitoring; a failure changes neither copy, but for what a diff poll that
failed midway stored in the check copy before (the source's changes: PollError).
"""


from datetime import UTC, datetime, time, timedelta
from typing import Any, Literal

import dagster as dg
import psycopg
from psycopg import sql
from pydantic import Field

from maint_assets.core.automation import DAILY_FRESHNESS
from maint_assets.core.database_unavailable import DatabaseUnavailable
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import compose, statement
from maint_assets.vn_sync import bookkeeping, coverage, polls, tool_config
from maint_assets.vn_sync.bookkeeping import Entry
from maint_assets.vn_sync.client_api_vn import ClientApiVn, PollError, TransferVnError
from maint_assets.vn_sync.keys import (
    CHECK,
    CONTROLERS,
    GROUP_VN_SYNC,
    OWNERS,
    POOL_VN_DB,
    PRODUCTION,
    REFERENCE_CONTROLERS,
    SQL_BOOKKEEPING,
    SQL_COVERAGE,
    TABLES,
    VN_CHECK_COPY,
    WINDOW_STAGING,
)
from maint_assets.vn_sync.merge import merge
from maint_assets.vn_sync.reconcile import ReconcileRefused
from maint_assets.vn_sync.transient import transient_if_cut

# transfer_vn's diff endpoint reaches back 10 weeks (Client-API-VN's api_diff docstring); the
# diff poll after a window asks for everything since the day before the window.
MAX_WINDOW_DAYS = 60
DIFF_CONTROLERS = {"observations", "places"}  # the controlers whose --update reads a diff


class DownloadConfig(dg.Config):
    mode: Literal["window", "update", "adopt"] = Field(
        default="window",
        description="window: download the last window_days again and merge them into the "
        "check copy; update: the source's diff since the last poll; adopt: take the check "
        "copy the operator's own transfer_vn cron keeps, with the coverage of its latest "
        "--full (no download of ours)",
    )
    window_days: int = Field(default=14, ge=1, le=MAX_WINDOW_DAYS)
    confirm_with_diff: bool = Field(
        default=True,
        description="window: poll the source's diff after the download, so that corrections "
        "made meanwhile are known; without it, absence never proves a deletion",
    )
    max_delete_fraction: float = Field(
        default=0.05, ge=0, le=1,
        description="window: refuse the merge (and change nothing) when the check copy's rows "
        "deleted on a deletion signal alone (recorded after the download started, but for "
        "its own diff poll's, and not served since), with the downloaded rows it lacks that "
        "such a signal keeps out, exceed this share of the check copy's rows the window "
        "covered",
    )
    skip_malformed: bool = Field(default=False, description="merge the rest of a download "
                                 "that has malformed items (each listed) instead of failing")
    transient_retries: int = Field(
        default=2, ge=0,
        description="window and update: runs of the step again after a transient failure "
        "(transfer_vn's: the site's connection lost or timed out, HTTP 429, the database's "
        "connection lost; the merge's database connection lost); a window downloads again "
        "from the start",
    )
    transient_retry_delay_s: float = Field(default=60.0, ge=0)
    allow_empty: bool = Field(
        default=False,
        description="accept a window with no observation, or one that covered no slice of an "
        "enabled site (that site is left out, and named in the run's log and metadata)",
    )


@dg.asset(
    key=VN_CHECK_COPY,
    group_name=GROUP_VN_SYNC,
    owners=OWNERS,
    kinds={"postgres"},
    freshness_policy=DAILY_FRESHNESS,
    pool=POOL_VN_DB,
    description=f"The check copy ({CHECK}: observations_json, forms_json, places_json), kept "
    "by Client-API-VN's transfer_vn: the source's diff daily, the last days downloaded again "
    "weekly, or the operator's own copy adopted. One asset: its tables share transfer_vn's "
    "names with production's and are written together.",
)
def vn_check_copy(
    context: dg.AssetExecutionContext,
    config: DownloadConfig,
    vn_db: PostgresResource,
    client_api_vn: ClientApiVn,
) -> dg.MaterializeResult:
    bookkeeping.prepare(vn_db, [CHECK, PRODUCTION])
    run_id = context.run.run_id
    try:
        # A session of ours the server ended anywhere in the step (the polls' bookkeeping, the
        # merge) is transient as transfer_vn's are: every mode may run again from its start.
        with transient_if_cut(f"{config.mode} of {CHECK}"):
            if config.mode == "update":
                metadata = _update(context, vn_db, client_api_vn)
            elif config.mode == "adopt":
                metadata = _adopt(context, config, vn_db, client_api_vn)
            else:
                metadata = _window(context, config, vn_db, client_api_vn)
    except (TransferVnError, ReconcileRefused) as err:
        action = "refused" if isinstance(err, ReconcileRefused) else "failed"
        again = (isinstance(err, TransferVnError) and err.transient
                 and context.retry_number < config.transient_retries)
        detail = (f"transient, run again in {config.transient_retry_delay_s:g} s "
                  f"(retry {context.retry_number + 1} of {config.transient_retries}): {err}"
                  if again else str(err))
        try:
            bookkeeping.record_apart(
                vn_db, run_id, [Entry(action, None, f"{CHECK}.observations_json", detail=detail)]
            )
        except (psycopg.OperationalError, DatabaseUnavailable) as lost:
            if not again:
                raise
            # the database still away (a restart, a failover): the retry is what matters
            context.log.warning(f"the failure could not be recorded ({lost}); run again anyway")
        if again:
            context.log.warning(f"{config.mode} of {CHECK}: {detail}")
            raise dg.RetryRequested(
                max_retries=config.transient_retries,
                seconds_to_wait=config.transient_retry_delay_s,
            ) from err
        changed = (
            f"production was not changed; {CHECK} keeps the source's changes the diff poll "
            "stored before it failed (the next poll asks for them again)"
            if isinstance(err, PollError) else "neither copy was changed"
        )
        raise dg.Failure(f"{config.mode} of {CHECK} {action}; {changed}: {err}") from None
    return dg.MaterializeResult(metadata=metadata)


def _update(
    context: dg.AssetExecutionContext, vn_db: PostgresResource, tool: ClientApiVn
) -> dict[str, object]:
    started = int(datetime.now(UTC).timestamp())
    controlers = DIFF_CONTROLERS & tool_config.enabled_controlers(tool.user_config())
    polls.poll(context, vn_db, tool, controlers)
    signals = _signals_since(vn_db, started)
    rows = _row_counts(vn_db, CHECK)
    with vn_db.connect() as conn:
        bookkeeping.record(conn, context.run.run_id, [
            Entry("update", signals, f"{CHECK}.observations_json",
                  detail=f"transfer_vn --update ran {', '.join(sorted(controlers))}; "
                  "count: deletions the source reported")
        ])
    return {"mode": "update", "deletion_signals": signals,
            **{f"{t}.row_count": rows[t] for t in TABLES}}


def _window(
    context: dg.AssetExecutionContext,
    config: DownloadConfig,
    vn_db: PostgresResource,
    tool: ClientApiVn,
) -> dict[str, object]:
    user = tool.user_config()
    enabled = tool_config.enabled_controlers(user)
    if "observations" not in enabled:
        raise TransferVnError(
            f"the observations controler is disabled in {tool.config_file}: a window "
            "download would bring nothing to compare"
        )
    tables = tuple(t for t in TABLES if CONTROLERS[t] in enabled)
    now = datetime.now(UTC)
    start = now.date() - timedelta(days=config.window_days)
    _empty_staging(vn_db, tool)
    fetched_xid = _xid_horizon(vn_db)
    controlers = {"observations"} | REFERENCE_CONTROLERS
    with tool.generated_config(
        vn_db, WINDOW_STAGING, start_date=start, controlers=controlers
    ) as (path, generated):
        run = tool.run("full", path, generated, cwd="window")
    context.log.info(run.output[-4000:])
    if run.retried:
        context.log.warning(
            f"transfer_vn asked {len(run.retried)} request(s) again after the site answered "
            f"with an error, and completed the window: {run.retried[0][:300]}"
        )
    type_date = tool_config.type_date(generated)
    with vn_db.connect() as conn:
        downloaded = conn.execute(
            compose(SQL_COVERAGE, "observation_count", schema=WINDOW_STAGING)
        ).fetchone()[0]
    if not downloaded and not config.allow_empty:
        raise ReconcileRefused(
            f"transfer_vn stored no observation for the window from {start} "
            "(allow_empty accepts an empty window)"
        )
    confirmed_at = 0
    if config.confirm_with_diff:
        # the other end of the download: what the source changed or deleted meanwhile
        needed = datetime.combine(start, time()) - timedelta(days=1)
        fetched_xid = _xid_horizon(vn_db)
        polls.poll(context, vn_db, tool, DIFF_CONTROLERS & enabled, needed, WINDOW_STAGING)
        confirmed_at = int(datetime.now(UTC).timestamp())
    # Not locked_step: a retry would download the window again. The run fails, naming the
    # lock; the next run downloads its own window. A connection the server ended is a
    # transient failure (vn_check_copy runs the step again): the merge rolled back, or, its
    # COMMIT lost, committed; a window downloaded and merged again is the same either way.
    with vn_db.locked_transaction(f"vn/{CHECK}") as conn:
        window, per_site = coverage.record(
            conn, check_schema=CHECK, mode="window", log_schema=WINDOW_STAGING,
            ref_schema=WINDOW_STAGING, type_date=type_date,
            download_started=int(now.timestamp()), confirmed_at=confirmed_at, tables=tables,
            sites=tool_config.enabled_sites(generated), run_id=context.run.run_id,
            fetched_xid=fetched_xid,
        )
        uncovered = _uncovered(context, config, tool, per_site, generated)
        no_places = _without_places(context, conn, window, generated)
        results, partial = merge(conn, window, WINDOW_STAGING, CHECK, config.skip_malformed,
                                 config.max_delete_fraction)
        entries = [Entry(
            "window_download", downloaded, f"{WINDOW_STAGING}.observations_json",
            detail=f"window from {start}, type_date {type_date}, "
            + "; ".join(f"{s.site}: {s.slices} slice(s) {s.first_day}..{s.last_day}"
                        for s in per_site),
        )]
        for table, result in results.items():
            entries += result.entries(f"{CHECK}.{table}")
        entries += [cell.entry(f"{CHECK}.observations_json") for cell in partial]
        bookkeeping.record(conn, context.run.run_id, entries)
    for cell in partial:
        context.log.warning(f"partial download: {cell.entry('').detail} ({cell.site})")
    return {
        "mode": "window", "window_start": start.isoformat(), "type_date": type_date,
        "window_id": window.id, "diff_confirmed": bool(confirmed_at),
        "sites": ", ".join(f"{s.site} ({s.slices} slices, {s.rows} rows)"
                           for s in per_site) or "none",
        "uncovered_sites": ", ".join(uncovered) or "none",
        "sites_without_places": ", ".join(no_places) or "none",
        "partial_cells": len(partial),
        **{f"{t}.{k}": v for t in TABLES
           for k, v in (results[t].metadata() if t in results else {"reconciled": False}).items()},
    }


def _xid_horizon(vn_db: PostgresResource) -> int:
    """The next transaction id, taken before a fetch from the source: forms and places
    written since, by that fetch in the check copy or by the live sync in production, are
    newer than what the window fetched before it (Window.fetched_xid). A form or place has no
    version of its own to compare."""
    with vn_db.connect() as conn:
        return int(conn.execute(statement(SQL_COVERAGE, "xid_horizon")).fetchone()[0])


def _uncovered(
    context: dg.AssetExecutionContext, config: DownloadConfig, tool: ClientApiVn,
    per_site: list[coverage.SiteSlices], tool_settings: dict[str, Any],
) -> list[str]:
    """The enabled sites of which the download (ours, or the adopted --full) covered no
    slice: transfer_vn stored no observations/search answer for them (an account that lost
    its rights answers an empty taxo group list, and transfer_vn logs no error). The operator
    enabled the site, and a run that ran no job for an enabled site fails (docs/visionature.md), so
    the window is refused unless allow_empty; the other sites' repair then waits, as after any
    failed download."""
    uncovered = sorted(set(tool_config.enabled_sites(tool_settings)) - {s.site for s in per_site})
    if not uncovered:
        return []
    message = (
        f"the download covered no slice of enabled site(s) {', '.join(uncovered)}: transfer_vn "
        "stored no observations/search answer for them (no taxo group the account may read, "
        "every one in taxo_exclude, or no territorial unit in territorial_unit_ids)"
    )
    if not config.allow_empty:
        raise ReconcileRefused(
            f"{message}; restore the account's access, disable the site in "
            f"{tool.config_file}, or set allow_empty to repair the other sites without it"
        )
    context.log.warning(f"{message}; left out of this window (allow_empty)")
    return uncovered


def _without_places(
    context: dg.AssetExecutionContext, conn: psycopg.Connection, window: coverage.Window,
    tool_settings: dict[str, Any],
) -> list[str]:
    """The enabled sites of which the download asked for no place although the places
    controler ran: their places stay outside the window (nothing deleted, nothing confirmed).
    Besides a failed places list, a cause of transfer_vn's own: with territorial_unit_ids,
    observations/search keeps the units whose short name is listed, Places.store the
    communes whose id_canton (a unit's id) is; a list of short names alone then asks for no
    place. An adoption whose previous one read part of a --full still running may report a
    site whose places lines it read then: a false alarm, the places stay outside alike."""
    if "places_json" not in window.tables:
        return []
    missing = coverage.sites_without_places(
        conn, window, tool_config.enabled_sites(tool_settings)
    )
    if missing:
        units = (tool_settings.get("filter") or {}).get("territorial_unit_ids")
        context.log.warning(
            f"the download asked for no place of site(s) {', '.join(missing)}: their places "
            "are left out of this window (none deleted or confirmed). Either transfer_vn's "
            "places list failed (its log says so)"
            + (f", or no entry of territorial_unit_ids {units} is a territorial unit's id: "
               "transfer_vn's places download matches the entries with the communes' "
               "id_canton (a unit's id), observations/search with the units' short names; "
               "where the two differ, list both." if units else ".")
        )
    return missing


def _adopt(
    context: dg.AssetExecutionContext, config: DownloadConfig, vn_db: PostgresResource,
    tool: ClientApiVn,
) -> dict[str, object]:
    user = tool.user_config()
    enabled = tool_config.enabled_controlers(user)
    tables = tuple(t for t in TABLES if CONTROLERS[t] in enabled)
    with vn_db.locked_step(f"vn/{CHECK}") as conn:
        after = coverage.adopted_log_id(conn, CHECK)
        started = coverage.log_started(conn, CHECK, after)
        if started is None:
            raise ReconcileRefused(
                f"{CHECK}.download_log has no observations/search line after line {after}: "
                "the operator's transfer_vn --full has not run since the last adoption, so "
                "nothing is known to be covered"
            )
        window, per_site = coverage.record(
            conn, check_schema=CHECK, mode="adopt", log_schema=CHECK, ref_schema=CHECK,
            type_date=tool_config.type_date(user), download_started=started, confirmed_at=0,
            tables=tables, sites=tool_config.enabled_sites(user), run_id=context.run.run_id,
            after_log_id=after,
        )
        uncovered = _uncovered(context, config, tool, per_site, user)
        no_places = _without_places(context, conn, window, user)
        bookkeeping.record(conn, context.run.run_id, [Entry(
            "adopt", sum(s.rows for s in per_site), f"{CHECK}.observations_json",
            detail="; ".join(f"{s.site}: {s.slices} slice(s) {s.first_day}..{s.last_day}"
                             for s in per_site),
        )])
    rows = _row_counts(vn_db, CHECK)
    return {
        "mode": "adopt", "window_id": window.id,
        "sites": ", ".join(f"{s.site} ({s.slices} slices)" for s in per_site) or "none",
        "uncovered_sites": ", ".join(uncovered) or "none",
        "sites_without_places": ", ".join(no_places) or "none",
        **{f"{t}.row_count": rows[t] for t in TABLES},
    }


def _empty_staging(vn_db: PostgresResource, tool: ClientApiVn) -> None:
    """The staging schema's tables, empty: created by transfer_vn the first time."""
    with vn_db.connect() as conn:
        missing = conn.execute(
            statement(SQL_BOOKKEEPING, "missing_tables"),
            {"schemas": [WINDOW_STAGING], "tables": [
                *TABLES, "local_admin_units_json", "territorial_units_json", "taxo_groups_json",
                "download_log", "increment_log"]},
        ).fetchall()
    if missing:
        with tool.generated_config(vn_db, WINDOW_STAGING) as (path, generated):
            tool.run("json_tables_create", path, generated)
    with vn_db.connect() as conn:
        conn.execute(compose(SQL_COVERAGE, "truncate_download", schema=WINDOW_STAGING))


def _signals_since(vn_db: PostgresResource, started: int) -> int:
    with vn_db.connect() as conn:
        return conn.execute(
            statement(SQL_BOOKKEEPING, "signals_since"), {"schema": CHECK, "since": started}
        ).fetchone()[0]


def _row_counts(vn_db: PostgresResource, schema: str) -> dict[str, int]:
    with vn_db.connect() as conn:
        return {
            t: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, t))
            ).fetchone()[0]
            for t in TABLES
        }

"""The check copy's diff polls: transfer_vn's ``--update`` of the check copy, asked for every
change since the last poll that ran to its end (maint_assets.vn_polls; transfer_vn moves its
watermark before fetching, so a failed poll would otherwise lose changes for good), recorded
with the taxo groups it asked for and the deletions its diff reported of rows the check copy
never held (transfer_vn_jobs.py)."""

from contextlib import suppress
from datetime import datetime

import dagster as dg
import psycopg

from maint_assets.core.database_unavailable import DatabaseUnavailable
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import compose, statement
from maint_assets.vn_sync import tool_config
from maint_assets.vn_sync.client_api_vn import ClientApiVn, PollError
from maint_assets.vn_sync.keys import CHECK, SQL_COVERAGE


def poll(
    context: dg.AssetExecutionContext, vn_db: PostgresResource, tool: ClientApiVn,
    controlers: set[str], needed: datetime | None = None, window_log: str | None = None,
) -> None:
    """The source's diff into the check copy, asked for every change since the last poll
    began (or since ``needed``, when polls have not run continuously since then)."""
    started = datetime.now()  # naive local time: transfer_vn's clock
    sites = tool_config.enabled_sites(tool.user_config())
    first = None  # where the first poll of all starts
    with vn_db.connect() as conn:
        since = conn.execute(
            statement(SQL_COVERAGE, "poll_since"), {"check_schema": CHECK, "needed": needed}
        ).fetchone()[0]
        if since is not None:
            conn.execute(
                compose(SQL_COVERAGE, "rewind_watermarks", check=CHECK),
                {"since": since, "sites": sites},
            )
            if window_log:
                conn.execute(
                    compose(SQL_COVERAGE, "add_watermarks", check=CHECK, log=window_log),
                    {"since": since},
                )
        else:
            since = conn.execute(
                compose(SQL_COVERAGE, "newest_watermark", check=CHECK), {"sites": sites}
            ).fetchone()[0]
            since = None if since is None else min(since, started)
            first = since
    try:
        run = tool.update_now(vn_db, CHECK, controlers)
    except PollError:
        # No poll recorded yet, so the next has nothing to rewind to, and transfer_vn moved
        # the watermarks of the groups it asked before it failed: put them back now, or
        # their changes (and deletions) until then would never be asked for again.
        if first is not None:
            with suppress(psycopg.Error, DatabaseUnavailable), vn_db.connect() as conn:
                conn.execute(compose(SQL_COVERAGE, "rewind_watermarks", check=CHECK),
                             {"since": first, "sites": sites})
        raise
    context.log.info(run.output[-4000:])
    # One transaction: a poll recorded without its reported deletions (a session lost in
    # between) would never be asked for them again, the next poll starting where this one did.
    with vn_db.connect() as conn, conn.transaction():
        if run.reported_deletions:
            tables, sites_of, ids, ats = map(list, zip(*run.reported_deletions, strict=True))
            recorded = conn.execute(
                compose(SQL_COVERAGE, "record_reported_deletions", check=CHECK), {
                    "check_schema": CHECK, "tables": tables, "sites": sites_of, "ids": ids,
                    "ats": ats,
                }).rowcount
            context.log.info(
                f"the diff reported {len(ids)} deletion(s); {recorded} of rows {CHECK} did "
                "not hold, not recorded before, recorded as the source's deletion signals "
                "(maint_assets.vn_deletions)"
            )
        conn.execute(compose(SQL_COVERAGE, "record_poll", check=CHECK), {
            "check_schema": CHECK, "since": since or started, "started": started,
            "run_id": context.run.run_id, "sites": sites,
        })

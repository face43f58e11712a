"""Repairing production (``src_vn_json``) from the check copy, inside the latest window.

One transaction per run (reconcile.py): observations, forms and places; a deletion needs the
source's deletion signal or, after a window download confirmed by the diff, the row's
absence from both the download and the check copy where the download covered it; anything
else is kept and listed as unconfirmed. Outside the window's days only what our continuous
diff polls brought is written, unless ``whole_table``. Every run is rows of
maint_assets.vn_monitoring, a refusal included, and the runbook's two rows of
dbadmin.monitoring_vn_check_to_prod (bookkeeping.py). The summary goes out by e-mail from the
orchestrator once the repair is committed.
"""

from collections.abc import Iterator

import dagster as dg
from pydantic import Field

from maint_assets.core.automation import WEEKLY_FRESHNESS
from maint_assets.core.notify import NotifierError, SmtpNotifier
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement
from maint_assets.core.ui import column_schema
from maint_assets.vn_sync import bookkeeping, coverage
from maint_assets.vn_sync.bookkeeping import Entry
from maint_assets.vn_sync.keys import (
    CHECK,
    GROUP_VN_SYNC,
    OWNERS,
    POOL_VN_DB,
    PRODUCTION,
    PRODUCTION_TABLES,
    SQL_BOOKKEEPING,
    TABLES,
    VN_CHECK_COPY,
)
from maint_assets.vn_sync.reconcile import (
    ReconcileRefused,
    RepairSettings,
    TableResult,
    repair,
)


class RepairConfig(dg.Config):
    whole_table: bool = Field(
        default=False,
        description="also write outside the window: every row of the check copy not kept "
        "unconfirmed, and every deletion the source signalled (the runbook's whole-table "
        "comparison); deletions by absence stay limited to what the download covered",
    )
    max_delete_fraction: float = Field(
        default=0.05, ge=0, le=1,
        description="refuse (and change nothing) when the rows deleted for their absence, "
        "or on a deletion signal alone inside the window (an adopted one, or a signal "
        "recorded after the window's download started, but for its own diff poll's), "
        "exceed this share of the production rows the window covered, or the rows deleted "
        "outside the window on a deletion signal alone (whole_table) this share of the table",
    )
    skip_malformed: bool = Field(
        default=False,
        description="repair the rest when the check copy has malformed items (each is "
        "listed and left alone); by default the run fails and changes nothing",
    )
    delete_absent: bool = Field(
        default=False,
        description="also delete production rows the window download and the check copy "
        "both lack, with no deletion signal (the runbook never deletes them). Only when the "
        "check configuration's VisioNature account sees every sighting production's sees: "
        "one it may not read (sensitive data, a taxo group in limited access) is in none of "
        "its answers and would be deleted every week. Off, they are kept and listed "
        "'unconfirmed'; the deletions the source's diff reports are applied either way",
    )
    new_sites: bool = Field(
        default=False,
        description="repair a site of the window that production's live sync neither polls "
        "nor holds any observation of; by default the run is refused, as the check "
        "configuration then most likely keys the site otherwise than production's",
    )


# The summary is the runbook's e-mail: a repair committed while the relay was down would leave
# no word in anyone's mailbox. A failed check is one alert_asset_health mails (with the
# summary's line) once the relay is back, as it keeps its cursor until a send succeeds.
SUMMARY_MAILED = dg.AssetCheckSpec(
    "summary_mailed", asset=PRODUCTION_TABLES["observations_json"], blocking=False,
    description="The repair's summary reached the mail relay (or no mail is configured)",
)


@dg.multi_asset(
    name="vn_sync_repair",
    specs=[
        dg.AssetSpec(
            asset_key, group_name=GROUP_VN_SYNC, owners=OWNERS, kinds={"postgres"},
            deps=[VN_CHECK_COPY], freshness_policy=WEEKLY_FRESHNESS,
            description=f"Production {PRODUCTION}.{table} (GeoNature reads it), repaired from "
            "the check copy inside the latest window",
        )
        for table, asset_key in PRODUCTION_TABLES.items()
    ],
    pool=POOL_VN_DB,
    check_specs=[SUMMARY_MAILED],
    description="Repair production's observations, forms and places from the check copy in one "
    "transaction; a deletion needs the source's signal or the row's confirmed absence.",
)
def vn_sync_repair(
    context: dg.AssetExecutionContext,
    config: RepairConfig,
    vn_db: PostgresResource,
    notifier: SmtpNotifier,
) -> Iterator[dg.MaterializeResult]:
    bookkeeping.prepare(vn_db, [CHECK, PRODUCTION])
    run_id = context.run.run_id
    settings = RepairSettings(config.whole_table, config.max_delete_fraction,
                              config.skip_malformed, config.delete_absent, config.new_sites)
    try:
        # Run again when the session is lost (a restart, a failover): the repair's one
        # transaction rolled back, and is made afresh from what the tables hold then.
        with vn_db.locked_step(f"vn/{PRODUCTION}", rerun_if_cut=True) as conn:
            if bookkeeping.recorded(conn, run_id, "repair"):
                raise dg.Failure(
                    f"the repair of {PRODUCTION} was committed by an earlier attempt of this "
                    "run, whose session was lost during its COMMIT: what it did is in "
                    f"maint_assets.vn_monitoring (run_id {run_id}); not repaired twice, and "
                    "its summary was not mailed"
                )
            window = coverage.latest(conn, CHECK)
            if window is None:
                raise ReconcileRefused(
                    f"no window of {CHECK} is recorded (maint_assets.vn_windows): materialize "
                    "vn_check_copy in window mode, or in adopt mode for a check copy your "
                    "own cron keeps; production is only repaired where a download covered it"
                )
            results = repair(conn, window, CHECK, PRODUCTION, settings)
            entries = [Entry("repair", None, f"{PRODUCTION}.observations_json", detail=(
                f"window {window.id} ({window.mode}, run {window.run_id})"
                + (", whole table" if config.whole_table else "")))]
            for table, result in results.items():
                entries += result.entries(f"{PRODUCTION}.{table}")
            bookkeeping.record(conn, run_id, entries)
    except ReconcileRefused as err:
        bookkeeping.record_apart(
            vn_db, run_id, [Entry("refused", None, f"{PRODUCTION}.observations_json",
                                  detail=str(err))]
        )
        raise dg.Failure(f"repair of {PRODUCTION} refused: {err}") from None
    for result in results.values():
        kept = [i for i in result.listed if i.action == "unconfirmed"]
        if kept:
            context.log.warning(
                f"{PRODUCTION}.{result.table}: {len(kept)} row(s) kept unconfirmed, first: "
                + ", ".join(f"({i.site}, {i.id}) {i.reason}" for i in kept[:5])
            )
    subject, text = _summary(vn_db, results, window, run_id)
    email = _notify(notifier, subject, text)
    if email.startswith("failed"):
        context.log.error(f"the repair is committed but its summary was not sent: {email}")
    with vn_db.connect() as conn:
        columns = {t: column_schema(conn, PRODUCTION, t) for t in TABLES}
        runbook = [name for (name,) in conn.execute(
            statement(SQL_BOOKKEEPING, "runbook_procedures"), {"schema": CHECK})]
    if runbook:
        context.log.warning(
            f"the runbook's own repair {', '.join(runbook)} is still installed: a CALL of it "
            "left in the operator's cron (transfer_vn_full_2w.sh) copies into production "
            f"every row of {CHECK} production lacks, the rows this repair keeps out "
            "(unconfirmed, outside the window) included; remove that CALL, or drop it"
        )
    for table in TABLES:
        result = results.get(table)
        yield dg.MaterializeResult(
            asset_key=PRODUCTION_TABLES[table],
            metadata={
                "window_id": window.id, "window_mode": window.mode,
                "window_download_run": window.run_id, "whole_table": config.whole_table,
                "email": email,
                "runbook_repair_installed": ", ".join(runbook) or "none",
                **(result.metadata() if result else {"reconciled": False}),
                **columns[table],
            },
        )
    unsent = email.startswith("failed")
    yield dg.AssetCheckResult(
        asset_key=SUMMARY_MAILED.asset_key, check_name=SUMMARY_MAILED.name, passed=not unsent,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"the committed repair's summary was not mailed: {subject}" if unsent
        else None,
        metadata={"email": email, "summary": subject},
    )


def _summary(
    vn_db: PostgresResource,
    results: dict[str, TableResult],
    window: coverage.Window,
    run_id: str,
) -> tuple[str, str]:
    total = {a: sum(r.counts[a] for r in results.values())
             for a in ("insert", "update", "delete", "unconfirmed")}
    subject = (
        f"[{vn_db.describe()}] VisioNature repair: {total['insert']} inserted, "
        f"{total['update']} updated, {total['delete']} deleted, "
        f"{total['unconfirmed']} unconfirmed"
    )
    lines = [f"Repair of {PRODUCTION} from {CHECK} (window {window.id}, {window.mode}), "
             f"run {run_id}:", ""]
    lines += [_summary_line(r) for r in results.values()]
    return subject, "\n".join(lines) + "\n"


def _notify(notifier: SmtpNotifier, subject: str, text: str) -> str:
    try:
        delivery = notifier.send(subject, text)
    except NotifierError as err:
        return f"failed: {err}"
    return delivery.describe() if delivery else "not configured"


def _summary_line(r: TableResult) -> str:
    # the same line as before when nothing was re-inserted
    reinserted = (f" ({r.reinserted} re-inserted: a deletion the download refuted)"
                  if r.reinserted else "")
    return (
        f"{PRODUCTION}.{r.table}: {r.counts['insert']} inserted{reinserted}, "
        f"{r.counts['update']} updated, {r.counts['delete']} deleted "
        f"({r.deleted_by['signal']} on the source's signal, {r.deleted_by['absent']} absent "
        f"from the download), {r.counts['kept_newer']} newer in production kept, "
        f"{r.counts['unconfirmed']} unconfirmed kept, {r.counts['outside_window']} outside "
        f"the window, {r.counts['malformed']} malformed skipped"
    )

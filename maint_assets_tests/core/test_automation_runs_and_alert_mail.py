"""What the automation daemon does with the shipped definitions, and the alert mail it leads to.

Run requests are built by Dagster's own tick evaluation (the class the daemon's AssetDaemon
uses), once per automation sensor of the code location, as the daemon does."""

import logging

import dagster as dg
import pytest
from dagster._core.definitions.asset_daemon_cursor import AssetDaemonCursor
from dagster._core.definitions.automation_tick_evaluation_context import (
    AutomationTickEvaluationContext,
)

from maint_assets.atlas.keys import TAXA_OBS
from maint_assets.catalog.keys import DCAT_PAGES
from maint_assets.definitions import defs


def _automation_run_requests(instance: dg.DagsterInstance, cursors: dict) -> list[dg.RunRequest]:
    graph = defs.resolve_asset_graph()
    requests = []
    for sensor in defs.sensors or []:
        if not isinstance(sensor, dg.AutomationConditionSensorDefinition):
            continue
        context = AutomationTickEvaluationContext(
            evaluation_id=len(cursors) + 1,
            instance=instance,
            asset_graph=graph,
            cursor=cursors.get(sensor.name, AssetDaemonCursor.empty()),
            materialize_run_tags={},
            observe_run_tags={},
            auto_observe_asset_keys=set(),
            asset_selection=sensor.asset_selection,
            logger=logging.getLogger("trial"),
            emit_backfills=False,
        )
        made, cursors[sensor.name], _ = context.evaluate()
        requests += made
    return requests


def test_automation_never_puts_two_databases_in_one_run() -> None:
    """New DCAT pages and a new atlas taxon in the same minute: the catalogue's refresh must not
    wait in the atlas pool (a count rebuild holds it for minutes, hours on production's
    observations) nor run in the atlas' process after its steps. With one automation sensor
    over every asset, Dagster groups all that one tick requests into one run (it splits only
    by partitioning), and with pools at run granularity that run waits for every pool it
    names; seen in the demo: `Run a3785408 is blocked by global concurrency limits:
    {"atlas_db": …}` with catalog/* and webarchive/* in it."""
    graph = defs.resolve_asset_graph()
    cursors: dict = {}
    with dg.instance_for_test() as instance:
        assert _automation_run_requests(instance, cursors) == []  # first tick: all handled
        for key in (TAXA_OBS, DCAT_PAGES):
            instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key))
        requests = _automation_run_requests(instance, cursors)
    requested = {k for r in requests for k in r.asset_selection or []}
    assert {k.path[0] for k in requested} == {"atlas", "catalog"}  # both were requested
    mixed = {
        tuple(sorted(k.to_user_string() for k in r.asset_selection)): sorted(
            {p for k in r.asset_selection for p in graph.get(k).pools or {"(none)"}}
        )
        for r in requests
        if len({p for k in r.asset_selection for p in graph.get(k).pools or {"(none)"}}) > 1
    }
    assert mixed == {}, f"runs that wait for several pools at once: {mixed}"


def test_an_alert_mail_has_the_date_and_message_id_rfc_5322_asks_for(smtp_server) -> None:
    """RFC 5322 §3.6: Date is required, Message-ID should be there; Gmail answers a message
    without one `550-5.7.1 Messages missing a valid Message-ID header are not accepted`, and
    Postfix adds neither to mail relayed over SMTP from another host
    (local_header_rewrite_clients), so the alert would be refused for good (a 5xx is not
    retried). Seen on the demo's sink: the alert's headers are Subject, From, To only."""
    from email.utils import parsedate_to_datetime

    from maint_assets.core.notify import SmtpNotifier

    smtp_server.messages.clear()
    SmtpNotifier(
        host="127.0.0.1", port=smtp_server.port, sender="maint@example.org",
        recipients="ops@example.org",
    ).send("[maint_assets] s", "b\n")
    message = smtp_server.messages[0][2]
    assert message["Date"] is not None, dict(message.items())
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["Message-ID"] is not None and "@" in message["Message-ID"]


def test_the_subject_of_an_automation_runs_alert_names_what_failed(smtp_server) -> None:
    """Every run the automation and the sensors launch is of Dagster's hidden job
    `__ASSET_JOB`: with the job's name in the subject, the catalogue's failure and the atlas
    counts' read alike in a mailbox (`[maint_assets] __ASSET_JOB failed`, seen on the demo
    for a malformed DCAT page and for a count run whose worker died)."""
    from maint_assets.core.alerts import alert_failed_runs
    from maint_assets.core.notify import SmtpNotifier

    @dg.asset(key=["catalog", "dataframe", "raw_datasets"])
    def broken() -> None:
        raise RuntimeError("malformed catalogue page")

    @dg.asset(key=["catalog", "public", "datasets"])
    def other() -> None:
        pass

    instance = dg.DagsterInstance.ephemeral()
    notifier = SmtpNotifier(host="127.0.0.1", port=smtp_server.port, recipients="ops@example.org")

    def tick(cursor: str | None) -> str | None:
        context = dg.build_sensor_context(
            instance=instance, cursor=cursor, resources={"notifier": notifier}
        )
        alert_failed_runs(context)
        return context.cursor

    cursor = tick(None)
    # As the daemon's runs are: the assets named in the run (a sensor's or automation's request).
    job = dg.Definitions(assets=[broken, other]).resolve_implicit_global_asset_job_def()
    assert not job.execute_in_process(
        instance=instance, asset_selection=[broken.key], raise_on_error=False
    ).success
    smtp_server.messages.clear()
    tick(cursor)
    subject = smtp_server.messages[0][2]["Subject"]
    assert "__" not in subject and "catalog/dataframe/raw_datasets" in subject, subject


def test_the_metabase_backup_runs_the_night_after_the_catalogue_where_both_are() -> None:
    """The runbook's CronJob (SSPCloud, France) dumped Metabase's database right after the
    catalogue's ETL, at 00:00; the schedule says "after the catalogue" but is 03:00 Toronto,
    which is 09:00 in Paris: nine hours after the catalogue, in the working day of the
    dashboards' users, while they edit the questions the backup copies."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from dagster._utils.schedules import schedule_execution_time_iterator

    def ticks(schedule: dg.ScheduleDefinition, after: float):
        return schedule_execution_time_iterator(
            after, schedule.cron_schedule, schedule.execution_timezone
        )

    schedules = {s.name: s for s in defs.schedules or []}
    catalogue = schedules["catalog_daily_0000"]
    backup = schedules["metabase_daily_backup_0300"]
    paris = ZoneInfo(catalogue.execution_timezone)
    start = datetime(2026, 12, 7, 12, tzinfo=paris).timestamp()
    catalogue_at = next(ticks(catalogue, start))
    backup_at = next(ticks(backup, catalogue_at.timestamp()))
    hours_after = (backup_at - catalogue_at).total_seconds() / 3600
    local = backup_at.astimezone(paris)
    assert 0 < hours_after <= 6 and local.hour < 7, (
        f"backup at {local:%H:%M} {paris.key}, {hours_after:.0f} h after the catalogue"
    )


def test_a_check_that_keeps_failing_the_same_way_is_mailed_once(smtp_server) -> None:
    """The web archive's readability check re-reports the quarantined files at every index
    run (hourly, and after every new file), and `alert_asset_health` mailed each evaluation:
    on the demo, four `[maint_assets] 1 failed checks` mails in 12 minutes about the same
    broken WARC, 24 a day or more. A mailbox that repeats a known state hides the new one.
    A failure is news when it is new or changed (its severity or metadata); the same again
    is not, and after a pass it is news again."""
    from maint_assets.core.alerts import alert_asset_health
    from maint_assets.core.notify import SmtpNotifier

    state = {"broken": "a.warc.gz", "passed": False}

    key = dg.AssetKey(["webarchive", "index", "cdx_index"])

    @dg.asset(key=key, check_specs=[dg.AssetCheckSpec("every_warc_readable", asset=key)])
    def index():
        yield dg.Output(None)
        yield dg.AssetCheckResult(
            check_name="every_warc_readable",
            passed=state["passed"],
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"newest": dg.MetadataValue.md(f"- `{state['broken']}`: truncated")},
        )

    instance = dg.DagsterInstance.ephemeral()
    notifier = SmtpNotifier(host="127.0.0.1", port=smtp_server.port, recipients="ops@example.org")
    cursor = None

    def run_and_tick() -> int:
        nonlocal cursor
        dg.materialize([index], instance=instance)
        context = dg.build_sensor_context(
            instance=instance, cursor=cursor, resources={"notifier": notifier}
        )
        alert_asset_health(context)
        cursor = context.cursor
        return len(smtp_server.messages)

    context = dg.build_sensor_context(instance=instance, resources={"notifier": notifier})
    alert_asset_health(context)  # a new sensor: history is no news
    cursor = context.cursor
    smtp_server.messages.clear()
    assert run_and_tick() == 1  # the first failure
    assert run_and_tick() == 1, "the same failure again was mailed again"
    assert run_and_tick() == 1
    state["broken"] = "b.warc.gz"
    assert run_and_tick() == 2  # changed: news
    state["passed"] = True
    assert run_and_tick() == 2
    state["passed"] = False
    assert run_and_tick() == 3  # failing again after a pass: news


@pytest.mark.parametrize("recovers", [True, False])
def test_a_repeated_failure_reaches_a_recipient_who_was_refused_its_first_mail(
    recovers: bool,
) -> None:
    """The first mail of a failing check reached ops@ but the relay refused oncall@ (a full
    mailbox, a 550 for a day); the check then keeps failing the same way, and each repeat
    counted as mailed: oncall@ never heard of it, though the sensor's log said so once. A
    repeat is news to whoever the previous mail did not reach. A mailbox refused every time (a
    typo, someone gone) has the repeat sent once more, not at every failure."""
    from maint_assets.core.alerts import alert_asset_health
    from maint_assets.core.notify import SmtpNotifier
    from maint_assets_tests.smtp_servers import RefusingSink, serving

    key = dg.AssetKey(["webarchive", "index", "cdx_index"])

    @dg.asset(key=key, check_specs=[dg.AssetCheckSpec("every_warc_readable", asset=key)])
    def index():
        yield dg.Output(None)
        yield dg.AssetCheckResult(
            check_name="every_warc_readable", passed=False, severity=dg.AssetCheckSeverity.WARN,
            metadata={"newest": dg.MetadataValue.md("- `a.warc.gz`: truncated")},
        )

    sink = RefusingSink({"oncall@example.org"})
    instance = dg.DagsterInstance.ephemeral()
    with serving(sink) as port:
        notifier = SmtpNotifier(
            host="127.0.0.1", port=port, recipients="ops@example.org, oncall@example.org"
        )
        context = dg.build_sensor_context(instance=instance, resources={"notifier": notifier})
        alert_asset_health(context)  # a new sensor: history is no news
        cursor = context.cursor
        for _ in range(3):
            if recovers and len(sink.delivered) == 1:
                sink.refused.clear()  # the mailbox takes mail again
            dg.materialize([index], instance=instance)
            context = dg.build_sensor_context(
                instance=instance, cursor=cursor, resources={"notifier": notifier}
            )
            alert_asset_health(context)
            cursor = context.cursor
    assert sink.delivered[0] == ["ops@example.org"]
    again = ["ops@example.org", "oncall@example.org"] if recovers else ["ops@example.org"]
    assert sink.delivered[1:] == [again], sink.delivered

"""E-mail alerts through the SMTP resource, on when SMTP and recipients are configured and
silent otherwise (the runbooks relied on someone reading cron output): one message per failed
run, and one per tick for failed checks (blocking or not) and freshness changes."""

import json
import os
from datetime import UTC, datetime

import dagster as dg

from maint_assets.core.automation import sensor_interval
from maint_assets.core.event_feed import read_new
from maint_assets.core.notify import Delivery, NotifierError, SmtpNotifier

HEALTH_EVENTS = (
    dg.DagsterEventType.ASSET_CHECK_EVALUATION,
    dg.DagsterEventType.FRESHNESS_STATE_CHANGE,
)
ALARMING = {"WARN", "FAIL"}
MAILING_SINCE = "mailing_since"  # keys of alert_asset_health's cursor
REFUSED = "refused_recipients"


@dg.sensor(
    name="alert_failed_runs",
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=sensor_interval("MAINT_ALERT_INTERVAL_S", 30),
    description="E-mails the failed steps and their errors for every failed run.",
)
def alert_failed_runs(
    context: dg.SensorEvaluationContext, notifier: SmtpNotifier
) -> dg.SkipReason:
    """Not a run_failure_sensor: Dagster moves a run status sensor's cursor past a run whose
    function raised (its tick fails, and the run is never seen again), so a relay that is down
    lost the alert of every run that failed meanwhile. Here the cursor passes a run once its
    message was sent; the instance's every run is read (a run launched by hand has no code
    location)."""
    records, cursor = read_new(context.instance, context.cursor, FAILURES, from_start=False)
    if not notifier.enabled:
        # read all the same: mail configured later does not bring months of failures as news
        context.update_cursor(cursor)
        return dg.SkipReason("SMTP is not configured (MAINT_SMTP_HOST, MAINT_MAIL_TO)")
    mailed = 0
    for record in records:
        run = context.instance.get_run_by_id(record.event_log_entry.run_id)
        if run is None:  # deleted since it failed
            continue
        subject, body = failure_message(
            context.instance, run, record.event_log_entry.get_dagster_event()
        )
        try:
            delivery = notifier.send(subject, body)
        except NotifierError as err:
            # Not raised: the cursor would stay where the tick began, and the runs mailed
            # before this one would be mailed again. This run is the next tick's first.
            context.log.error(f"{err}; the alert of run {run.run_id} is tried again next tick")
            context.update_cursor(_after(record.storage_id - 1))
            return dg.SkipReason(f"{mailed} failed runs mailed; not sent, tried again: {err}")
        _log(context.log, subject, notifier, delivery)
        mailed += 1
        if mailed >= MAILS_PER_TICK and record is not records[-1]:
            # A tick the daemon gives up on (60 s: DAGSTER_SENSOR_GRPC_TIMEOUT_SECONDS) keeps
            # its old cursor, and the next one would send all of these again.
            context.update_cursor(_after(record.storage_id))
            return dg.SkipReason(f"{mailed} failed runs mailed; more next tick")
    context.update_cursor(cursor)
    return dg.SkipReason(f"{mailed} failed runs mailed")


FAILURES = (dg.DagsterEventType.RUN_FAILURE,)
# Messages sent per tick: a few SMTP sessions (each up to 3 tries, 2 s then 4 s apart) well
# inside the daemon's 60 s for a tick, however many runs failed while the relay was down.
MAILS_PER_TICK = 10


def _after(storage_id: int) -> str:
    """read_new's cursor for the run failures after ``storage_id``."""
    return json.dumps({dg.DagsterEventType.RUN_FAILURE.value: storage_id})


def _log(
    log: dg.DagsterLogManager, subject: str, notifier: SmtpNotifier, delivery: Delivery | None
) -> None:
    """Whom the alert reached, and an error naming those the server refused (an alert sent
    again would reach the others twice, so it is not)."""
    if delivery is None:
        return
    line = f"mailed {subject!r} via {notifier.host}:{notifier.port}: {delivery.describe()}"
    (log.error if delivery.refused else log.info)(line)


@dg.sensor(
    name="alert_asset_health",
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=sensor_interval("MAINT_ALERT_INTERVAL_S", 60),
    description="E-mails failed asset checks and assets that become overdue (freshness policy "
    "warn/fail) or recover.",
)
def alert_asset_health(
    context: dg.SensorEvaluationContext, notifier: SmtpNotifier
) -> dg.SkipReason:
    if not notifier.enabled:
        return dg.SkipReason("SMTP is not configured (MAINT_SMTP_HOST, MAINT_MAIL_TO)")
    records, cursor = read_new(context.instance, context.cursor, HEALTH_EVENTS, from_start=False)
    # Since when this sensor's mails reached every recipient: a failure it never mailed (one
    # from before it existed), or mailed while the relay refused a recipient it had taken
    # before, is news even when the check failed the same way before. A recipient refused
    # every time (a typo, someone gone) moves it once: otherwise every repeat went to all.
    positions = json.loads(cursor)
    since = positions.setdefault(MAILING_SINCE, datetime.now(UTC).timestamp())
    message = health_message(context.instance, records, mailed_since=since)
    if message:
        delivery = notifier.send(*message)
        _log(context.log, message[0], notifier, delivery)
        if delivery is not None:
            refused = sorted(delivery.refused)
            if set(refused) - set(positions.get(REFUSED, [])):
                positions[MAILING_SINCE] = datetime.now(UTC).timestamp()
            positions[REFUSED] = refused
    # After the send: a message no recipient took is tried again with the next tick's news.
    context.update_cursor(json.dumps(positions, sort_keys=True))
    return dg.SkipReason(f"{len(records)} events, {'mailed' if message else 'nothing to report'}")


def failure_message(
    instance: dg.DagsterInstance, run: dg.DagsterRun, failure: dg.DagsterEvent
) -> tuple[str, str]:
    steps = [
        r.event_log_entry.get_dagster_event()
        for r in instance.get_records_for_run(
            run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE
        ).records
    ]
    assets = sorted(k.to_user_string() for k in (run.asset_selection or []))
    lines = [
        f"Run {run.run_id} of job {run.job_name} failed.",
        f"Assets selected: {', '.join(assets) or 'the whole job'}",
        f"Run page: {_ui_url()}/runs/{run.run_id}",
        "",
    ]
    for event in steps[:20]:
        error = event.event_specific_data.error if event.event_specific_data else None
        cause = error.cause.message if error is not None and error.cause else ""
        message = (error.message if error else "unknown error").strip().splitlines()
        lines.append(f"- step {event.step_key}: {message[-1] if message else ''}")
        if cause:
            lines.append(f"  cause: {cause.strip().splitlines()[-1]}")
    if not steps:
        lines.append(f"- {failure.message}")
    # The runs of automation and sensors are of Dagster's hidden asset job (`__ASSET_JOB`):
    # their subject names the assets, or every such alert would read the same.
    # A run that selected no assets by name is named by its failed steps.
    what = run.job_name
    named = assets or [e.step_key for e in steps if e.step_key]
    if what.startswith("__") and named:
        what = named[0] + (f" (+{len(named) - 1} more)" if len(named) > 1 else "")
    return f"[maint_assets] {what} failed", "\n".join(lines) + "\n"


def health_message(
    instance: dg.DagsterInstance, records: list[dg.EventLogRecord], mailed_since: float = 0.0
) -> tuple[str, str] | None:
    """Subject and body for the failed checks and freshness changes among ``records``."""
    checks, freshness = [], []
    for record in records:
        event = record.event_log_entry.get_dagster_event()
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.asset_check_evaluation_data
            run_id = record.event_log_entry.run_id
            if not evaluation.passed and not _repeats_previous(
                instance, evaluation, run_id, mailed_since
            ):
                checks.append(_check_line(run_id, evaluation))
        else:
            change = event.asset_freshness_state_change_data
            old, new = change.previous_state.value, change.new_state.value
            if new in ALARMING or (old in ALARMING and new == "PASS"):
                freshness.append(_freshness_line(instance, change.key, old, new))
    if not checks and not freshness:
        return None
    counts = [f"{len(checks)} failed checks"] if checks else []
    counts += [f"{len(freshness)} freshness changes"] if freshness else []
    body = []
    if checks:
        body += ["Failed asset checks:", *checks, ""]
    if freshness:
        body += ["Freshness (policy warn/fail windows):", *freshness, ""]
    body.append(f"Assets: {_ui_url()}/assets")
    return f"[maint_assets] {', '.join(counts)}", "\n".join(body) + "\n"


def _repeats_previous(
    instance: dg.DagsterInstance, evaluation: dg.AssetCheckEvaluation, run_id: str,
    mailed_since: float,
) -> bool:
    """The check's evaluation before this run's failed the same way (severity, metadata)
    after ``mailed_since``: it was mailed then. The web archive's readability check
    re-reports the same quarantined files at every hourly index run; mailing each hid a new
    failure among repeats."""
    history = instance.event_log_storage.get_asset_check_execution_history(
        evaluation.asset_check_key, limit=20
    )
    runs = [r.run_id for r in history]
    if run_id not in runs:
        return False
    for older in history[runs.index(run_id) + 1:]:
        entry = older.event.dagster_event if older.event else None
        if entry is None or entry.event_type != dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            continue  # planned, or skipped: not an evaluation
        previous = entry.asset_check_evaluation_data
        return (
            older.event.timestamp >= mailed_since
            and not previous.passed
            and previous.severity == evaluation.severity
            and previous.metadata == evaluation.metadata
        )
    return False


def _check_line(run_id: str, evaluation: dg.AssetCheckEvaluation) -> str:
    kind = "blocking" if evaluation.blocking else "non-blocking"
    line = (
        f"- {evaluation.asset_key.to_user_string()} / {evaluation.check_name}: "
        f"{evaluation.severity.value}, {kind}, run {_ui_url()}/runs/{run_id}"
    )
    details = [
        f"{name}={value.value}" for name, value in evaluation.metadata.items()
        if isinstance(value.value, str | int | float)
    ]
    if evaluation.description:
        details.insert(0, evaluation.description)
    return line + (f"\n  {'; '.join(details)[:500]}" if details else "")


def _freshness_line(instance: dg.DagsterInstance, key: dg.AssetKey, old: str, new: str) -> str:
    latest = instance.get_latest_materialization_event(key)
    when = (
        datetime.fromtimestamp(latest.timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")
        if latest else "never"
    )
    return f"- {key.to_user_string()}: {old} -> {new} (last materialized {when})"


def _ui_url() -> str:
    return os.environ.get("MAINT_UI_URL", "http://127.0.0.1:3000")

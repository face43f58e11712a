"""E-mail alerts through the SMTP resource, on when SMTP and recipients are configured and
silent otherwise (the runbooks relied on someone reading cron output): one message per failed
run, and one per tick for failed checks (blocking or not) and freshness changes."""

import os
from datetime import UTC, datetime

import dagster as dg

from maint_assets.core.event_feed import read_new
from maint_assets.core.notify import Delivery, SmtpNotifier

HEALTH_EVENTS = (
    dg.DagsterEventType.ASSET_CHECK_EVALUATION,
    dg.DagsterEventType.FRESHNESS_STATE_CHANGE,
)
ALARMING = {"WARN", "FAIL"}


@dg.run_failure_sensor(
    name="alert_failed_runs",
    default_status=dg.DefaultSensorStatus.RUNNING,
    # A run launched by hand (dg launch) runs in its own process, with no code location, and
    # a sensor watching only its own location skips it; the instance serves this project alone.
    monitor_all_code_locations=True,
    description="E-mails the failed steps and their errors for every failed run.",
)
def alert_failed_runs(context: dg.RunFailureSensorContext, notifier: SmtpNotifier) -> None:
    if not notifier.enabled:
        return
    subject, body = failure_message(context)
    _log(context.log, subject, notifier, notifier.send(subject, body))


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
    minimum_interval_seconds=60,
    description="E-mails failed asset checks and assets that become overdue (freshness policy "
    "warn/fail) or recover.",
)
def alert_asset_health(
    context: dg.SensorEvaluationContext, notifier: SmtpNotifier
) -> dg.SkipReason:
    if not notifier.enabled:
        return dg.SkipReason("SMTP is not configured (MAINT_SMTP_HOST, MAINT_MAIL_TO)")
    records, cursor = read_new(context.instance, context.cursor, HEALTH_EVENTS, from_start=False)
    message = health_message(context.instance, records)
    if message:
        _log(context.log, message[0], notifier, notifier.send(*message))
    # After the send: a refused message is tried again with the next tick's news.
    context.update_cursor(cursor)
    return dg.SkipReason(f"{len(records)} events, {'mailed' if message else 'nothing to report'}")


def failure_message(context: dg.RunFailureSensorContext) -> tuple[str, str]:
    run = context.dagster_run
    assets = sorted(k.to_user_string() for k in (run.asset_selection or []))
    lines = [
        f"Run {run.run_id} of job {run.job_name} failed.",
        f"Assets selected: {', '.join(assets) or 'the whole job'}",
        f"Run page: {_ui_url()}/runs/{run.run_id}",
        "",
    ]
    for event in context.get_step_failure_events()[:20]:
        error = event.event_specific_data.error if event.event_specific_data else None
        cause = error.cause.message if error is not None and error.cause else ""
        message = (error.message if error else "unknown error").strip().splitlines()
        lines.append(f"- step {event.step_key}: {message[-1] if message else ''}")
        if cause:
            lines.append(f"  cause: {cause.strip().splitlines()[-1]}")
    if not context.get_step_failure_events():
        lines.append(f"- {context.failure_event.message}")
    return f"[maint_assets] {run.job_name} failed", "\n".join(lines) + "\n"


def health_message(
    instance: dg.DagsterInstance, records: list[dg.EventLogRecord]
) -> tuple[str, str] | None:
    """Subject and body for the failed checks and freshness changes among ``records``."""
    checks, freshness = [], []
    for record in records:
        event = record.event_log_entry.get_dagster_event()
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.asset_check_evaluation_data
            if not evaluation.passed:
                checks.append(_check_line(record.event_log_entry.run_id, evaluation))
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

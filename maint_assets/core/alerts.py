"""An e-mail for every failed run of the code location (blocking checks that fail fail their
run too), through the SMTP resource: on when SMTP and recipients are configured, silent
otherwise. The runbooks relied on someone reading cron output."""

import os

import dagster as dg

from maint_assets.core.notify import SmtpNotifier


@dg.run_failure_sensor(
    name="alert_failed_runs",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="E-mails the failed steps and their errors for every failed run.",
)
def alert_failed_runs(context: dg.RunFailureSensorContext, notifier: SmtpNotifier) -> None:
    if not notifier.enabled:
        return
    notifier.send(*failure_message(context))


def failure_message(context: dg.RunFailureSensorContext) -> tuple[str, str]:
    run = context.dagster_run
    assets = sorted(k.to_user_string() for k in (run.asset_selection or []))
    lines = [
        f"Run {run.run_id} of job {run.job_name} failed.",
        f"Assets selected: {', '.join(assets) or 'the whole job'}",
        f"Run page: {os.environ.get('MAINT_UI_URL', 'http://127.0.0.1:3000')}/runs/{run.run_id}",
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

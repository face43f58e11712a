"""Automation conditions shared by every domain."""

import os
import warnings
from collections.abc import Callable
from datetime import timedelta

import dagster as dg
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

# Source tables are external assets: they always exist in their database, whether or not
# Dagster has recorded an event for them, so they must not count as "missing" and hold
# their downstream assets back. (`include_sources` is marked beta in Dagster 1.13; it is the
# only selection that names external assets generically.)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.BetaWarning)
    EXTERNAL_ASSETS = dg.AssetSelection.all(include_sources=True) - (
        dg.AssetSelection.all().materializable()
    )

# eager() takes an upstream update as handled once the asset is next updated, even by a run
# that started before the update arrived: a change landing during a refresh would then wait
# for the next change. Only a new request handles it here; a run that already consumed the
# change makes the extra refresh a no-op.
# A request is seen as "newly requested" on the tick after it was made. An upstream update
# seen on that same tick arrived after the request was decided, so it must not be reset by
# it: eager's built-in tie-break by timestamps does not apply to these composite conditions,
# and the update would be dropped.
HANDLED = (
    (dg.AutomationCondition.newly_requested() & ~dg.AutomationCondition.any_deps_updated())
    | dg.AutomationCondition.initial_evaluation()
).with_label("handled")

EAGER = (
    dg.AutomationCondition.eager()
    .replace("any_deps_missing", dg.AutomationCondition.any_deps_missing().ignore(EXTERNAL_ASSETS))
    .replace("handled", HANDLED)
)


def run_job_assets(
    job: UnresolvedAssetJobDefinition,
) -> Callable[[dg.ScheduleEvaluationContext], dg.RunRequest]:
    """A schedule's evaluation function that requests ``job`` with its assets named in the run.

    Eager automation ignores an upstream update made by a run that also materialized the
    asset (``executed_with_root_target``), but it reads that from the run's asset selection,
    which a plain scheduled run of a whole job leaves empty: every asset of the job downstream
    of another would be run a second time by automation after each scheduled run.

    The job's checks are named too: a run naming assets and no checks runs every check of
    those assets, also those the job's selection leaves out (the atlas Friday refresh ran the
    full comparison of the counts, production's own query over every observation)."""

    def request(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        graph = context.repository_def.asset_graph
        keys = job.selection.resolve(graph)
        if not keys:
            return dg.RunRequest()
        return dg.RunRequest(
            asset_selection=sorted(keys, key=lambda k: k.path),
            asset_check_keys=sorted(
                job.selection.resolve_checks(graph), key=lambda k: (k.asset_key.path, k.name)
            ),
        )

    return request


# Freshness by schedule: an asset older than its period plus a margin means both its schedule
# and any change-driven refresh failed.
HOURLY_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=6), warn_window=timedelta(hours=2)
)
DAILY_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(days=2), warn_window=timedelta(days=1, hours=2)
)
WEEKLY_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(days=8), warn_window=timedelta(days=7, hours=1)
)


def running_schedule(
    job: dg.JobDefinition | UnresolvedAssetJobDefinition,
    cron: str,
    *,
    name: str | None = None,
    timezone: str = "UTC",
    description: str | None = None,
) -> dg.ScheduleDefinition:
    """A schedule of ``job`` that is on as soon as the code location loads: a deployment that
    forgot to switch one on would silently never refresh. ``name`` defaults to
    ``<job>_schedule``. The run of an asset job without job config names the job's assets
    (``run_job_assets``), so eager automation does not run them a second time."""
    names_assets = (
        isinstance(job, UnresolvedAssetJobDefinition)
        and not job.config
        and job.partitions_def is None
    )
    return dg.ScheduleDefinition(
        name=name or f"{job.name}_schedule",
        job=job,
        cron_schedule=cron,
        execution_fn=run_job_assets(job) if names_assets else None,
        execution_timezone=timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=description or f"Runs {job.name} at {cron} ({timezone}).",
    )


def sensor_interval(variable: str, default_s: int) -> int:
    """A sensor's minimum interval, from ``variable`` when set. The one setting read from the
    environment when the code location loads: Dagster takes the interval from the sensor's
    definition, not from resource configuration (the demo shortens it)."""
    return int(os.environ.get(variable) or default_s)

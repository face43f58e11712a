"""A small asset graph with every kind of event the alert and metrics sensors report: a
materialization with a row count and metadata, failing blocking and warning checks, a step that
raises, and a freshness policy the real freshness daemon evaluates (from a code server loading
this file)."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import dagster as dg
from dagster._core.test_utils import create_test_daemon_workspace_context, freeze_time
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import PythonFileTarget
from dagster._daemon.freshness import FreshnessDaemon

STORE = dg.AssetKey(["ops_test", "store"])
SOURCE = dg.AssetKey(["ops_test", "source_table"])
CHECKED = dg.AssetKey(["ops_test", "checked"])
DOWNSTREAM = dg.AssetKey(["ops_test", "downstream"])
BROKEN = dg.AssetKey(["ops_test", "broken"])


@dg.asset(
    key=SOURCE,
    freshness_policy=dg.FreshnessPolicy.time_window(
        fail_window=timedelta(minutes=2), warn_window=timedelta(minutes=1)
    ),
)
def source_table() -> dg.MaterializeResult:
    time.sleep(0.2)  # a duration the metric must show
    return dg.MaterializeResult(
        metadata={"dagster/row_count": 42, "rows_added": 7, "store": "not a number"}
    )


@dg.asset(
    key=CHECKED,
    deps=[SOURCE],
    check_specs=[
        dg.AssetCheckSpec("rows_positive", asset=CHECKED, blocking=True),
        dg.AssetCheckSpec("readable", asset=CHECKED),
    ],
)
def checked() -> Iterator[dg.MaterializeResult]:
    yield dg.MaterializeResult(
        check_results=[
            dg.AssetCheckResult(
                check_name="rows_positive", passed=False, metadata={"rows": 0},
                description="the new version has no rows",
            ),
            dg.AssetCheckResult(
                check_name="readable", passed=False, severity=dg.AssetCheckSeverity.WARN
            ),
        ]
    )


@dg.asset(key=DOWNSTREAM, deps=[CHECKED])
def downstream() -> None: ...


@dg.asset(key=BROKEN)
def broken() -> None:
    raise RuntimeError("the source table public.observations is missing")


defs = dg.Definitions(assets=[source_table, checked, downstream, broken])


@contextmanager
def freshness_daemon(instance: dg.DagsterInstance) -> Iterator["FreshnessTicks"]:
    target = PythonFileTarget(
        python_file=__file__, attribute="defs", working_directory=str(Path(__file__).parent),
        location_name="ops_graph",
    )
    with create_test_daemon_workspace_context(target, instance) as context:
        yield FreshnessTicks(context)


class FreshnessTicks:
    """Dagster's own freshness daemon, one iteration at a time, at a chosen clock time."""

    def __init__(self, context: WorkspaceProcessContext) -> None:
        self.context, self.daemon = context, FreshnessDaemon()

    def tick(self, seconds_from_now: float = 0) -> None:
        with freeze_time(time.time() + seconds_from_now):
            list(self.daemon.run_iteration(self.context))


def run(instance: dg.DagsterInstance, *assets: dg.AssetsDefinition) -> dg.ExecuteInProcessResult:
    return dg.materialize(list(assets), instance=instance, raise_on_error=False)

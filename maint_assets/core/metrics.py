"""Per-asset metrics in a Prometheus Pushgateway, for alert rules on stale or failing assets
(`deploy/prometheus/alerts.yml`); the runbooks built the same gauges from a tracking
database. A sensor reads the event log forward and pushes, per asset: last success and
failure times, duration, row count and every numeric metadata value of the last
materialization, freshness state; per check: passed and when."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import dagster as dg
from prometheus_client import (
    CollectorRegistry,
    Gauge,
    delete_from_gateway,
    push_to_gateway,
    pushadd_to_gateway,
)
from prometheus_client.exposition import basic_auth_handler, default_handler
from pydantic import Field

from maint_assets.core.automation import sensor_interval
from maint_assets.core.event_feed import read_new

JOB = "maint_assets"
EVENT_TYPES = (
    dg.DagsterEventType.ASSET_MATERIALIZATION,
    dg.DagsterEventType.ASSET_CHECK_EVALUATION,
    dg.DagsterEventType.FRESHNESS_STATE_CHANGE,
    dg.DagsterEventType.RUN_FAILURE,
)
# Numeric so that alert rules can compare (>= 2 is failing); other states are "unknown".
FRESHNESS_CODES = {"PASS": 0, "WARN": 1, "FAIL": 2}
HELP = {
    "maint_asset_last_success_timestamp_seconds": "when the asset was last materialized",
    "maint_asset_last_failure_timestamp_seconds": "when a run planning the asset last failed "
    "without materializing it",
    "maint_asset_duration_seconds": "step start to materialization, last materialization",
    "maint_asset_rows": "dagster/row_count of the last materialization",
    "maint_asset_metadata_value": "numeric metadata of the last materialization",
    "maint_asset_freshness_state": "0 pass, 1 warn, 2 fail, -1 unknown",
    "maint_asset_freshness_state_change_timestamp_seconds": "when the freshness state changed",
    "maint_asset_check_passed": "1 when the check's last evaluation passed, else 0",
    "maint_asset_check_last_evaluation_timestamp_seconds": "when the check last ran",
}

Grouping = tuple[tuple[str, str], ...]


@dataclass
class Family:
    labels: tuple[str, ...] = ()
    values: dict[tuple[str, ...], float] = field(default_factory=dict)
    # For metrics outside HELP: those another monitoring's rules read under its own names.
    documentation: str = ""


class Batch:
    """The families to push per group; a later value of the same series replaces the earlier."""

    def __init__(self) -> None:
        self.groups: dict[Grouping, dict[str, Family]] = defaultdict(dict)

    def put(self, grouping: Grouping, metric: str, value: float, **labels: str) -> None:
        family = self.groups[grouping].setdefault(metric, Family(tuple(labels)))
        family.values[tuple(labels.values())] = value

    def drop(self, grouping: Grouping, metric: str) -> None:
        self.groups[grouping].pop(metric, None)


class Pushgateway(dg.ConfigurableResource):
    """Pushes to ``url`` when it is set; does nothing otherwise."""

    url: str = Field(
        default="",
        description="e.g. http://pushgateway:9091 (http://user:password@… for a gateway behind "
        "basic auth); empty disables",
    )
    timeout_s: float = Field(default=10.0)
    environment: str = Field(
        default="",
        description="the deployment (dev, beta, prod), a label of every series: the "
        "environments of one cluster share its Pushgateway, where series of the same job and "
        "asset replace each other",
    )

    @property
    def shown(self) -> str:
        """The URL without its user and password, for messages."""
        parts = urlsplit(self.url)
        return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()

    def push(self, grouping: Grouping, families: dict[str, Family]) -> None:
        """Replaces these families in the group (POST: the group's other families stay, so a
        failure time does not erase the last success time)."""
        self._send(pushadd_to_gateway, grouping, families)

    def replace(self, grouping: Grouping, families: dict[str, Family]) -> None:
        """Replaces the whole group with these families (PUT)."""
        self._send(push_to_gateway, grouping, families)

    def delete(self, grouping: Grouping) -> None:
        """Deletes the group and its series (none there is no error)."""
        self._send(delete_from_gateway, grouping, None)

    def _send(
        self, send: Callable[..., None], grouping: Grouping, families: dict[str, Family] | None
    ) -> None:
        registry = CollectorRegistry()
        for name, family in (families or {}).items():
            gauge = Gauge(
                name, family.documentation or HELP[name], family.labels, registry=registry
            )
            for label_values, value in family.values.items():
                (gauge.labels(*label_values) if family.labels else gauge).set(value)
        # urllib takes no credentials in a URL (it reads "user:password@host" as a host name
        # and fails naming it): they go as prometheus_client's basic auth instead.
        parts = urlsplit(self.url)
        handler = default_handler
        if parts.username is not None:
            user, password = unquote(parts.username), unquote(parts.password or "")

            def handler(url, method, timeout, headers, data):  # noqa: ANN001, ANN202
                return basic_auth_handler(url, method, timeout, headers, data, user, password)

        # Part of the group's key, not only a label: the group of beta's asset must not be
        # prod's, or beta's push replaces prod's last success (and its failure pages as prod's).
        key = dict(grouping) | ({"environment": self.environment} if self.environment else {})
        extra = {} if families is None else {"registry": registry}
        try:
            send(
                self.shown, job=JOB, grouping_key=key, timeout=self.timeout_s, handler=handler,
                **extra,
            )
        except OSError as err:
            raise RuntimeError(
                f"cannot push metrics to the Pushgateway {self.shown}: {err}"
            ) from err


@dg.sensor(
    name="metrics_to_pushgateway",
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=sensor_interval("MAINT_METRICS_INTERVAL_S", 30),
    description="Pushes per-asset and per-check metrics to MAINT_PUSHGATEWAY_URL.",
)
def metrics_to_pushgateway(
    context: dg.SensorEvaluationContext, pushgateway: Pushgateway
) -> dg.SkipReason:
    if not pushgateway.url:
        return dg.SkipReason("MAINT_PUSHGATEWAY_URL is not set")
    records, cursor = read_new(context.instance, context.cursor, EVENT_TYPES, from_start=True)
    batch = collect(context.instance, records)
    for grouping, families in batch.groups.items():
        pushgateway.push(grouping, families)
    # Only after every push: a gateway that is down gets the same events again next tick.
    context.update_cursor(cursor)
    done = (
        f"{len(records)} events, {len(batch.groups)} metric groups pushed to {pushgateway.shown}"
    )
    if batch.groups:
        context.log.info(done)
    return dg.SkipReason(done)


def collect(instance: dg.DagsterInstance, records: list[dg.EventLogRecord]) -> Batch:
    """Oldest record first, so the newest value of a series wins."""
    batch = Batch()
    step_starts = StepStarts(instance)
    for record in records:
        entry = record.event_log_entry
        event = entry.get_dagster_event()
        if event.event_type == dg.DagsterEventType.RUN_FAILURE:
            for key in _assets_not_materialized(instance, entry.run_id):
                failed = _asset(key)
                batch.put(failed, "maint_asset_last_failure_timestamp_seconds", entry.timestamp)
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            check = event.asset_check_evaluation_data
            grouping = (*_asset(check.asset_key), ("check", check.check_name))
            batch.put(
                grouping, "maint_asset_check_passed", float(check.passed),
                severity=check.severity.value,
            )
            batch.put(
                grouping, "maint_asset_check_last_evaluation_timestamp_seconds", entry.timestamp
            )
        elif event.event_type == dg.DagsterEventType.FRESHNESS_STATE_CHANGE:
            change = event.asset_freshness_state_change_data
            grouping = _asset(change.key)
            code = FRESHNESS_CODES.get(change.new_state.value, -1)
            batch.put(grouping, "maint_asset_freshness_state", code)
            batch.put(
                grouping, "maint_asset_freshness_state_change_timestamp_seconds",
                change.state_change_timestamp,
            )
        else:
            _collect_materialization(step_starts, record, batch)
    return batch


class StepStarts:
    """When each step of a run started, one query per run (a run materializes many assets)."""

    def __init__(self, instance: dg.DagsterInstance) -> None:
        self.instance = instance
        self.runs: dict[str, dict[str, float | None]] = {}

    def get(self, run_id: str, step_key: str | None) -> float | None:
        # Sensors report materializations outside any run (a store's new files): no step.
        if not step_key:
            return None
        if run_id not in self.runs:
            stats = self.instance.get_run_step_stats(run_id)
            self.runs[run_id] = {s.step_key: s.start_time for s in stats}
        return self.runs[run_id].get(step_key)


def _collect_materialization(
    step_starts: StepStarts, record: dg.EventLogRecord, batch: Batch
) -> None:
    entry = record.event_log_entry
    materialization = record.asset_materialization
    grouping = _asset(materialization.asset_key)
    batch.put(grouping, "maint_asset_last_success_timestamp_seconds", entry.timestamp)
    started = step_starts.get(entry.run_id, entry.step_key)
    if started:
        batch.put(grouping, "maint_asset_duration_seconds", entry.timestamp - started)
    # A fresh family per materialization: names that left the metadata leave the gateway too.
    batch.drop(grouping, "maint_asset_metadata_value")
    for name, value in materialization.metadata.items():
        if isinstance(value.value, bool) or not isinstance(value.value, int | float):
            continue
        if name == "dagster/row_count":
            batch.put(grouping, "maint_asset_rows", value.value)
        else:
            batch.put(grouping, "maint_asset_metadata_value", value.value, name=name)


def _assets_not_materialized(instance: dg.DagsterInstance, run_id: str) -> set[dg.AssetKey]:
    planned, done = set(), set()
    for record in instance.get_records_for_run(
        run_id,
        of_type={
            dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
            dg.DagsterEventType.ASSET_MATERIALIZATION,
        },
    ).records:
        event = record.event_log_entry.get_dagster_event()
        is_plan = event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED
        (planned if is_plan else done).add(event.asset_key)
    return planned - done


def _asset(key: dg.AssetKey) -> Grouping:
    return (("asset", key.to_user_string()),)

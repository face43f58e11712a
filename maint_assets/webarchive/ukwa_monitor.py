"""The series UKWA's own monitoring (github.com/ukwa/ukwa-monitor) reads about the W3ACT and
Shine backups, pushed through the Pushgateway the metrics sensor uses, so that its alert rule
and its "DB Backup" panel keep working once these assets replace the runbook's tasks:

- alert `w3act_db_backup_failed`: `absent(ukwa_database_backup_size_bytes{label="w3act"})`
  for 24h (monitor/prometheus/alert.rules.yml). Its producer is ukwa-monitor's stat-pusher
  (`*.stats`, job "trackdb"): gauges `ukwa_database_backup_size_bytes{label="w3act"|"shine"}`,
  the size in bytes of the backup file modified in the last day, and no series when there is
  none (its push replaces the whole group), which is what makes `absent` true.
- panel "DB Backup" (monitor/grafana/provisioning/dashboards/daily_dashboard.json):
  `ukwa_task_database_backup_size_bytes` and `delta(…[24h])`, single-stat panels, written by
  ukwa-manage's prototype Luigi task (prototype/ukwa/tasks/metrics.py; its live backup tasks
  push `ukwa_database_backup_size_bytes{db=…}`, which ukwa-monitor does not read) for W3ACT's
  backup only (`{db="w3act"}`, bytes); a second series would be a "multiple series" error in
  a single stat, so Shine's is not pushed under it.

Pushed for a backup whose restore check passed and that is at most a day old (the stat-pusher's
`modified_at_dt:[NOW-1DAY TO NOW]`), and deleted otherwise: a failed backup, or one whose dump
did not restore, pushes nothing, and the day after the last good one the series is gone, so the
alert fires 24h later, as it did with the stat-pusher. Own group per backup (job maint_assets,
`asset`, `consumer="ukwa-monitor"` and `environment`), replaced whole (PUT) or deleted, apart
from the asset's own series the metrics sensor adds to."""

import time
from dataclasses import dataclass

import dagster as dg
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionRecordStatus,
)

from maint_assets.core.automation import sensor_interval
from maint_assets.core.metrics import Family, Grouping, Pushgateway
from maint_assets.webarchive.keys import (
    SHINE_BACKUP,
    SHINE_DUMP_CHECK,
    W3ACT_BACKUP,
    W3ACT_DUMP_CHECK,
)

# The stat-pusher reports a backup file modified in the last day.
WINDOW_S = 86400.0
CONSUMER = ("consumer", "ukwa-monitor")
SIZE_HELP = "Size of the last database backup (pg_dump -Fc) that restored, in bytes."


@dataclass(frozen=True)
class Export:
    asset: dg.AssetKey
    check: str  # the blocking check that restores the dump
    size_key: str  # the materialization's metadata holding the dump's size in bytes
    series: tuple[tuple[str, str, str], ...]  # (metric, label, value) as ukwa-monitor reads


EXPORTS = (
    Export(
        W3ACT_BACKUP, W3ACT_DUMP_CHECK, "dump_size_bytes",
        (
            ("ukwa_database_backup_size_bytes", "label", "w3act"),
            ("ukwa_task_database_backup_size_bytes", "db", "w3act"),
        ),
    ),
    Export(
        SHINE_BACKUP, SHINE_DUMP_CHECK, "size_bytes",
        (("ukwa_database_backup_size_bytes", "label", "shine"),),
    ),
)


@dataclass(frozen=True)
class GoodBackup:
    timestamp: float
    size_bytes: float


def newest_restored(instance: dg.DagsterInstance, export: Export) -> GoodBackup | None:
    """The newest materialization of the asset its restore check passed on, or None."""
    passed = instance.event_log_storage.get_asset_check_execution_history(
        dg.AssetCheckKey(export.asset, export.check), limit=1,
        status={AssetCheckExecutionRecordStatus.SUCCEEDED},
    )
    if not passed or passed[0].event is None:
        return None
    evaluation = passed[0].event.get_dagster_event().asset_check_evaluation_data
    target = evaluation.target_materialization_data
    if target is None:
        return None
    found = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=export.asset, storage_ids=[target.storage_id]), limit=1
    ).records
    if not found:  # wiped from the event log since
        return None
    size = found[0].asset_materialization.metadata.get(export.size_key)
    if size is None or not isinstance(size.value, int | float):
        return None
    return GoodBackup(found[0].timestamp, float(size.value))


def push_backup_series(
    instance: dg.DagsterInstance, pushgateway: Pushgateway, now: float
) -> list[str]:
    """Each backup's group replaced with its series, or deleted; what was done, per backup."""
    done = []
    for export in EXPORTS:
        name = export.asset.to_user_string()
        grouping: Grouping = (("asset", name), CONSUMER)
        good = newest_restored(instance, export)
        if good is None or now - good.timestamp > WINDOW_S:
            pushgateway.delete(grouping)
            done.append(f"{name}: no backup restored in the last day, series deleted")
            continue
        families = {
            metric: Family((label,), {(value,): good.size_bytes}, documentation=SIZE_HELP)
            for metric, label, value in export.series
        }
        pushgateway.replace(grouping, families)
        done.append(f"{name}: {good.size_bytes:.0f} bytes")
    return done


@dg.sensor(
    name="ukwa_monitor_backup_metrics",
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=sensor_interval("MAINT_METRICS_INTERVAL_S", 30),
    description="Pushes the backup sizes ukwa-monitor's alert w3act_db_backup_failed and its "
    "'DB Backup' panel read, while the last backup that restored is at most a day old.",
)
def ukwa_monitor_backup_metrics(
    context: dg.SensorEvaluationContext, pushgateway: Pushgateway
) -> dg.SkipReason:
    if not pushgateway.url:
        return dg.SkipReason("MAINT_PUSHGATEWAY_URL is not set")
    return dg.SkipReason("; ".join(push_backup_series(context.instance, pushgateway, time.time())))

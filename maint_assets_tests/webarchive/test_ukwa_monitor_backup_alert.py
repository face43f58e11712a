"""UKWA's own monitoring judges the W3ACT and Shine backups: ukwa-monitor's alert rule
`w3act_db_backup_failed` (promtool test rules, over the series the Pushgateway exposes after the
code location's sensors pushed) and its "DB Backup" panels' queries (a real Prometheus scraping
that Pushgateway). Its files: maint_assets_tests/data/ukwa-monitor/README.md."""

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import psycopg
import pytest
import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families
from psycopg import sql

from maint_assets.core.metrics import Pushgateway
from maint_assets.core.postgres import PostgresResource
from maint_assets.definitions import defs
from maint_assets.demo.webarchive_data import load_shine, load_w3act
from maint_assets.webarchive import checks, ukwa_monitor
from maint_assets.webarchive.assets import shine_backup, w3act_backup
from maint_assets_tests.ports import free_port
from maint_assets_tests.webarchive.servers import _server

UKWA = Path(__file__).parents[1] / "data" / "ukwa-monitor"
RULES = UKWA / "alert.rules.backup.yml"
PANELS = json.loads((UKWA / "daily_dashboard.db_backup_panels.json").read_text())
DAY = 86400.0


def _tick_every_metrics_sensor(instance: dg.DagsterInstance, gateway: Pushgateway) -> None:
    """One tick of each sensor of the code location that pushes metrics."""
    for sensor in defs.get_repository_def().sensor_defs:
        if "pushgateway" in sensor.required_resource_keys:
            sensor(dg.build_sensor_context(instance=instance, resources={"pushgateway": gateway}))


def _exposed(url: str) -> list[tuple[str, dict[str, str], float]]:
    """The ukwa_* series of the Pushgateway as Prometheus stores them with honor_labels (empty
    labels are no labels)."""
    text = requests.get(f"{url}/metrics", timeout=5).text
    return [
        (s.name, {k: v for k, v in s.labels.items() if v}, s.value)
        for f in text_string_to_metric_families(text)
        for s in f.samples
        if s.name.startswith("ukwa_")
    ]


# What ukwa-monitor's rule says when it fires (absent() keeps only its selector's labels).
FIRING = {
    "exp_labels": {"severity": "severe", "label": "w3act"},
    "exp_annotations": {
        "summary": "No recent database backup for W3ACT found on HDFS",
        "description": " of job  failed to run.",
    },
}


def _promtool(
    tmp_path: Path, series: list[tuple[str, dict[str, str], float]], hours_pushed: int,
    at_hours: int, firing: bool,
) -> None:
    """promtool test rules with ukwa-monitor's rule: `series` every hour for `hours_pushed`
    hours then never again, and `w3act_db_backup_failed` firing (or not) `at_hours` in."""
    input_series = [
        {
            "series": name + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}",
            "values": f"{value:.0f}x{hours_pushed}",
        }
        for name, labels, value in series
    ]
    tests = {
        "rule_files": [str(RULES)],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1h",
            "input_series": input_series or [{"series": 'unrelated{a="b"}', "values": "1"}],
            "alert_rule_test": [{
                "eval_time": f"{at_hours}h", "alertname": "w3act_db_backup_failed",
                "exp_alerts": [FIRING] if firing else [],
            }],
        }],
    }
    path = tmp_path / f"ukwa_rule_{len(series)}_{hours_pushed}_{at_hours}.yml"
    path.write_text(yaml.safe_dump(tests, allow_unicode=True))
    done = subprocess.run(
        [shutil.which("promtool") or "promtool", "test", "rules", str(path)],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@contextmanager
def _prometheus(gateway_url: str, tmp_path: Path) -> Iterator[str]:
    """A real Prometheus scraping the Pushgateway as ukwa-monitor does (honor_labels), with
    ukwa-monitor's backup rule loaded."""
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(yaml.safe_dump({
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [{
            "job_name": "pushgateway", "honor_labels": True,
            "static_configs": [{"targets": [gateway_url.removeprefix("http://")]}],
            # docs/webarchive.md's recipe for a Pushgateway beta and prod share: ukwa-monitor's rule
            # and panels select no environment, so its Prometheus keeps prod's ukwa_* only.
            "metric_relabel_configs": [{
                "source_labels": ["__name__", "environment"], "regex": "ukwa_.*;(dev|beta)",
                "action": "drop",
            }],
        }],
    }))
    with _server(
        [shutil.which("prometheus") or "prometheus", f"--config.file={config}",
         f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}"],
        port, "/-/ready",
    ) as url:
        yield url


def _query(prometheus: str, expr: str) -> list[dict]:
    answer = requests.get(f"{prometheus}/api/v1/query", params={"query": expr}, timeout=5)
    return answer.json()["data"]["result"]


def _eventually(fetch, until, what: str):
    deadline = time.monotonic() + 30
    while True:
        found = fetch()
        if until(found) or time.monotonic() > deadline:
            assert until(found), f"{what}: {found}"
            return found
        time.sleep(0.5)


def test_backups_feed_ukwa_monitors_backup_alert_and_db_backup_panel(
    empty_db: str, pg_cluster, s3_store, staging_server: PostgresResource,
    dagster_instance: dg.DagsterInstance, pushgateway_url: str, tmp_path: Path,
) -> None:
    shine_db = f"shine_{os.getpid()}_{time.monotonic_ns()}"
    pg_cluster.up([shine_db])
    try:
        with psycopg.connect(empty_db, autocommit=True) as conn:
            load_w3act(conn)
        with psycopg.connect(pg_cluster.url(shine_db), autocommit=True) as conn:
            load_shine(conn)
        resources = {
            "w3act_db": PostgresResource(url=empty_db),
            "shine_db": PostgresResource(url=pg_cluster.url(shine_db)),
            "artifacts": s3_store, "restore_server": staging_server,
        }
        backups = [
            w3act_backup.w3act_backup, checks.w3act_dump_restores, checks.w3act_csv_zip_complete,
            shine_backup.shine_backup, checks.shine_dump_restores,
        ]
        result = dg.materialize(backups, resources=resources, instance=dagster_instance)
    finally:
        with pg_cluster.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(
                sql.Identifier(shine_db)))
    assert result.success
    size = {
        e.asset_key.path[-1]: e.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    w3act_bytes = size["w3act_backup"]["dump_size_bytes"].value
    shine_bytes = size["shine_backup"]["size_bytes"].value
    gateway = Pushgateway(url=pushgateway_url, environment="prod")
    _tick_every_metrics_sensor(dagster_instance, gateway)

    series = _exposed(pushgateway_url)
    # The same series from a beta sharing the Pushgateway: absent() selects no environment,
    # so beta's alone keep prod's alert quiet (hence the scrape filter of _prometheus).
    beta = [(n, {**labels, "environment": "beta"}, v) for n, labels, v in series]
    _promtool(tmp_path, beta, hours_pushed=72, at_hours=72, firing=False)
    _tick_every_metrics_sensor(
        dagster_instance, Pushgateway(url=pushgateway_url, environment="beta")
    )
    assert len(_exposed(pushgateway_url)) == 6
    read = {(n, labels.get("label") or labels.get("db")): v for n, labels, v in series}
    assert len(read) == len(series)
    assert read == {
        ("ukwa_database_backup_size_bytes", "w3act"): w3act_bytes,
        ("ukwa_database_backup_size_bytes", "shine"): shine_bytes,
        ("ukwa_task_database_backup_size_bytes", "w3act"): w3act_bytes,
    }, series
    assert all(labels["environment"] == "prod" for _, labels, _ in series)

    # ukwa-monitor's rule over those series: pushed daily, nothing fires; the day after the
    # last backup they are gone (below) and it fires once absent for its 24h.
    _promtool(tmp_path, series, hours_pushed=72, at_hours=72, firing=False)
    _promtool(tmp_path, series, hours_pushed=24, at_hours=47, firing=False)  # pending
    _promtool(tmp_path, series, hours_pushed=24, at_hours=50, firing=True)

    with _prometheus(pushgateway_url, tmp_path) as prometheus:
        for panel in PANELS:
            (target,) = panel["targets"]
            found = _eventually(
                lambda e=target["expr"]: _query(prometheus, e), lambda r: len(r) == 1,
                f"panel {panel['title']} wants one series",
            )
            expected = w3act_bytes if panel["title"] == "DB Backup" else 0
            assert float(found[0]["value"][1]) == expected, (panel["title"], found)
        rule = 'absent(ukwa_database_backup_size_bytes{label="w3act"})'
        assert _query(prometheus, rule) == []

        # The next day's W3ACT backup fails (its database is down): nothing new is pushed, and
        # once the last good backup is over a day old the series leave the Pushgateway.
        resources["w3act_db"] = PostgresResource(url=f"postgresql://127.0.0.1:{free_port()}/x")
        failed = dg.materialize(
            backups[:3], resources=resources, instance=dagster_instance, raise_on_error=False
        )
        assert not failed.success
        _tick_every_metrics_sensor(dagster_instance, gateway)
        assert len(_exposed(pushgateway_url)) == 6  # the last good one is still today's
        ukwa_monitor.push_backup_series(dagster_instance, gateway, time.time() + DAY + 60)
        left = _exposed(pushgateway_url)
        assert {labels["environment"] for _, labels, _ in left} == {"beta"}, left
        _eventually(lambda: _query(prometheus, rule), lambda r: len(r) == 1, "absent()")
        pending = _eventually(
            lambda: requests.get(f"{prometheus}/api/v1/alerts", timeout=5).json()["data"][
                "alerts"], lambda a: len(a) == 1, "the rule's alert pending",
        )
        assert pending[0]["labels"]["alertname"] == "w3act_db_backup_failed"
        assert pending[0]["state"] == "pending"  # firing after its `for: 24h`
    # Nothing pushed for prod: it fires after its 24h.
    prod = [s for s in _exposed(pushgateway_url) if s[1]["environment"] == "prod"]
    _promtool(tmp_path, prod, hours_pushed=0, at_hours=25, firing=True)


@pytest.fixture(autouse=True)
def _tools() -> None:
    for tool in ("promtool", "prometheus"):
        if shutil.which(tool) is None:
            raise RuntimeError("missing: apt-get install prometheus (promtool and the server)")


def test_a_backup_whose_dump_was_not_restored_pushes_nothing(
    empty_db: str, s3_store, dagster_instance: dg.DagsterInstance, pushgateway_url: str,
) -> None:
    """Stored, but its restore check could not restore it (no server to restore on): not a
    backup ukwa-monitor hears of."""
    with psycopg.connect(empty_db, autocommit=True) as conn:
        load_w3act(conn)
    unreachable = PostgresResource(url=f"postgresql://127.0.0.1:{free_port()}/x")
    result = dg.materialize(
        [w3act_backup.w3act_backup, checks.w3act_dump_restores, checks.w3act_csv_zip_complete],
        resources={"w3act_db": PostgresResource(url=empty_db), "artifacts": s3_store,
                   "restore_server": unreachable},
        instance=dagster_instance, raise_on_error=False,
    )
    assert dagster_instance.get_latest_materialization_event(w3act_backup.w3act_backup.key)
    assert not result.success
    gateway = Pushgateway(url=pushgateway_url, environment="check")
    done = ukwa_monitor.push_backup_series(dagster_instance, gateway, time.time())
    assert done[0].endswith("no backup restored in the last day, series deleted"), done
    assert [s for s in _exposed(pushgateway_url) if s[1]["environment"] == "check"] == []

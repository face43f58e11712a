"""The alert e-mails (real SMTP server) and the metrics (real Pushgateway) of a small graph's
runs, checks and freshness changes, the latter from Dagster's own freshness daemon."""

import dagster as dg
import pytest

from maint_assets.core.alerts import alert_asset_health
from maint_assets.core.metrics import Pushgateway, metrics_to_pushgateway
from maint_assets.core.notify import SmtpNotifier
from maint_assets_tests import ops_graph as g
from maint_assets_tests.ports import free_port
from maint_assets_tests.webarchive.servers import pushed


def _metrics_tick(instance: dg.DagsterInstance, url: str, cursor: str | None = None):
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"pushgateway": Pushgateway(url=url)}
    )
    return metrics_to_pushgateway(context), context


def _alert_tick(instance: dg.DagsterInstance, notifier: SmtpNotifier, cursor: str | None):
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"notifier": notifier}
    )
    return alert_asset_health(context), context.cursor


def test_metrics_match_the_runs(
    dagster_instance: dg.DagsterInstance, pushgateway_url: str
) -> None:
    instance = dagster_instance
    with g.freshness_daemon(instance) as freshness:
        assert g.run(instance, g.source_table).success
        failed_checks = g.run(instance, g.checked, g.downstream)
        failed_step = g.run(instance, g.broken)
        freshness.tick(seconds_from_now=180)  # past the 2 min fail window
        # as a sensor reports a store's new files: outside any run or step
        instance.report_runless_asset_event(dg.AssetMaterialization(g.STORE, metadata={"n": 3}))
        tick, context = _metrics_tick(instance, pushgateway_url)
        source = instance.get_latest_materialization_event(g.SOURCE)
        step = instance.get_run_step_stats(source.run_id)[0]
        failures = {
            r.run_id: r.event_log_entry.timestamp
            for r in instance.fetch_run_status_changes(
                dg.DagsterEventType.RUN_FAILURE, limit=10
            ).records
        }
        again, _ = _metrics_tick(instance, pushgateway_url, context.cursor)

    assert not failed_checks.success and not failed_step.success
    assert "metric groups pushed" in tick.skip_message
    assert again.skip_message.startswith("0 events")

    def value(metric: str, **labels: str) -> float | None:
        return pushed(pushgateway_url, metric, **labels)

    src, chk = g.SOURCE.to_user_string(), g.CHECKED.to_user_string()
    assert value("maint_asset_last_success_timestamp_seconds", asset=src) == pytest.approx(
        source.timestamp
    )
    assert value("maint_asset_duration_seconds", asset=src) == pytest.approx(
        source.timestamp - step.start_time
    )
    assert value("maint_asset_duration_seconds", asset=src) >= 0.2
    assert value("maint_asset_rows", asset=src) == 42
    assert value("maint_asset_metadata_value", asset=src, name="rows_added") == 7
    assert value("maint_asset_metadata_value", asset=src, name="store") is None
    assert value("maint_asset_freshness_state", asset=src) == 2
    store = g.STORE.to_user_string()
    assert value("maint_asset_metadata_value", asset=store, name="n") == 3
    assert value("maint_asset_duration_seconds", asset=store) is None
    # The blocking check failed after its asset was written: the asset succeeded, its
    # downstream asset never ran, and that is the failure.
    passed = "maint_asset_check_passed"
    assert value(passed, asset=chk, check="rows_positive", severity="ERROR") == 0
    assert value(passed, asset=chk, check="readable", severity="WARN") == 0
    assert value("maint_asset_last_failure_timestamp_seconds", asset=chk) is None
    for key, result in ((g.DOWNSTREAM, failed_checks), (g.BROKEN, failed_step)):
        assert value(
            "maint_asset_last_failure_timestamp_seconds", asset=key.to_user_string()
        ) == pytest.approx(failures[result.run_id])


def test_an_unreachable_pushgateway_is_named_and_nothing_is_skipped(
    dagster_instance: dg.DagsterInstance, pushgateway_url: str
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    instance = dagster_instance
    assert g.run(instance, g.source_table).success
    context = dg.build_sensor_context(
        instance=instance, resources={"pushgateway": Pushgateway(url=closed, timeout_s=2)}
    )
    with pytest.raises(RuntimeError, match=f"cannot push metrics to the Pushgateway {closed}"):
        metrics_to_pushgateway(context)
    assert context.cursor is None  # the same events are pushed by the next tick
    tick, _ = _metrics_tick(instance, pushgateway_url, context.cursor)
    assert not tick.skip_message.startswith("0 events")


def test_alert_mail_for_failed_checks_and_freshness(
    dagster_instance: dg.DagsterInstance, smtp_server
) -> None:
    notifier = SmtpNotifier(host="127.0.0.1", port=smtp_server.port, recipients="ops@example.org")
    smtp_server.messages.clear()
    instance = dagster_instance
    with g.freshness_daemon(instance) as freshness:
        g.run(instance, g.checked)  # history before the sensor existed: not news
        _, cursor = _alert_tick(instance, notifier, None)
        assert smtp_server.messages == []

        assert g.run(instance, g.source_table).success
        freshness.tick()
        assert not g.run(instance, g.checked).success
        freshness.tick(seconds_from_now=180)
        tick, cursor = _alert_tick(instance, notifier, cursor)
        assert tick.skip_message.endswith("mailed")
        quiet, cursor = _alert_tick(instance, notifier, cursor)
        assert quiet.skip_message.endswith("nothing to report")

        assert g.run(instance, g.source_table).success
        freshness.tick()
        _alert_tick(instance, notifier, cursor)
        unconfigured = alert_asset_health(
            dg.build_sensor_context(instance=instance, resources={"notifier": SmtpNotifier()})
        )

    assert len(smtp_server.messages) == 2
    first, recovered = (m.get_content() for _, _, m in smtp_server.messages)
    assert smtp_server.messages[0][2]["Subject"] == (
        "[maint_assets] 2 failed checks, 1 freshness changes"
    )
    assert "- ops_test/checked / rows_positive: ERROR, blocking, run " in first
    assert "the new version has no rows; rows=0" in first
    assert "- ops_test/checked / readable: WARN, non-blocking" in first
    assert "- ops_test/source_table: PASS -> FAIL (last materialized " in first
    assert "UNKNOWN" not in first  # the first evaluation (unknown -> pass) is not news
    assert smtp_server.messages[1][2]["Subject"] == "[maint_assets] 1 freshness changes"
    assert "- ops_test/source_table: FAIL -> PASS" in recovered
    assert "SMTP is not configured" in unconfigured.skip_message

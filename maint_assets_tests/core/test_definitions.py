"""The code location loads, and its schedules, sensors, pools and automation have the
intended defaults."""

import dagster as dg
import pytest

from maint_assets.atlas.assets import sources
from maint_assets.atlas.assets.counts import (
    OBS_REGION_COUNTS,
    OBS_REGIONS_TAXA_DATASETS_COUNTS,
    WEB_REGIONS,
)
from maint_assets.atlas.assets.taxonomy import (
    API_TAXA,
    TAXA_OBS_GROUP_LOOKUP,
    TAXA_OBS_REF_LOOKUP,
    TAXA_REF,
    TAXA_VERNACULAR,
)
from maint_assets.atlas.keys import POOL_ATLAS_DB as POOL
from maint_assets.definitions import defs
from maint_assets_tests.atlas.helpers import ALL_ASSETS, DERIVED, materialize


@pytest.fixture(autouse=True)
def _atlas_url(monkeypatch):
    monkeypatch.setenv("ATLAS_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/atlas")


def test_definitions_load():
    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {
        "atlas/public/taxa_ref",
        "atlas/public/taxa_obs_ref_lookup",
        "atlas/public/taxa_vernacular",
        "atlas/public/taxa_obs_vernacular_lookup",
        "atlas/public/taxa_obs_group_lookup",
        "atlas/api/taxa",
        "atlas/atlas_api/web_regions",
        "atlas/atlas_api/obs_region_counts",
        "atlas/atlas_api/obs_regions_taxa_datasets_counts",
    } <= keys


def test_weekly_schedule_runs_friday_21_toronto_and_is_on():
    schedule = defs.resolve_schedule_def("atlas_weekly_incremental_refresh_friday_2100")
    assert schedule.cron_schedule == "0 21 * * 5"
    assert schedule.execution_timezone == "America/Toronto"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    # Named for what it does: every refresh of these assets is incremental.
    assert schedule.job_name == "atlas_weekly_incremental_refresh"
    job = defs.resolve_job_def(schedule.job_name)
    selected = {node.name for node in job.graph.node_defs}
    assert {
        "atlas_taxa_ref",
        "atlas_taxa_vernacular",
        "atlas__api__taxa",
        "atlas_region_counts",
    } <= selected


def test_automation_sensors_ship_running_and_cover_everything_once():
    graph = defs.resolve_asset_graph()
    sensors = [
        s for s in defs.sensors or [] if isinstance(s, dg.AutomationConditionSensorDefinition)
    ]
    assert sensors and all(s.default_status == dg.DefaultSensorStatus.RUNNING for s in sensors)
    covered = [k for s in sensors for k in s.asset_selection.resolve(graph)]
    assert sorted(covered) == sorted(graph.get_all_asset_keys() - graph.external_asset_keys)
    # the checks that have a condition of their own (the weekly full comparison) too, once
    checks = [k for s in sensors for k in s.asset_selection.resolve_checks(graph)]
    conditioned = [k for k in graph.asset_check_keys if graph.get(k).automation_condition]
    assert conditioned and all(checks.count(k) == 1 for k in conditioned)


def test_every_derived_asset_is_eager_and_in_the_database_pool():
    graph = defs.resolve_asset_graph()
    for assets_def in DERIVED:
        for key in assets_def.keys:
            node = graph.get(key)
            if key in (OBS_REGION_COUNTS, OBS_REGIONS_TAXA_DATASETS_COUNTS):
                # the change sensor refreshes them (or asks for a run): see atlas/automation.py
                assert node.automation_condition is None, key
                continue
            assert node.automation_condition is not None, key
            assert (
                "eager" in node.automation_condition.get_label()
                or node.automation_condition.name == "eager"
            ), key
        assert assets_def.op.pool == POOL


def test_taxa_ref_alone_brings_its_whole_chain_in_dependency_order(resources):
    """What the automation sensor does after someone materializes taxa_ref by hand."""
    taxa_obs_vernacular_lookup = dg.AssetKey(["atlas", "public", "taxa_obs_vernacular_lookup"])
    graph = dg.Definitions(assets=ALL_ASSETS, resources=resources)
    with dg.instance_for_test() as instance:
        first = dg.evaluate_automation_conditions(defs=graph, instance=instance)
        assert first.total_requested == 0
        assert materialize(
            resources, selection=[TAXA_REF, TAXA_OBS_REF_LOOKUP], instance=instance
        ).success
        second = dg.evaluate_automation_conditions(
            defs=graph, instance=instance, cursor=first.cursor
        )
        requested = {r.key for r in second.results if r.true_subset.size}
        assert requested == {
            TAXA_VERNACULAR,
            taxa_obs_vernacular_lookup,
            TAXA_OBS_GROUP_LOOKUP,
            API_TAXA,
        }
        # As the daemon launches it: a run that records its asset selection, which is how
        # automation tells updates made by the same run from newer ones.
        run = graph.resolve_implicit_global_asset_job_def().execute_in_process(
            instance=instance, asset_selection=list(requested)
        )
        order = [e.asset_key for e in run.get_asset_materialization_events()]
        assert order.index(API_TAXA) == len(order) - 1
        assert set(order[:-1]) == requested - {API_TAXA}
        third = dg.evaluate_automation_conditions(
            defs=graph, instance=instance, cursor=second.cursor
        )
        assert third.total_requested == 0  # the chain is fresh: nothing runs twice


def test_a_change_reported_right_after_a_request_is_not_dropped(resources):
    """The sensor reports changed regions on the tick after web_regions was requested (its
    run not finished): that change still gets its own refresh."""
    outlines = {WEB_REGIONS}
    graph = dg.Definitions(assets=ALL_ASSETS, resources=resources)
    with dg.instance_for_test() as instance:
        cursor = dg.evaluate_automation_conditions(defs=graph, instance=instance).cursor
        requested = []
        for new_rows in (True, True, False):
            if new_rows:
                instance.report_runless_asset_event(
                    dg.AssetMaterialization(asset_key=sources.regions.key)
                )
            tick = dg.evaluate_automation_conditions(defs=graph, instance=instance, cursor=cursor)
            cursor = tick.cursor
            requested.append({r.key for r in tick.results if r.true_subset.size} & outlines)
        assert requested == [outlines, outlines, set()]

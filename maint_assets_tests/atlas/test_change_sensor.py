"""The change sensor: its cursor is a change-log position; it reports each source's inserts,
updates and deletes once, survives a PostgreSQL restart, turns a burst into one event, keeps
every change in the log until it has seen it, applies small batches to the count tables
itself and asks for a run for the rest."""

import json

import dagster as dg
import psycopg
import pytest

from maint_assets.atlas.assets import sources
from maint_assets.atlas.assets.counts import TOUCHED_CHECK
from maint_assets.atlas.assets.taxonomy import TAXA_OBS_GROUP_LOOKUP
from maint_assets.core.postgres import PostgresResource
from maint_assets_tests.atlas.helpers import (
    ALL_ASSETS,
    COUNTS,
    differences,
    materialize,
    metadata,
    rows,
    sensor_tick,
)


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def _insert(conn: psycopg.Connection, n: int) -> None:
    conn.execute(
        """INSERT INTO public.observations (id_datasets, geom, year_obs, id_variables,
                                                     obs_value, id_taxa_obs)
                    SELECT (SELECT min(id) FROM public.datasets),
                           ST_SetSRID(ST_MakePoint(-72 + g / 1000.0, 46), 4326), 2024, 1, 1,
                           (SELECT min(id) FROM public.taxa_obs)
                    FROM generate_series(1, %s) g""",
        [n],
    )


def _sources(result: dg.SensorResult) -> dict[dg.AssetKey, dict[str, object]]:
    return {
        e.asset_key: {k: v.value for k, v in e.metadata.items()}
        for e in result.asset_events
        if isinstance(e, dg.AssetMaterialization) and e.asset_key not in COUNTS
    }


def test_first_tick_reports_the_backlog_then_each_change_once(atlas_url, instance):
    # the demo data's own inserts are still in the log
    first = sensor_tick(atlas_url, None, instance)
    assert _sources(first)[sources.observations.key]["rows_inserted"] >= 6000
    assert json.loads(first.cursor)["frontier"]
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        for _ in range(5):  # a burst of five statements
            _insert(conn, 20)
        conn.execute(
            "UPDATE public.observations SET year_obs = 1999 WHERE id IN "
            "(SELECT id FROM public.observations ORDER BY id LIMIT 7)"
        )
        conn.execute(
            "DELETE FROM public.observations WHERE id IN "
            "(SELECT id FROM public.observations ORDER BY id LIMIT 3)"
        )
        conn.execute(
            "UPDATE public.taxa_obs SET authorship = authorship || ' x' "
            "WHERE id = (SELECT min(id) FROM public.taxa_obs)"
        )
    second = sensor_tick(atlas_url, first.cursor, instance)
    events = _sources(second)
    assert set(events) == {sources.observations.key, sources.taxa_obs.key}
    observed = events[sources.observations.key]
    assert (observed["rows_inserted"], observed["rows_updated"], observed["rows_deleted"]) == (
        100,
        7,
        3,
    )
    assert events[sources.taxa_obs.key]["rows_updated"] == 1
    third = sensor_tick(atlas_url, second.cursor, instance)
    assert _sources(third) == {}


def test_a_postgres_restart_between_ticks_misses_nothing(pg_cluster, atlas_url, instance):
    cursor = sensor_tick(atlas_url, None, instance).cursor
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        _insert(conn, 12)
    pg_cluster.down()
    pg_cluster.up([])
    events = _sources(sensor_tick(atlas_url, cursor, instance))
    assert events[sources.observations.key]["rows_inserted"] == 12


def test_a_transaction_committing_after_a_later_one_is_not_skipped(atlas_url, instance):
    cursor = sensor_tick(atlas_url, None, instance).cursor
    with psycopg.connect(atlas_url) as slow, psycopg.connect(atlas_url, autocommit=True) as fast:
        _insert(slow, 4)  # takes log positions first, commits last
        _insert(fast, 6)
        middle = sensor_tick(atlas_url, cursor, instance)
        assert _sources(middle)[sources.observations.key]["rows_inserted"] == 6
        slow.commit()
    late = sensor_tick(atlas_url, middle.cursor, instance)
    assert _sources(late)[sources.observations.key]["rows_inserted"] == 4


def test_changes_a_refresh_consumed_stay_until_the_sensor_has_seen_them(
    resources, atlas_url, instance
):
    materialize(resources, selection=COUNTS)
    cursor = sensor_tick(atlas_url, None, instance).cursor
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        _insert(conn, 25)
    # refreshed by hand before the next tick: the count tables consume the 25 inserts...
    refreshed = materialize(resources, selection=COUNTS)
    assert metadata(refreshed, COUNTS[0])["observations_inserted"] == 25
    # ...but the log keeps them for the sensor, which reports them
    tick = sensor_tick(atlas_url, cursor, instance)
    assert _sources(tick)[sources.observations.key]["rows_inserted"] == 25
    # and trims them only once Dagster has stored the cursor past them (the next tick)
    assert rows(atlas_url, "SELECT count(*) FROM maint_assets.change_log")[0][0] >= 25
    sensor_tick(atlas_url, tick.cursor, instance)
    assert rows(atlas_url, "SELECT count(*) FROM maint_assets.change_log") == [(0,)]


def test_new_observations_ask_taxa_obs_group_lookup_to_refresh(resources, atlas_url, instance):
    graph = dg.Definitions(assets=ALL_ASSETS, resources=resources)
    for key in graph.resolve_asset_graph().materializable_asset_keys:  # all refreshed before
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key))
    evaluation = dg.evaluate_automation_conditions(defs=graph, instance=instance)
    assert evaluation.total_requested == 0
    cursor = sensor_tick(atlas_url, None, instance).cursor
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        _insert(conn, 3)
    tick = sensor_tick(atlas_url, cursor, instance)
    for event in tick.asset_events:  # as the daemon records them
        instance.report_runless_asset_event(event)
    evaluation = dg.evaluate_automation_conditions(
        defs=graph, instance=instance, cursor=evaluation.cursor
    )
    requested = {r.key for r in evaluation.results if r.true_subset.size}
    assert TAXA_OBS_GROUP_LOOKUP in requested


def test_a_small_batch_is_counted_by_the_sensor_itself(resources, atlas_url, instance):
    materialize(resources, selection=COUNTS)
    cursor = sensor_tick(atlas_url, None, instance).cursor
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        _insert(conn, 3)
        conn.execute(
            "DELETE FROM public.observations WHERE id = (SELECT min(id) FROM public.observations)"
        )
    tick = sensor_tick(atlas_url, cursor, instance)
    assert tick.run_requests == []
    counted = {
        e.asset_key: e.metadata["refresh_mode"].value
        for e in tick.asset_events
        if isinstance(e, dg.AssetMaterialization) and e.asset_key in COUNTS
    }
    assert counted == dict.fromkeys(COUNTS, "incremental")
    checks = [e for e in tick.asset_events if isinstance(e, dg.AssetCheckEvaluation)]
    assert {(e.asset_key, e.check_name, e.passed) for e in checks} == {
        (key, TOUCHED_CHECK, True) for key in COUNTS
    }
    assert differences(atlas_url) == 0
    # nothing pending: the next tick records nothing for the count tables
    again = sensor_tick(atlas_url, tick.cursor, instance)
    assert not [e for e in again.asset_events if e.asset_key in COUNTS]


def test_a_tick_says_what_it_recorded(resources, atlas_url, instance):
    """Dagster marks a tick without a run request SKIPPED: its reason names what it recorded
    and what it did to the count tables."""
    materialize(resources, selection=COUNTS)
    cursor = sensor_tick(atlas_url, None, instance).cursor
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "DELETE FROM public.observations WHERE id IN "
            "(SELECT id FROM public.observations ORDER BY id LIMIT 3)"
        )
    tick = sensor_tick(atlas_url, cursor, instance)
    observations = sources.observations.key.to_user_string()
    assert tick.skip_reason.skip_message.startswith(
        f"recorded {observations} (3 deleted); count tables brought up to date in "
    )


def test_region_changes_and_big_batches_go_to_one_run(resources, atlas_url, instance):
    materialize(resources, selection=COUNTS)
    cursor = sensor_tick(atlas_url, None, instance).cursor
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE public.regions SET geom = ST_Multi(ST_Translate(geom, 0.01, 0)) "
            "WHERE fid = (SELECT max(fid) FROM public.regions)"
        )
        _insert(conn, 2)
    tick = sensor_tick(atlas_url, cursor, instance)
    [request] = tick.run_requests
    assert set(request.asset_selection) == set(COUNTS)
    # the run checks the rows it touches; the full comparison waits for Sunday
    assert set(request.asset_check_keys) == {dg.AssetCheckKey(k, TOUCHED_CHECK) for k in COUNTS}
    assert not [e for e in tick.asset_events if e.asset_key in COUNTS]
    assert differences(atlas_url) > 0  # not counted yet: the run will
    # while that run is going, the next tick does not ask again
    job = dg.Definitions(
        assets=ALL_ASSETS, resources=resources
    ).resolve_implicit_global_asset_job_def()
    instance.create_run_for_job(job, tags=request.tags, status=dg.DagsterRunStatus.STARTED)
    assert sensor_tick(atlas_url, tick.cursor, instance).run_requests == []


def test_change_log_watch_fails_when_changes_wait_too_long(atlas_url):
    from maint_assets.definitions import defs

    db = PostgresResource(url=atlas_url)
    job = defs.resolve_job_def("atlas_change_log_watch")
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("UPDATE maint_assets.change_log SET logged_at = now() - interval '3 hours'")
    stale = job.execute_in_process(resources={"atlas_db": db}, raise_on_error=False)
    [evaluation] = stale.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.metadata["oldest_change_age_minutes"].value >= 180
    relaxed = {
        "ops": {
            "atlas__public__observations_change_log_consumed": {"config": {"max_age_minutes": 600}}
        }
    }
    fine = job.execute_in_process(resources={"atlas_db": db}, run_config=relaxed)
    assert fine.get_asset_check_evaluations()[0].passed

"""The change sensor: its cursor is a change-log position; it reports each source's inserts,
updates and deletes once, survives a PostgreSQL restart, and turns a burst into one event."""

import json

import dagster as dg
import psycopg

from maint_assets.atlas import sources
from maint_assets.atlas.sensors import atlas_source_changes
from maint_assets.core.postgres import PostgresResource


def _tick(url: str, cursor: str | None) -> dg.SensorResult:
    context = dg.build_sensor_context(
        cursor=cursor, resources={"atlas_db": PostgresResource(url=url)}
    )
    return atlas_source_changes(context)


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


def test_first_tick_reports_the_backlog_then_each_change_once(atlas_url):
    first = _tick(atlas_url, None)  # the demo data's own inserts are still in the log
    backlog = {e.asset_key: e.metadata["rows_inserted"].value for e in first.asset_events}
    assert backlog[sources.observations.key] >= 6000
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
    second = _tick(atlas_url, first.cursor)
    events = {e.asset_key: {k: v.value for k, v in e.metadata.items()} for e in second.asset_events}
    assert set(events) == {sources.observations.key, sources.taxa_obs.key}
    observed = events[sources.observations.key]
    assert (observed["rows_inserted"], observed["rows_updated"], observed["rows_deleted"]) == (
        100,
        7,
        3,
    )
    assert events[sources.taxa_obs.key]["rows_updated"] == 1
    third = _tick(atlas_url, second.cursor)
    assert third.asset_events == []


def test_a_postgres_restart_between_ticks_misses_nothing(pg_cluster, atlas_url):
    cursor = _tick(atlas_url, None).cursor
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        _insert(conn, 12)
    pg_cluster.down()
    pg_cluster.up([])
    result = _tick(atlas_url, cursor)
    [event] = result.asset_events
    assert event.metadata["rows_inserted"].value == 12


def test_a_transaction_committing_after_a_later_one_is_not_skipped(atlas_url):
    cursor = _tick(atlas_url, None).cursor
    with psycopg.connect(atlas_url) as slow, psycopg.connect(atlas_url, autocommit=True) as fast:
        _insert(slow, 4)  # takes log positions first, commits last
        _insert(fast, 6)
        middle = _tick(atlas_url, cursor)
        assert middle.asset_events[0].metadata["rows_inserted"].value == 6
        slow.commit()
    late = _tick(atlas_url, middle.cursor)
    assert late.asset_events[0].metadata["rows_inserted"].value == 4


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

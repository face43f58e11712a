"""What a rebuild's swap of the count tables does to those who read them: the swap drops the
live tables and renames the copies built aside into their place, where production's refresh
functions DELETE and INSERT in one transaction. (Found by a trial of session 33, which ran the
atlas API's own functions on production's schema: maint_assets_tests/atlas/
test_atlas_api_on_real_schema.py.)"""

import threading
import time

import psycopg
from psycopg.conninfo import make_conninfo

from maint_assets.atlas.assets.counts import OBS_REGION_COUNTS
from maint_assets.core.postgres import PostgresResource
from maint_assets_tests.atlas.helpers import FULL_COUNTS, atlas_resources, materialize, rows

COUNT = "SELECT count(*), sum(count_obs) FROM atlas_api.obs_region_counts"


def test_a_reader_whose_snapshot_predates_a_rebuild_does_not_read_empty_counts(
    resources, atlas_url
):
    """A REPEATABLE READ (or SERIALIZABLE) reader, or a statement calling the API's STABLE
    functions, reads in the snapshot taken when it began: the swapped-in tables' rows were
    written after it, so read after the swap they were empty in it (the API answered 0
    observations, no dataset, without an error). The swap now waits such snapshots out, as
    CREATE INDEX CONCURRENTLY does."""
    assert materialize(resources, selection=[OBS_REGION_COUNTS]).success
    _read_through_a_rebuild(resources, atlas_url, atlas_url)


def test_a_view_over_a_count_table_survives_a_rebuild(resources, atlas_url):
    """A view someone made over a count table (as the API's own views are made over its
    tables): the swap dropped the table without CASCADE and failed on it at its very end, every
    time, with PostgreSQL's hint to drop it CASCADE. It is re-created over the new table, with
    its grant and comment, as the project's other swaps (core/refresh.py) do."""
    assert materialize(resources, selection=[OBS_REGION_COUNTS]).success
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "CREATE VIEW public.region_year_counts AS SELECT fid, year_obs, "
            "sum(count_obs) AS n FROM atlas_api.obs_region_counts GROUP BY fid, year_obs"
        )
        conn.execute("CREATE ROLE region_reader_s33")
        conn.execute("GRANT SELECT ON public.region_year_counts TO region_reader_s33")
        conn.execute("COMMENT ON VIEW public.region_year_counts IS 'per region and year'")
        conn.execute(
            "INSERT INTO public.observations (id_datasets, geom, year_obs, id_variables,"
            " obs_value, id_taxa_obs) SELECT id_datasets, geom, year_obs, id_variables,"
            " obs_value, id_taxa_obs FROM public.observations LIMIT 50"
        )
    try:
        result = materialize(
            resources, selection=[OBS_REGION_COUNTS], run_config=FULL_COUNTS,
            raise_on_error=False,
        )
        assert result.success
        assert rows(atlas_url, (
            "SELECT (SELECT sum(n) FROM public.region_year_counts) = "
            "(SELECT sum(count_obs) FROM atlas_api.obs_region_counts), "
            "has_table_privilege('region_reader_s33', 'public.region_year_counts', 'SELECT'), "
            "obj_description('public.region_year_counts'::regclass, 'pg_class')"
        )) == [(True, True, "per region and year")]
    finally:
        with psycopg.connect(atlas_url, autocommit=True) as conn:
            conn.execute("DROP VIEW IF EXISTS public.region_year_counts")
            conn.execute("DROP ROLE region_reader_s33")


def test_the_maintenance_role_waits_for_another_roles_older_snapshot(
    pg_cluster, small_atlas_url
):
    """The rebuild runs as the maintenance role, which has no pg_read_all_stats: another
    role's session (the API's) shows it its snapshot's xmin but neither its type nor its
    start, and the wait first ignored every such session: the API's reader read the new
    tables empty."""
    from maint_assets_tests.core.test_roles import application_role, maintenance_role

    with (
        maintenance_role(pg_cluster, small_atlas_url, "maint_s33", "atlas") as (url, _),
        application_role(small_atlas_url, "api") as api,
    ):
        with psycopg.connect(small_atlas_url, autocommit=True) as conn:
            conn.execute(f"GRANT pg_read_all_data TO {api}")
            conn.execute(f"ALTER ROLE {api} PASSWORD 'api-s33'")  # test-only
        resources = atlas_resources(PostgresResource(url=url))
        assert materialize(resources, selection=[OBS_REGION_COUNTS]).success
        reader_url = make_conninfo(small_atlas_url, user=api, password="api-s33")
        _read_through_a_rebuild(resources, small_atlas_url, reader_url)


def _read_through_a_rebuild(resources: dict, url: str, reader_url: str) -> None:
    """A REPEATABLE READ reader (``reader_url``) takes its snapshot, a full rebuild starts,
    and the reader reads the counts once the copies built aside are committed: the swap
    follows within a second (when it does not wait), or waits for the reader to end."""
    with psycopg.connect(reader_url) as reader:
        reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        reader.execute("SELECT count(*) FROM public.regions").fetchall()  # its snapshot
        before = rows(url, COUNT)
        assert before[0][0] > 0
        outcome = {}

        def rebuild() -> None:
            outcome["result"] = materialize(
                resources, selection=[OBS_REGION_COUNTS], raise_on_error=False,
                run_config={"ops": {"atlas_region_counts": {
                    "config": {"full": True, "swap_timeout_s": 60}}}},
            )

        thread = threading.Thread(target=rebuild)
        thread.start()
        deadline = time.monotonic() + 60
        while thread.is_alive() and time.monotonic() < deadline and not rows(
            url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'maint_assets_build'"
        )[0][0]:
            time.sleep(0.1)
        thread.join(timeout=3)
        try:
            during = reader.execute(COUNT).fetchall()
        finally:
            reader.execute("ROLLBACK")
            thread.join()
    assert outcome["result"].success
    assert during == before

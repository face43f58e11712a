"""The count tables, maintained from the change log, equal a full rebuild row for row after
seeded random sequences of inserts, updates, deletes and region edits."""

import random
import signal
import subprocess
import sys
import time

import psycopg
import pytest

from maint_assets.atlas.spatial import OBS_REGION_COUNTS, OBS_REGIONS_TAXA_DATASETS_COUNTS
from maint_assets_tests.atlas_helpers import materialize, metadata, rows

COUNTS = [OBS_REGION_COUNTS, OBS_REGIONS_TAXA_DATASETS_COUNTS]
EXPECTED = {
    OBS_REGION_COUNTS: (
        """SELECT r.type::text, r.scale, r.fid, o.id_taxa_obs, o.year_obs, count(*)::int
           FROM public.regions r JOIN atlas_api.regions_zoom_lookup z USING (type, scale)
           JOIN public.observations o
             ON ST_Within(o.geom, r.geom) AND r.within_quebec = o.within_quebec
           GROUP BY 1, 2, 3, 4, 5""",
        """SELECT type, scale, fid, id_taxa_obs, year_obs, count_obs
           FROM atlas_api.obs_region_counts""",
    ),
    OBS_REGIONS_TAXA_DATASETS_COUNTS: (
        """SELECT r.fid, r.type::text, o.id_taxa_obs, o.id_datasets, min(o.year_obs),
                  max(o.year_obs), count(*)::int
           FROM public.regions r JOIN atlas_api.regions_zoom_lookup z USING (type, scale)
           JOIN public.observations o
             ON ST_Within(o.geom, r.geom) AND r.within_quebec = o.within_quebec
           GROUP BY 1, 2, 3, 4""",
        """SELECT fid, type, id_taxa_obs, id_datasets, min_year, max_year, count_obs
           FROM atlas_api.obs_regions_taxa_datasets_counts""",
    ),
}


def _differences(url: str, asset_key) -> int:
    expected, stored = EXPECTED[asset_key]
    return rows(
        url,
        f"SELECT (SELECT count(*) FROM (({expected}) EXCEPT ALL ({stored})) a)"
        f" + (SELECT count(*) FROM (({stored}) EXCEPT ALL ({expected})) b)",
    )[0][0]


def _random_changes(conn: psycopg.Connection, rng: random.Random, steps: int) -> None:
    ids = [r[0] for r in conn.execute("SELECT id FROM public.observations")]
    taxa = [r[0] for r in conn.execute("SELECT id FROM public.taxa_obs")]
    datasets = [r[0] for r in conn.execute("SELECT id FROM public.datasets")]
    hexes = [
        r[0]
        for r in conn.execute(
            "SELECT fid FROM public.regions WHERE type = 'hex' AND scale IN (5, 10, 20)"
        )
    ]
    for _ in range(steps):
        kind = rng.choices(
            ["insert", "move", "retaxon", "year", "dataset", "delete", "flip", "region"],
            weights=[30, 12, 8, 8, 6, 20, 6, 3],
        )[0]
        target = rng.choice(ids)
        if kind == "insert":
            # points anywhere in a box around the province, some outside every region
            lon, lat = rng.uniform(-82, -55), rng.uniform(43, 64)
            conn.execute(
                """INSERT INTO public.observations (id_datasets, geom, year_obs, month_obs,
                                                    id_variables, obs_value, id_taxa_obs)
                   VALUES (%s, ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s, 6, 1, 1, %s)""",
                [rng.choice(datasets), lon, lat, rng.randint(1970, 2025), rng.choice(taxa)],
            )
        elif kind == "move":
            conn.execute(
                """UPDATE public.observations
                            SET geom = ST_SetSRID(ST_MakePoint(%s, %s), 4326) WHERE id = %s""",
                [rng.uniform(-80, -60), rng.uniform(45, 55), target],
            )
        elif kind == "retaxon":
            conn.execute(
                "UPDATE public.observations SET id_taxa_obs = %s WHERE id = %s",
                [rng.choice(taxa), target],
            )
        elif kind == "year":
            conn.execute(
                "UPDATE public.observations SET year_obs = %s WHERE id = %s",
                [rng.randint(1960, 2026), target],
            )
        elif kind == "dataset":
            conn.execute(
                "UPDATE public.observations SET id_datasets = %s WHERE id = %s",
                [rng.choice(datasets), target],
            )
        elif kind == "delete":
            conn.execute("DELETE FROM public.observations WHERE id = %s", [target])
        elif kind == "flip":  # moves the row to the other partition
            conn.execute(
                "UPDATE public.observations SET within_quebec = NOT within_quebec WHERE id = %s",
                [target],
            )
        else:
            fid = rng.choice(hexes)
            edit = rng.choice(["shift", "drop", "copy"])
            if edit == "shift":
                conn.execute(
                    "UPDATE public.regions SET geom = ST_Multi(ST_Translate(geom, %s, %s))"
                    " WHERE fid = %s",
                    [rng.uniform(-0.05, 0.05), rng.uniform(-0.05, 0.05), fid],
                )
            elif edit == "drop":
                conn.execute("DELETE FROM public.regions WHERE fid = %s", [fid])
            else:
                conn.execute(
                    """INSERT INTO public.regions (type, scale, name, geom, within_quebec)
                                SELECT type, scale, name || ' bis',
                                       ST_Multi(ST_Buffer(geom, 0.02)), within_quebec
                                FROM public.regions WHERE fid = %s""",
                    [fid],
                )


def test_random_changes_keep_the_counts_equal_to_a_full_rebuild(resources, atlas_url):
    first = materialize(resources, selection=COUNTS)
    for key in COUNTS:
        assert metadata(first, key)["refresh_mode"] == "full"
        assert metadata(first, key)["full_refresh_reason"] == "the table does not exist yet"
    rng = random.Random(20261122)
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        for refresh in range(12):  # 12 refreshes after 30 random changes each: 360 steps
            _random_changes(conn, rng, 30)
            if refresh == 6:  # as on tables built before row counts were kept
                conn.execute("DELETE FROM maint_assets.maintained_row_counts")
            result = materialize(resources, selection=COUNTS)
            for key in COUNTS:
                meta = metadata(result, key)
                assert meta["refresh_mode"] == "incremental", meta
                assert _differences(atlas_url, key) == 0, (key, meta)
                table = ".".join(key.path[-2:])
                assert [(meta["dagster/row_count"],)] == rows(
                    atlas_url, f"SELECT count(*) FROM {table}"
                ), (key, meta)
    # every change consumed by both tables is trimmed from the log
    assert rows(
        atlas_url,
        "SELECT count(*) FROM maint_assets.change_log WHERE source IN ('observations', 'regions')",
    ) == [(0,)]


def test_a_region_change_recounts_only_that_region(resources, atlas_url):
    materialize(resources, selection=COUNTS)
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE public.regions SET geom = ST_Multi(ST_Translate(geom, 0.03, 0)) "
            "WHERE fid = (SELECT min(fid) FROM public.regions WHERE type = 'hex')"
        )
    meta = metadata(materialize(resources, selection=COUNTS), OBS_REGION_COUNTS)
    assert (meta["refresh_mode"], meta["regions_changed"]) == ("incremental", 1)
    assert meta["observations_inserted"] == meta["observations_deleted"] == 0
    assert _differences(atlas_url, OBS_REGION_COUNTS) == 0


def test_a_truncated_change_log_falls_back_to_a_full_rebuild_and_says_so(resources, atlas_url):
    materialize(resources, selection=COUNTS)
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "DELETE FROM public.observations WHERE id IN "
            "(SELECT id FROM public.observations ORDER BY id LIMIT 40)"
        )
        conn.execute("TRUNCATE maint_assets.change_log")
    result = materialize(resources, selection=COUNTS)
    for key in COUNTS:
        meta = metadata(result, key)
        assert meta["refresh_mode"] == "full"
        assert meta["full_refresh_reason"].startswith("change history was lost")
        assert _differences(atlas_url, key) == 0
    again = metadata(materialize(resources, selection=COUNTS), OBS_REGION_COUNTS)
    assert again["refresh_mode"] == "incremental"


def test_config_can_force_a_full_rebuild(resources, atlas_url):
    materialize(resources, selection=COUNTS)
    config = {"ops": {"atlas__atlas_api__obs_region_counts": {"config": {"full": True}}}}
    meta = metadata(
        materialize(resources, selection=[OBS_REGION_COUNTS], run_config=config), OBS_REGION_COUNTS
    )
    assert (meta["refresh_mode"], meta["full_refresh_reason"]) == ("full", "full refresh requested")


def test_an_observation_outside_every_region_is_counted_nowhere(resources, atlas_url):
    materialize(resources, selection=COUNTS)
    before = rows(atlas_url, "SELECT sum(count_obs) FROM atlas_api.obs_region_counts")
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("""INSERT INTO public.observations (id_datasets, geom, year_obs, id_variables,
                                                         obs_value, id_taxa_obs)
                        SELECT min(d.id), ST_SetSRID(ST_MakePoint(10, 10), 4326), 2020, 1, 1,
                               min(t.id) FROM public.datasets d, public.taxa_obs t""")
    result = materialize(resources, selection=COUNTS)
    assert metadata(result, OBS_REGION_COUNTS)["observations_inserted"] == 1
    assert rows(atlas_url, "SELECT sum(count_obs) FROM atlas_api.obs_region_counts") == before


KILLABLE = """
import sys
from maint_assets.atlas.taxonomy.checklist import ChecklistResolver
from maint_assets.core.postgres import PostgresResource
from maint_assets_tests.atlas_helpers import materialize
from maint_assets.atlas.spatial import OBS_REGION_COUNTS
materialize({"atlas_db": PostgresResource(url=sys.argv[1], lock_timeout_s=600),
             "taxonomy": ChecklistResolver()}, selection=[OBS_REGION_COUNTS])
"""


def test_a_refresh_killed_midway_changes_nothing_and_the_next_catches_up(resources, atlas_url):
    materialize(resources, selection=COUNTS)
    snapshot = (
        "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM atlas_api.obs_region_counts t"
    )
    log = "SELECT count(*) FROM maint_assets.change_log"
    state = "SELECT frontier::text, carried FROM maint_assets.change_consumers ORDER BY 1, 2"
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "DELETE FROM public.observations WHERE id IN "
            "(SELECT id FROM public.observations ORDER BY id DESC LIMIT 25)"
        )
    before = (rows(atlas_url, snapshot), rows(atlas_url, log), rows(atlas_url, state))
    with psycopg.connect(atlas_url) as blocker:
        # the refresh stops mid-transaction, waiting for the regions table...
        blocker.execute("LOCK TABLE public.regions IN ACCESS EXCLUSIVE MODE")
        process = subprocess.Popen([sys.executable, "-c", KILLABLE, atlas_url])
        deadline = time.monotonic() + 60
        while not rows(
            atlas_url,
            # its transaction has staged the pending changes, and waits to read regions
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'maint_assets' "
            "AND wait_event_type = 'Lock' AND state = 'active'",
        )[0][0]:
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.2)
        process.send_signal(signal.SIGKILL)  # ...and its process dies there
        process.wait()
    time.sleep(0.5)
    assert (rows(atlas_url, snapshot), rows(atlas_url, log), rows(atlas_url, state)) == before
    meta = metadata(materialize(resources, selection=COUNTS), OBS_REGION_COUNTS)
    assert (meta["refresh_mode"], meta["observations_deleted"]) == ("incremental", 25)
    assert _differences(atlas_url, OBS_REGION_COUNTS) == 0


@pytest.mark.parametrize("table", ["observations", "regions"])
def test_capture_logs_each_changed_row_once(atlas_url, table):
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("TRUNCATE maint_assets.change_log")
        if table == "observations":
            # through the production insert trigger: one row moves to within_quebec
            conn.execute("""INSERT INTO public.observations (id_datasets, geom, year_obs,
                                id_variables, obs_value, id_taxa_obs)
                            SELECT min(d.id), g, 2021, 1, 1, min(t.id)
                            FROM public.datasets d, public.taxa_obs t,
                                 (VALUES (ST_SetSRID(ST_MakePoint(-71.2, 46.8), 4326)),
                                         (ST_SetSRID(ST_MakePoint(-73.9, 40.7), 4326))) v (g)
                            GROUP BY g""")
            conn.execute(
                "UPDATE public.observations SET modified_by = 'nobody' "
                "WHERE id IN (SELECT id FROM public.observations LIMIT 5)"
            )  # not counted
        else:
            conn.execute("UPDATE public.regions SET name = name WHERE type = 'admin' AND scale = 2")
        logged = rows(
            atlas_url,
            "SELECT op::text, count(*), count(DISTINCT row_id) "
            "FROM maint_assets.change_log GROUP BY op",
        )
    assert logged == ([("I", 2, 2)] if table == "observations" else [("U", 17, 17)])

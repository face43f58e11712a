"""The count tables and web_regions, kept from the change log, equal production's own queries
row for row after seeded random workloads of every kind of change: observations inserted
(through production's routing trigger), moved, retaxoned, redated, moved to another dataset
or across the border, deleted, several times between two refreshes; regions inserted, moved,
deleted, flagged; levels added to and removed from the zoom lookup. Refreshes alternate
between runs of the asset and ticks of the change sensor (which applies small batches
itself)."""

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import dagster as dg
import psycopg
import pytest
from psycopg import sql

from maint_assets.atlas.assets.counts import (
    OBS_REGION_COUNTS,
    OBS_REGIONS_TAXA_DATASETS_COUNTS,
    TOUCHED_CHECK,
    WEB_REGIONS,
)
from maint_assets.core.postgres import PostgresResource
from maint_assets.demo.local_cluster import LocalCluster
from maint_assets_tests.atlas.helpers import (
    COUNTS,
    FULL_COUNTS,
    atlas_resources,
    differences,
    materialize,
    metadata,
    rows,
    sensor_tick,
)
from maint_assets_tests.conftest import _clone

SPATIAL = [*COUNTS, WEB_REGIONS]
SEEDS_ENV = "ATLAS_DIFFERENTIAL_SEEDS"


@pytest.fixture(scope="module")
def counted_template(pg_cluster: LocalCluster, atlas_template: str) -> Iterator[str]:
    """The template atlas database with its count tables built once (a full refresh), for the
    tests that start from counted tables: cloning it costs what cloning the template does,
    where each of them ran its own full refresh first (about 1 s of Dagster and PostGIS)."""
    with _clone(pg_cluster, atlas_template, "atlas_counted") as url:
        materialize(atlas_resources(PostgresResource(url=url, lock_timeout_s=5)),
                    selection=COUNTS)
        yield url.rsplit("/", 1)[1]


@pytest.fixture
def counted_url(pg_cluster: LocalCluster, counted_template: str) -> Iterator[str]:
    """A fresh copy of the counted template for one test: the database a full refresh of the
    counts leaves, its change-log position included."""
    with _clone(pg_cluster, counted_template, "atlas_counted_test") as url:
        yield url


@pytest.fixture
def counted_resources(counted_url: str) -> dict[str, object]:
    return atlas_resources(PostgresResource(url=counted_url, lock_timeout_s=5))


def _seeds(text: str) -> list[int]:
    """Seeds and ranges ("3,7", "1-13"); anything else fails the collection, so that a soak
    asked for never runs no seed at all."""
    seeds = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        if not first.isdigit() or not (last or first).isdigit() or int(last or first) < int(first):
            raise ValueError(f"{SEEDS_ENV}={text!r}: expected seeds and ranges such as 1-13,20")
        seeds += range(int(first), int(last or first) + 1)
    return seeds


# The seeds of the random workloads: CI's one, or e.g. ATLAS_DIFFERENTIAL_SEEDS=1-13 for a
# longer soak (about 50 s a seed here).
SEEDS = _seeds(os.environ.get(SEEDS_ENV) or "20261123")
# Small levels, so that adding one back is recounted rather than rebuilt.
ZOOM_EDITABLE = [("protected", 1), ("hex", 250), ("hex", 100), ("admin", 2)]


class Workload:
    """Random changes drawn from a seed; a small pool of 'hot' observations makes one row
    change several times between two refreshes."""

    def __init__(self, conn: psycopg.Connection, seed: int) -> None:
        self.conn = conn
        self.rng = random.Random(seed)
        self.ids = [r[0] for r in conn.execute("SELECT id FROM public.observations ORDER BY id")]
        self.hot = self.rng.sample(self.ids, 12)
        self.taxa = [r[0] for r in conn.execute("SELECT id FROM public.taxa_obs ORDER BY id")]
        self.datasets = [r[0] for r in conn.execute("SELECT id FROM public.datasets ORDER BY id")]
        self.levels_out: list[tuple[str, int]] = []

    def target(self) -> int:
        return self.rng.choice(self.hot if self.hot and self.rng.random() < 0.4 else self.ids)

    def point(self) -> str:
        """A point: anywhere around the province, at an existing observation's place, on a
        region's vertex (its boundary), or on the grid lines the cells are cut along."""
        kind = self.rng.choice(["box", "hotspot", "vertex", "edge"])
        if kind == "box":
            x, y = self.rng.uniform(-81, -56), self.rng.uniform(44, 63)
            return f"SRID=4326;POINT({x} {y})"
        if kind == "hotspot":
            return self.conn.execute(
                "SELECT ST_AsEWKT(geom) FROM public.observations WHERE id = %s",
                [self.rng.choice(self.ids)],
            ).fetchone()[0]
        if kind == "vertex":
            return self.conn.execute(
                """SELECT ST_AsEWKT(ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), %s))
                   FROM public.regions WHERE type IN ('admin', 'cadre_eco', 'hex')
                   ORDER BY fid OFFSET %s LIMIT 1""",
                [self.rng.randint(1, 5), self.rng.randint(0, 2000)],
            ).fetchone()[0]
        x = self.rng.randint(-648, -448) / 8 + 1 / 64
        y = self.rng.randint(352, 504) / 8 + 1 / 64
        return f"SRID=4326;POINT({x} {y})"

    def step(self, outlines: bool = False) -> str:
        """One change to the observations, or with ``outlines`` to the regions or levels."""
        kind = (
            self.rng.choice(["region", "region", "zoom"])
            if outlines
            else self.rng.choices(
                ["insert", "move", "retaxon", "year", "dataset", "flip", "delete"],
                weights=[26, 12, 8, 8, 6, 5, 14],
            )[0]
        )
        c, rng = self.conn, self.rng
        if kind == "insert":
            new = c.execute(
                """INSERT INTO public.observations (id_datasets, geom, year_obs, month_obs,
                                                    id_variables, obs_value, id_taxa_obs)
                   VALUES (%s, ST_GeomFromEWKT(%s), %s, 6, 1, 1, %s) RETURNING id""",
                [rng.choice(self.datasets), self.point(), rng.randint(1970, 2025),
                 rng.choice(self.taxa)],
            ).fetchone()  # fmt: skip
            if new:  # routed by the trigger into the other partition: no row returned
                self.ids.append(new[0])
                if rng.random() < 0.3:
                    self.hot.append(new[0])
        elif kind == "move":
            c.execute(
                "UPDATE public.observations SET geom = ST_GeomFromEWKT(%s) WHERE id = %s",
                [self.point(), self.target()],
            )
        elif kind == "retaxon":
            c.execute(
                "UPDATE public.observations SET id_taxa_obs = %s WHERE id = %s",
                [rng.choice(self.taxa), self.target()],
            )
        elif kind == "year":
            c.execute(
                "UPDATE public.observations SET year_obs = %s WHERE id = %s",
                [rng.randint(1950, 2026), self.target()],
            )
        elif kind == "dataset":
            c.execute(
                "UPDATE public.observations SET id_datasets = %s WHERE id = %s",
                [rng.choice(self.datasets), self.target()],
            )
        elif kind == "flip":  # moves the row to the other partition
            c.execute(
                "UPDATE public.observations SET within_quebec = NOT within_quebec WHERE id = %s",
                [self.target()],
            )
        elif kind == "delete":
            gone = self.target()
            c.execute("DELETE FROM public.observations WHERE id = %s", [gone])
            # a later move to a hotspot must not pick its place (a soak over other seeds did)
            self.ids = [i for i in self.ids if i != gone]
            self.hot = [i for i in self.hot if i != gone]
        elif kind == "region":
            self._region()
        else:
            self._zoom()
        return kind

    def _region(self) -> None:
        c, rng = self.conn, self.rng
        fid = c.execute(
            """SELECT fid FROM public.regions WHERE type IN ('hex', 'protected', 'admin')
                 AND (type, scale) NOT IN (('admin', 1), ('hex', 5))
               ORDER BY fid OFFSET %s LIMIT 1""",
            [rng.randint(0, 14000)],
        ).fetchone()
        if fid is None:
            return
        edit = rng.choice(["shift", "drop", "copy", "flag", "relevel"])
        if edit == "shift":
            c.execute(
                "UPDATE public.regions SET geom = ST_Multi(ST_Translate(geom, %s, %s))"
                " WHERE fid = %s",
                [rng.uniform(-0.05, 0.05), rng.uniform(-0.05, 0.05), fid[0]],
            )
        elif edit == "drop":
            c.execute("DELETE FROM public.regions WHERE fid = %s", fid)
        elif edit == "copy":
            c.execute(
                """INSERT INTO public.regions (type, scale, name, geom, within_quebec)
                   SELECT type, scale, name || ' bis', ST_Multi(ST_Buffer(geom, 0.02)),
                          within_quebec
                   FROM public.regions WHERE fid = %s""",
                fid,
            )
        elif edit == "flag":  # production counts no region whose side is unknown
            c.execute(
                "UPDATE public.regions SET within_quebec = CASE WHEN within_quebec IS NULL"
                " THEN true END WHERE fid = %s",
                fid,
            )
        else:
            c.execute("UPDATE public.regions SET type = 'hex', scale = 100 WHERE fid = %s", fid)

    def _zoom(self) -> None:
        c, rng = self.conn, self.rng
        if self.levels_out and rng.random() < 0.6:
            type_, scale = self.levels_out.pop()
            c.execute(
                "INSERT INTO atlas_api.regions_zoom_lookup (type, scale, zoom) VALUES (%s, %s, %s)",
                [type_, scale, rng.randint(3, 10)],
            )
        elif rng.random() < 0.5 and len(self.levels_out) < len(ZOOM_EDITABLE):
            level = rng.choice([lv for lv in ZOOM_EDITABLE if lv not in self.levels_out])
            c.execute(
                "DELETE FROM atlas_api.regions_zoom_lookup WHERE type = %s AND scale = %s", level
            )
            self.levels_out.append(level)
        else:  # a new zoom changes the outlines only
            c.execute(
                "UPDATE atlas_api.regions_zoom_lookup SET zoom = %s WHERE type = 'hex'"
                " AND scale = 50",
                [rng.randint(3, 11)],
            )


@pytest.mark.parametrize("seed", SEEDS)
def test_random_workloads_keep_the_spatial_tables_equal_to_production_queries(
    resources, atlas_url, seed: int
):
    first = materialize(resources, selection=SPATIAL)
    for key in COUNTS:
        assert metadata(first, key)["refresh_mode"] == "full"
    kinds: dict[str, int] = {}
    modes: set[str] = set()
    with dg.instance_for_test() as instance, psycopg.connect(atlas_url, autocommit=True) as conn:
        cursor = sensor_tick(atlas_url, None, instance).cursor
        workload = Workload(conn, seed=seed)
        for round_ in range(16):  # 16 refreshes after 16 random changes each: 256 steps
            # every third round also edits regions or the zoom lookup (which web_regions reads)
            outlines = round_ % 3 == 1
            changed = [workload.step() for _ in range(14)]
            changed += [workload.step(outlines) for _ in range(2)]
            for kind in changed:
                kinds[kind] = kinds.get(kind, 0) + 1
            tick = sensor_tick(atlas_url, cursor, instance)
            cursor = tick.cursor
            counted_by_sensor = [
                e for e in tick.asset_events if isinstance(e, dg.AssetMaterialization)
                and e.asset_key in COUNTS
            ]  # fmt: skip
            if round_ % 2 == 0 or tick.run_requests or not counted_by_sensor:
                result = materialize(resources, selection=SPATIAL if outlines else COUNTS)
                meta = [metadata(result, key) for key in COUNTS]
                # a rebuild here would mean the refresh's own check found rows it got wrong
                assert {m["refresh_mode"] for m in meta} == {"incremental"}, (round_, meta)
                modes.add("incremental")
            else:
                modes.add("sensor")
                checks = [e for e in tick.asset_events if isinstance(e, dg.AssetCheckEvaluation)]
                assert {(e.check_name, e.passed) for e in checks} == {(TOUCHED_CHECK, True)}
            assert differences(atlas_url, *(SPATIAL if outlines else COUNTS)) == 0, (
                round_,
                changed,
            )
    # every kind of change, and both ways of refreshing, were exercised
    assert set(kinds) == {
        "insert", "move", "retaxon", "year", "dataset", "flip", "delete", "region", "zoom"
    }, kinds  # fmt: skip
    assert {"incremental", "sensor"} <= modes, modes


def test_a_row_changed_several_times_keeps_first_and_last_years_exact(
    counted_resources, counted_url
):
    with psycopg.connect(counted_url, autocommit=True) as conn:
        new = conn.execute("""
            INSERT INTO public.observations (id_datasets, geom, year_obs, id_variables,
                                             obs_value, id_taxa_obs)
            SELECT id_datasets, geom, 1901, id_variables, 1, id_taxa_obs
            FROM observations_partitions.within_quebec ORDER BY id LIMIT 1 RETURNING id""")
        new_id = new.fetchone()
        if new_id is None:  # the row went through production's routing trigger
            new_id = conn.execute("SELECT max(id) FROM public.observations").fetchone()
        # insert, then update twice, then delete another: all before one refresh
        conn.execute("UPDATE public.observations SET year_obs = 2031 WHERE id = %s", new_id)
        conn.execute("UPDATE public.observations SET year_obs = 1999 WHERE id = %s", new_id)
        conn.execute("""DELETE FROM public.observations WHERE id = (
            SELECT id FROM observations_partitions.within_quebec ORDER BY id OFFSET 5 LIMIT 1)""")
    result = materialize(counted_resources, selection=COUNTS)
    assert metadata(result, OBS_REGIONS_TAXA_DATASETS_COUNTS)["refresh_mode"] == "incremental"
    assert differences(counted_url) == 0
    assert rows(
        counted_url,
        "SELECT count(*) FROM atlas_api.obs_regions_taxa_datasets_counts"
        " WHERE min_year IN (1901, 2031) OR max_year IN (1901, 2031)",
    ) == [(0,)]


def test_a_region_change_recounts_only_that_region(counted_resources, counted_url):
    with psycopg.connect(counted_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE public.regions SET geom = ST_Multi(ST_Translate(geom, 0.03, 0)) "
            "WHERE fid = (SELECT min(fid) FROM public.regions WHERE type = 'hex' AND scale = 10)"
        )
    meta = metadata(materialize(counted_resources, selection=COUNTS), OBS_REGION_COUNTS)
    assert (meta["refresh_mode"], meta["regions_changed"], meta["regions_recounted"]) == (
        "incremental",
        1,
        1,
    )
    assert meta["observations_inserted"] == meta["observations_deleted"] == 0
    assert differences(counted_url, OBS_REGION_COUNTS) == 0


def test_a_zoom_level_removed_then_restored_leaves_no_stale_rows(counted_resources, counted_url):
    with psycopg.connect(counted_url, autocommit=True) as conn:
        conn.execute("DELETE FROM atlas_api.regions_zoom_lookup WHERE type = 'protected'")
    meta = metadata(materialize(counted_resources, selection=COUNTS), OBS_REGION_COUNTS)
    assert (meta["refresh_mode"], meta["zoom_lookup_changes"]) == ("incremental", 1)
    assert rows(
        counted_url, "SELECT count(*) FROM atlas_api.obs_region_counts WHERE type = 'protected'"
    ) == [(0,)]
    with psycopg.connect(counted_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO atlas_api.regions_zoom_lookup (type, scale, zoom)"
            " VALUES ('protected', 1, 8)"
        )
    materialize(counted_resources, selection=COUNTS)
    assert differences(counted_url) == 0


def test_a_truncated_change_log_falls_back_to_a_full_rebuild_and_says_so(
    counted_resources, counted_url
):
    with psycopg.connect(counted_url, autocommit=True) as conn:
        conn.execute(
            "DELETE FROM public.observations WHERE id IN "
            "(SELECT id FROM public.observations ORDER BY id LIMIT 40)"
        )
        conn.execute("TRUNCATE maint_assets.change_log")
    result = materialize(counted_resources, selection=COUNTS)
    for key in COUNTS:
        meta = metadata(result, key)
        assert meta["refresh_mode"] == "full"
        assert meta["full_refresh_reason"].startswith("change history was lost")
    assert differences(counted_url) == 0
    again = metadata(materialize(counted_resources, selection=COUNTS), OBS_REGION_COUNTS)
    assert again["refresh_mode"] == "incremental"


def test_config_can_force_a_full_rebuild(counted_resources, counted_url):
    meta = metadata(
        materialize(counted_resources, selection=COUNTS, run_config=FULL_COUNTS), OBS_REGION_COUNTS
    )
    assert (meta["refresh_mode"], meta["full_refresh_reason"]) == ("full", "full refresh requested")


# Each rebuilt table's storage order: by taxon first, so that the rows one observation changes
# (one per level) lie together (bench/README.md, 2026-12-06: a third of the WAL).
STORAGE_ORDER = {
    ("atlas_api", "obs_region_counts"): ["id_taxa_obs", "year_obs", "fid"],
    ("atlas_api", "obs_regions_taxa_datasets_counts"): ["id_taxa_obs", "id_datasets", "fid"],
    ("maint_assets", "region_taxon_dataset_year_counts"): [
        "id_taxa_obs", "id_datasets", "year_obs", "fid",
    ],
}


def test_a_rebuild_stores_the_rows_of_one_taxon_together(resources, atlas_url):
    materialize(resources, selection=COUNTS, run_config=FULL_COUNTS)
    with psycopg.connect(atlas_url) as conn:
        for table, columns in STORAGE_ORDER.items():
            key = sql.SQL("({})").format(sql.SQL(", ").join(map(sql.Identifier, columns)))
            out_of_order, stored = conn.execute(
                sql.SQL(
                    "SELECT count(*) FILTER (WHERE key < before), count(*) FROM "
                    "(SELECT {key} AS key, lag({key}) OVER (ORDER BY ctid) AS before "
                    "FROM {table}) t"
                ).format(key=key, table=sql.Identifier(*table))
            ).fetchone()
            assert stored > 1000 and out_of_order == 0, (table, out_of_order, stored)


def test_an_observation_outside_every_region_is_counted_nowhere(counted_resources, counted_url):
    before = rows(counted_url, "SELECT sum(count_obs) FROM atlas_api.obs_region_counts")
    with psycopg.connect(counted_url, autocommit=True) as conn:
        conn.execute("""INSERT INTO public.observations (id_datasets, geom, year_obs, id_variables,
                                                         obs_value, id_taxa_obs)
                        SELECT min(d.id), ST_SetSRID(ST_MakePoint(10, 10), 4326), 2020, 1, 1,
                               min(t.id) FROM public.datasets d, public.taxa_obs t""")
    result = materialize(counted_resources, selection=COUNTS)
    assert metadata(result, OBS_REGION_COUNTS)["observations_inserted"] == 1
    assert rows(counted_url, "SELECT sum(count_obs) FROM atlas_api.obs_region_counts") == before


# Points on the edges of hexagons where they cross a cell's side (so the cells' parts of those
# hexagons have a vertex rounded there), and a rounding's width or a few nanodegrees beside.
ON_EDGES = """
WITH segments AS (
    SELECT s.geom
    FROM public.regions r, ST_DumpSegments(r.geom) s
    WHERE r.type = 'hex' AND r.scale IN (20, 10)
      AND (floor(ST_X(ST_StartPoint(s.geom)) * 8 - 0.125)
           <> floor(ST_X(ST_EndPoint(s.geom)) * 8 - 0.125)
           OR floor(ST_Y(ST_StartPoint(s.geom)) * 8 - 0.125)
           <> floor(ST_Y(ST_EndPoint(s.geom)) * 8 - 0.125))
    ORDER BY r.fid, s.path LIMIT 400
)
INSERT INTO public.observations (id_datasets, geom, year_obs, id_variables, obs_value,
                                 id_taxa_obs)
SELECT (SELECT min(id) FROM public.datasets),
       ST_Translate(ST_LineInterpolatePoint(s.geom, f), d.x, d.y), 2020, 1, 1,
       (SELECT min(id) FROM public.taxa_obs)
FROM segments s, unnest(ARRAY[0.5, 1.0 / 3, 0.7]) AS f,
     (VALUES (0, 0), (1e-13, 0), (0, -1e-13), (3e-9, 0), (-3e-9, 3e-9)) AS d (x, y)
"""


def test_points_on_a_region_edge_are_counted_where_production_counts_them(
    counted_resources, counted_url
):
    with psycopg.connect(counted_url, autocommit=True) as conn:
        conn.execute(ON_EDGES)
    meta = metadata(materialize(counted_resources, selection=COUNTS), OBS_REGION_COUNTS)
    assert (meta["refresh_mode"], meta["observations_inserted"]) == ("incremental", 6000)
    assert differences(counted_url) == 0
    materialize(counted_resources, selection=COUNTS, run_config=FULL_COUNTS)
    assert differences(counted_url) == 0


# A figure-eight of 1 000 vertices (its ring crosses itself), our own construction (the real
# regions' data is not public): real boundaries can be invalid like this, and GEOS refuses to
# cut them where ST_Within still answers. The points: a grid over its box, at 7 decimals like
# real coordinates, plus the crossing itself.
NOT_VALID = """
WITH ring AS (
    SELECT ST_MakeLine(array_agg(ST_MakePoint(-72 + sin(t) / 2, 47 + sin(t) * cos(t) / 3)
                                 ORDER BY t)) AS line
    FROM (SELECT i / 1000.0 * 2 * pi() AS t FROM generate_series(0, 999) i) s
)
INSERT INTO public.regions (type, scale, name, geom, within_quebec)
SELECT 'hex', 20, 'figure eight',
       ST_Multi(ST_SetSRID(ST_MakePolygon(ST_AddPoint(line, ST_StartPoint(line))), 4326)), true
FROM ring RETURNING fid
"""
NOT_VALID_POINTS = """
INSERT INTO public.observations (id_datasets, geom, year_obs, id_variables, obs_value,
                                 id_taxa_obs, within_quebec)
SELECT (SELECT min(id) FROM public.datasets), ST_SetSRID(ST_MakePoint(x, y), 4326), 2020, 1, 1,
       (SELECT min(id) FROM public.taxa_obs), true
FROM (SELECT round(-72.52 + i * 0.026, 7) AS x, round(46.68 + j * 0.016, 7) AS y
      FROM generate_series(0, 40) i, generate_series(0, 40) j
      UNION ALL SELECT -72, 47) p
"""


def test_a_region_that_is_not_a_valid_geometry_is_counted_as_production_counts_it(
    counted_resources, counted_url
):
    with psycopg.connect(counted_url, autocommit=True) as conn:
        (fid,) = conn.execute(NOT_VALID).fetchone()
        assert conn.execute("SELECT NOT ST_IsValid(geom) FROM public.regions WHERE fid = %s",
                            [fid]).fetchone() == (True,)  # fmt: skip
        conn.execute(NOT_VALID_POINTS)
    meta = metadata(materialize(counted_resources, selection=COUNTS), OBS_REGION_COUNTS)
    assert (meta["refresh_mode"], meta["regions_not_valid"]) == ("incremental", [fid])
    assert differences(counted_url) == 0
    counted = "SELECT sum(count_obs) FROM atlas_api.obs_region_counts WHERE fid = %s"
    assert 0 < rows(counted_url, counted, [fid])[0][0] < 1682
    meta = metadata(materialize(counted_resources, selection=COUNTS, run_config=FULL_COUNTS),
                    OBS_REGION_COUNTS)  # fmt: skip
    assert (meta["refresh_mode"], meta["regions_not_valid"]) == ("full", [fid])
    assert differences(counted_url) == 0


# Our own rows: coordinates that lie in no region (a NaN reaches PostGIS from any client that
# sends one). Production's ST_Within says false for each, so they count nowhere; the last row
# is an ordinary observation inserted beside them.
NO_REGION = """
INSERT INTO public.observations (id_datasets, geom, year_obs, id_variables, obs_value,
                                 id_taxa_obs)
SELECT (SELECT min(id) FROM public.datasets), ST_SetSRID(ST_MakePoint(x, y), 4326), 2020, 1, 1,
       (SELECT min(id) FROM public.taxa_obs)
FROM (VALUES ('NaN'::float8, 'NaN'::float8), ('Infinity', 46), (-73.5, '-Infinity'),
             (3e8, 45), (-72.5, -3e9), (-72.5, 46.5)) p (x, y)
"""


def test_observations_in_no_region_count_nowhere_and_stop_nothing(counted_resources, counted_url):
    with dg.instance_for_test() as instance, psycopg.connect(counted_url, autocommit=True) as conn:
        cursor = sensor_tick(counted_url, None, instance).cursor
        conn.execute(NO_REGION)
        tick = sensor_tick(counted_url, cursor, instance)  # applied by the sensor itself
        events = tick.asset_events
        recorded = {e.asset_key for e in events if isinstance(e, dg.AssetMaterialization)}
        assert set(COUNTS) <= recorded, tick
        assert differences(counted_url) == 0
        # an ordinary observation moved to NaN, then a refresh in a run
        conn.execute("""UPDATE public.observations SET geom = ST_SetSRID(ST_MakePoint('NaN',
            'NaN'), 4326) WHERE id = (SELECT min(id) FROM observations_partitions.within_quebec)""")
    assert metadata(materialize(counted_resources, selection=COUNTS), OBS_REGION_COUNTS)[
        "refresh_mode"] == "incremental"  # fmt: skip
    assert differences(counted_url) == 0
    materialize(counted_resources, selection=COUNTS, run_config=FULL_COUNTS)
    assert differences(counted_url) == 0


def test_an_id_in_both_partitions_is_two_observations(counted_resources, counted_url):
    """Production's key is (id, within_quebec): an id can be in both partitions (given
    explicitly, or changed by hand to one the sequence hands out later)."""
    with psycopg.connect(counted_url, autocommit=True) as conn:
        (shared,) = conn.execute(
            "SELECT min(id) FROM observations_partitions.within_quebec").fetchone()  # fmt: skip
        conn.execute("""
            INSERT INTO public.observations (id, id_datasets, geom, year_obs, id_variables,
                                             obs_value, id_taxa_obs)
            SELECT %s, id_datasets, geom, year_obs, id_variables, obs_value, id_taxa_obs
            FROM observations_partitions.outside_quebec ORDER BY id LIMIT 1""", [shared])
        both = "SELECT count(*) FROM public.observations WHERE id = %s"
        assert conn.execute(both, [shared]).fetchone() == (2,)
    materialize(counted_resources, selection=COUNTS)
    assert differences(counted_url) == 0
    with psycopg.connect(counted_url, autocommit=True) as conn:
        # one statement changes both rows; the next moves one out of the province's partition,
        # and production's routing trigger puts it back (an inside point): a delete, an insert
        conn.execute("UPDATE public.observations SET year_obs = 1990 WHERE id = %s", [shared])
        conn.execute("UPDATE public.observations SET year_obs = 1991, within_quebec = false"
                     " WHERE id = %s AND within_quebec", [shared])  # fmt: skip
    result = materialize(counted_resources, selection=COUNTS)
    # a rebuild would mean the refresh's own check found rows it got wrong
    assert {metadata(result, key)["refresh_mode"] for key in COUNTS} == {"incremental"}
    assert differences(counted_url) == 0


def test_cells_cut_by_an_earlier_version_are_cut_again(counted_resources, counted_url):
    # As an upgrade finds them, for a hundred regions: one is enough to need a rebuild, and
    # cutting all 47 000 again took over a minute of the suite.
    outdated = "(SELECT fid FROM maint_assets.region_cuts ORDER BY fid LIMIT 100)"
    with psycopg.connect(counted_url, autocommit=True) as conn:
        erased = conn.execute(
            "UPDATE maint_assets.region_cells SET edge = NULL"
            f" WHERE piece IS NOT NULL AND fid IN {outdated}"
        ).rowcount
        assert erased > 0
        conn.execute(
            "UPDATE maint_assets.region_cuts SET digest = regexp_replace(digest, '[^:]+$', 'old')"
            f" WHERE fid IN {outdated}"
        )
    meta = metadata(materialize(counted_resources, selection=COUNTS), OBS_REGION_COUNTS)
    assert meta["refresh_mode"] == "full"
    assert meta["full_refresh_reason"].startswith("100 regions were cut into cells by an earlier")
    assert rows(
        counted_url,
        "SELECT count(*) FILTER (WHERE digest LIKE '%:old'), count(*) > 0"
        " FROM maint_assets.region_cuts",
    ) == [(0, True)]
    assert rows(
        counted_url,
        "SELECT count(*) FROM maint_assets.region_cells WHERE (piece IS NULL) <> (edge IS NULL)",
    ) == [(0,)]


KILLABLE = """
import sys
from maint_assets.atlas.taxonomy.checklist import ChecklistResolver
from maint_assets.core.postgres import PostgresResource
from maint_assets_tests.atlas.helpers import materialize, COUNTS
materialize({"atlas_db": PostgresResource(url=sys.argv[1], lock_timeout_s=600),
             "taxonomy": ChecklistResolver()}, selection=COUNTS)
"""


def test_a_refresh_killed_midway_changes_nothing_and_the_next_catches_up(
    counted_resources, counted_url
):
    snapshot = (
        "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM atlas_api.obs_region_counts t"
    )
    log = "SELECT count(*) FROM maint_assets.change_log"
    state = "SELECT frontier::text, carried FROM maint_assets.change_consumers ORDER BY 1, 2"
    with psycopg.connect(counted_url, autocommit=True) as conn:
        conn.execute(
            "DELETE FROM public.observations WHERE id IN "
            "(SELECT id FROM public.observations ORDER BY id DESC LIMIT 25)"
        )
    before = (rows(counted_url, snapshot), rows(counted_url, log), rows(counted_url, state))
    with psycopg.connect(counted_url) as blocker:
        # the refresh stops mid-transaction, waiting for the regions table...
        blocker.execute("LOCK TABLE public.regions IN ACCESS EXCLUSIVE MODE")
        process = subprocess.Popen([sys.executable, "-c", KILLABLE, counted_url])
        deadline = time.monotonic() + 60
        while not rows(
            counted_url,
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'maint_assets' "
            "AND wait_event_type = 'Lock' AND state = 'active'",
        )[0][0]:
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.2)
        process.send_signal(signal.SIGKILL)  # ...and its process dies there
        process.wait()
    time.sleep(0.5)
    assert (rows(counted_url, snapshot), rows(counted_url, log), rows(counted_url, state)) == before
    meta = metadata(materialize(counted_resources, selection=COUNTS), OBS_REGION_COUNTS)
    assert (meta["refresh_mode"], meta["observations_deleted"]) == ("incremental", 25)
    assert differences(counted_url, OBS_REGION_COUNTS) == 0


def _counts_in_thread(
    resources: dict, url: str, waiting_on: str, run_config: dict | None = None
) -> Future:
    """A run of the count tables in another thread, returned once its session waits for a
    lock in a statement LIKE ``waiting_on``."""
    run = ThreadPoolExecutor(1).submit(
        materialize, resources, selection=COUNTS, run_config=run_config
    )
    deadline = time.monotonic() + 120
    while not rows(url, """
        SELECT count(*) FROM pg_stat_activity WHERE application_name = 'maint_assets'
           AND wait_event_type = 'Lock' AND state = 'active' AND query LIKE %s""",
                   [waiting_on])[0][0]:  # fmt: skip
        assert time.monotonic() < deadline and not run.done(), run
        time.sleep(0.2)
    return run


def test_a_region_edited_while_a_rebuild_cuts_the_cells_is_counted(counted_resources, counted_url):
    # The hexagons with the most observations: A makes the rebuild cut cells again, B moves
    # far away (none of its observations stays in it) while the rebuild waits to cut.
    a, b = [r[0] for r in rows(counted_url, """
        SELECT fid FROM atlas_api.obs_region_counts WHERE type = 'hex' AND scale = 20
        GROUP BY fid ORDER BY sum(count_obs) DESC, fid LIMIT 2""")]
    move = "UPDATE public.regions SET geom = ST_Multi(ST_Translate(geom, %s, %s)) WHERE fid = %s"
    with psycopg.connect(counted_url, autocommit=True) as conn:
        conn.execute(move, (0.03, 0.02, a))
    with psycopg.connect(counted_url) as reader:
        # the cut's CLUSTER of the cells waits behind this reader...
        reader.execute("LOCK TABLE maint_assets.region_cells IN ACCESS SHARE MODE")
        rebuild = _counts_in_thread(
            counted_resources, counted_url, "%CLUSTER maint_assets.region_cells%", FULL_COUNTS
        )
        # ...while another session moves B and commits
        with psycopg.connect(counted_url, autocommit=True) as conn:
            conn.execute(move, (1.0, 1.0, b))
    assert metadata(rebuild.result(timeout=300), OBS_REGION_COUNTS)["refresh_mode"] == "full"
    assert differences(counted_url) == 0
    meta = metadata(materialize(counted_resources, selection=COUNTS), OBS_REGION_COUNTS)
    assert meta["refresh_mode"] == "incremental" and differences(counted_url) == 0


def test_the_sensor_trims_nothing_a_first_build_has_yet_to_catch_up(resources, atlas_url):
    holds = "SELECT count(*) FROM maint_assets.change_consumers WHERE consumer LIKE %s"
    with dg.instance_for_test() as instance:
        cursor = sensor_tick(atlas_url, None, instance).cursor  # the sensor has a position
        with psycopg.connect(atlas_url) as reader:
            # the first build (the count tables have no position yet) takes its snapshot,
            # then waits to read the zoom lookup for the cells' versions...
            reader.execute("LOCK TABLE atlas_api.regions_zoom_lookup IN ACCESS EXCLUSIVE MODE")
            first_build = _counts_in_thread(resources, atlas_url, "%regions_to_cut%")
            # ...while an observation is inserted and the sensor passes it twice (its second
            # tick records the position it passed, then trims what every consumer passed)
            with psycopg.connect(atlas_url, autocommit=True) as conn:
                conn.execute("""
                    INSERT INTO public.observations (id_datasets, geom, year_obs, id_variables,
                                                     obs_value, id_taxa_obs)
                    SELECT id_datasets, geom, 2032, id_variables, 1, id_taxa_obs
                    FROM observations_partitions.within_quebec ORDER BY id LIMIT 1""")
            for _ in range(2):
                cursor = sensor_tick(atlas_url, cursor, instance).cursor
            assert rows(atlas_url, "SELECT count(*) FROM maint_assets.change_log") != [(0,)]
    assert metadata(first_build.result(timeout=300), OBS_REGION_COUNTS)["refresh_mode"] == "full"
    assert differences(atlas_url) == 0
    assert rows(atlas_url, holds, ["%rebuilding"]) == [(0,)]  # released with the position


@pytest.mark.parametrize("table", ["observations", "regions", "regions_zoom_lookup"])
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
        elif table == "regions":
            conn.execute("UPDATE public.regions SET name = name WHERE type = 'admin' AND scale = 2")
        else:  # no key: one row per statement that changed it
            conn.execute("UPDATE atlas_api.regions_zoom_lookup SET zoom = zoom WHERE type = 'hex'")
            conn.execute("DELETE FROM atlas_api.regions_zoom_lookup WHERE type = 'nothing'")
        logged = rows(
            atlas_url,
            "SELECT op::text, count(*), count(DISTINCT row_id) "
            "FROM maint_assets.change_log GROUP BY op",
        )
    expected = {"observations": [("I", 2, 2)], "regions": [("U", 17, 17)]}
    assert logged == expected.get(table, [("U", 1, 1)])

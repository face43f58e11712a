# ruff: noqa: E501
"""The atlas API's own functions and views (production's schema dump, atlas-db b1836f2
dump/dump_atlas_schema.sql, loaded by maint_assets/demo/atlas_real_schema.py) answer alike on
count tables kept by maint_assets and on the same tables refreshed by production's own
functions (atlas_api.obs_region_counts_refresh(), obs_regions_taxa_datasets_counts_refresh(),
REFRESH MATERIALIZED VIEW CONCURRENTLY atlas_api.web_regions, as its cron does).

The dump has no licence, so it is not committed: these tests need a mirror of the repository
(ATLAS_DB_GIT_DIR, or one atlas_real_schema.py knows) or GitHub, and run apart from the suite
(`make test-real-schema`). What they found is tested on the replica in test_count_swap.py."""

import json
import os
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from psycopg import sql

from maint_assets.atlas.assets import taxonomy
from maint_assets.atlas.change_log import install_capture
from maint_assets.atlas.keys import WEB_REGIONS
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.schema import apply_schema
from maint_assets.demo import atlas_real_schema as real_schema
from maint_assets.demo.atlas_data import load_demo_data
from maint_assets_tests.atlas.helpers import COUNTS, FULL_COUNTS, atlas_resources, materialize

pytestmark = pytest.mark.real_schema
REPLICA = Path(__file__).parents[2] / "sql" / "demo" / "atlas_replica"


def _groups() -> str:
    """The replica's taxa groups and their members (production's are data, not schema)."""
    text = (REPLICA / "schema" / "50_taxa_groups.sql").read_text()
    return text[: text.index("-- The groups with the taxa_obs")]


def _drop(cluster, name: str) -> None:
    with cluster.connect(autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="module")
def real_template(pg_cluster) -> Iterator[str]:
    """Production's schema, maint_assets' bookkeeping and capture, the demo data (small
    province), taxonomy resolved by the offline checklist (the taxonomy is not what these
    tests compare: both copies share it), groups and api.taxa refreshed; no count yet."""
    name = f"atlas_real_s33_{os.getpid()}"
    _drop(pg_cluster, name)
    with pg_cluster.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = pg_cluster.url(name)
    real_schema.load(url, real_schema.dump_text())
    with psycopg.connect(url, autocommit=True) as conn:
        apply_schema(conn, "atlas", bookkeeping_only=True)
        install_capture(conn)
        conn.execute(_groups())
        # the offline checklist resolver writes only to a database marked as a replica
        conn.execute((REPLICA / "replica_marker.sql").read_text())
        load_demo_data(conn, observations=2000, seed=3, province_size=0.15)
    result = materialize(
        atlas_resources(PostgresResource(url=url)),
        selection=dg.AssetSelection.assets(*taxonomy.ASSETS),
    )
    assert result.success
    yield name
    _drop(pg_cluster, name)


_clones = iter(range(10**6))


@pytest.fixture
def clone(pg_cluster, real_template):
    made = []

    def make() -> str:
        name = f"{real_template}_{next(_clones)}"
        with pg_cluster.connect(autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(real_template)
                )
            )
        made.append(name)
        return pg_cluster.url(name)

    yield make
    for name in made:
        _drop(pg_cluster, name)


def _production_refresh(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT atlas_api.obs_region_counts_refresh()")
        conn.execute("SELECT atlas_api.obs_regions_taxa_datasets_counts_refresh()")
        populated = conn.execute(
            "SELECT ispopulated FROM pg_matviews WHERE matviewname = 'web_regions'"
        ).fetchone()[0]
        conn.execute(
            "REFRESH MATERIALIZED VIEW "
            + ("CONCURRENTLY " if populated else "")
            + "atlas_api.web_regions"
        )


def _maint_assets_refresh(url: str, full: bool) -> None:
    result = materialize(
        atlas_resources(PostgresResource(url=url)),
        selection=[WEB_REGIONS, *COUNTS],
        run_config=FULL_COUNTS if full else None,
    )
    assert result.success


def _canon(value):
    """Order-insensitive (the functions order nothing): lists sorted by their elements."""
    if isinstance(value, dict):
        return {k: _canon(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        items = [_canon(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))
    return value


def _calls(conn: psycopg.Connection) -> list[tuple[str, tuple]]:
    """Calls reaching the functions' branches: default region (province), each level's
    busiest region, an unknown one; no filter (all species), a taxon, sensitive taxa (alone
    and mixed), a group, the sensitive group, both (refused); year windows; zooms below,
    inside and above the lookup's."""
    q = lambda s: [r[0] for r in conn.execute(s).fetchall()]  # noqa: E731
    regions = [(None, None), ("admin", 999999)]
    for type_, scale in [
        ("admin", 2),
        ("admin", 4),
        ("cadre_eco", 3),
        ("hex", 20),
        ("protected", 1),
    ]:
        regions += [
            (type_, fid)
            for fid in q(
                "SELECT r.fid FROM regions r JOIN observations o ON ST_Within(o.geom, r.geom) "
                f"WHERE r.type = '{type_}' AND r.scale = {scale} "
                "GROUP BY r.fid ORDER BY count(*) DESC, r.fid LIMIT 1"
            )
        ]
    common = q("SELECT id_taxa_obs FROM observations GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 3")
    sensitive = q(
        "SELECT id_taxa_obs FROM taxa_obs_group_lookup WHERE short_group = 'SENSITIVE' "
        "AND id_taxa_obs IN (SELECT id_taxa_obs FROM observations) ORDER BY 1 LIMIT 2"
    )
    filters = [(None, None), (common, None), (sensitive, None), (sensitive[:1] + common[:1], None),
               (None, 2), (None, 25), (common[:1], 2)]  # fmt: skip
    years = [(0, 9999), (2005, 2015)]
    calls = []
    for type_, fid in regions:
        for keys, group in filters:
            for y in years:
                args = (fid, type_, keys, group, *y)
                calls += [
                    ("SELECT * FROM atlas_api.obs_summary(%s, %s, %s, %s, %s, %s)", args),
                    ("SELECT * FROM atlas_api.obs_taxa_list(%s, %s, %s, %s, %s, %s)", args),
                    ("SELECT * FROM atlas_api.obs_dataset_summary(%s, %s, %s, %s, %s, %s)", args),
                ]
        for key in common[:1] + sensitive[:1]:
            calls.append(
                (
                    "SELECT atlas_api.obs_species_summary(%s, %s, %s, %s, %s)",
                    (key, fid, type_, 0, 9999),
                )
            )
    for type_ in ("admin", "hex", "cadre_eco", "protected"):
        for zoom in (2, 5, 7, 10, 12):
            for keys, group in filters[:3] + filters[5:6]:
                calls.append(
                    (
                        "SELECT atlas_api.obs_map(%s, %s, -180, -90, 180, 90, %s, %s, 0, 9999)",
                        (type_, zoom, keys, group),
                    )
                )
    for type_, scale in [("admin", 2), ("hex", 20), ("cadre_eco", 3)]:
        for keys, group in filters:
            calls.append(
                (
                    "SELECT atlas_api.obs_map_values(%s, %s, %s, %s, 0, 9999)",
                    (type_, scale, keys, group),
                )
            )
            calls.append(
                (
                    "SELECT atlas_api.obs_map_values_slippy(%s, %s, -75, 45, -72.5, 46.5, %s, %s, 2000, 2020)",
                    (type_, scale, keys, group),
                )
            )
    for keys, group in filters:
        calls.append(("SELECT atlas_api.get_year_counts(%s, %s)", (keys, group)))
    calls += [
        ("SELECT atlas_api.regions_autocomplete(%s)", (n,)) for n in ("Mun", "Ensemble", "Aire")
    ]
    calls += [(f"SELECT * FROM {v}", ()) for v in ("atlas_api.web_regions", "api.taxa_groups")]
    return calls


def _answers(url: str, calls) -> list:
    out = []
    with psycopg.connect(url, autocommit=True) as conn:
        for query, args in calls:
            try:
                out.append(("ok", _canon([list(r) for r in conn.execute(query, args).fetchall()])))
            except psycopg.Error as err:
                out.append(("error", err.sqlstate))
    return [json.dumps(a, sort_keys=True, default=str) for a in out]


EDITS = [
    # inserts, updates (year, taxon to a sensitive one, geometry, dataset), deletes
    """INSERT INTO observations (org_id_obs, id_datasets, geom, year_obs, month_obs, day_obs, id_taxa_obs,
                                 id_variables, obs_value, within_quebec, dwc_event_date)
       SELECT org_id_obs || '-b', id_datasets, ST_Translate(geom, 0.013, -0.007), year_obs + 1, month_obs,
              day_obs, id_taxa_obs, id_variables, obs_value, within_quebec, dwc_event_date
       FROM observations WHERE id % 7 = 0""",
    "UPDATE observations SET year_obs = year_obs - 3 WHERE id % 11 = 0",
    """UPDATE observations SET id_taxa_obs = (SELECT min(id_taxa_obs) FROM taxa_obs_group_lookup
                                              WHERE short_group = 'SENSITIVE') WHERE id % 13 = 0""",
    "UPDATE observations SET geom = ST_Translate(geom, -0.02, 0.01) WHERE id % 17 = 0",
    "UPDATE observations SET id_datasets = (id_datasets % 36) + 1 WHERE id % 19 = 0",
    "DELETE FROM observations WHERE id % 23 = 0",
    # regions: moved, grown, deleted, other side of the border, no side, another level
    "UPDATE regions SET geom = ST_Multi(ST_Translate(geom, 0.01, 0.01)) WHERE type = 'admin' AND scale = 4 AND fid % 9 = 0",
    "UPDATE regions SET geom = ST_Multi(ST_Buffer(geom, 0.01)) WHERE type = 'cadre_eco' AND scale = 3 AND fid % 5 = 0",
    "DELETE FROM regions WHERE type = 'hex' AND scale = 5 AND fid % 31 = 0",
    "UPDATE regions SET within_quebec = NOT within_quebec WHERE type = 'hex' AND scale = 20 AND fid % 13 = 0",
    "UPDATE regions SET within_quebec = NULL WHERE type = 'admin' AND scale = 3 AND fid % 3 = 0",
    "UPDATE regions SET scale = 3 WHERE type = 'cadre_eco' AND scale = 4 AND fid % 10 = 0",
    # zoom lookup: a level removed, one shown at another zoom and to sensitive taxa, one moved
    "DELETE FROM atlas_api.regions_zoom_lookup WHERE type = 'hex' AND scale = 10",
    "UPDATE atlas_api.regions_zoom_lookup SET zoom = 8, show_sensitive = true WHERE type = 'cadre_eco' AND scale = 2",
    "UPDATE atlas_api.regions_zoom_lookup SET scale = 10 WHERE type = 'hex' AND scale = 5",
]


def test_the_apis_functions_answer_alike_on_counts_kept_by_maint_assets_and_by_production(clone):
    """Guard (passes): every call answers the same (order aside) after a rebuild, and after the
    edits above applied incrementally, as on the tables production's own functions refresh."""
    production, ours = clone(), clone()
    _production_refresh(production)
    _maint_assets_refresh(ours, full=True)
    with psycopg.connect(production) as conn:
        calls = _calls(conn)
    assert len(calls) > 300
    expected = _answers(production, calls)
    assert sum('"error"' in a for a in expected) < len(calls) / 5  # mostly answers
    got = _answers(ours, calls)
    assert [c for c, a, b in zip(calls, expected, got, strict=True) if a != b] == []
    for url in (production, ours):
        with psycopg.connect(url, autocommit=True) as conn:
            for edit in EDITS:
                conn.execute(edit)
    _production_refresh(production)
    _maint_assets_refresh(ours, full=False)
    expected = _answers(production, calls)
    got = _answers(ours, calls)
    assert [c for c, a, b in zip(calls, expected, got, strict=True) if a != b] == []

"""The maint-assets command against the tests' cluster, and the demo data generator."""

import argparse
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from maint_assets import cli
from maint_assets.cli import main
from maint_assets.demo.atlas_data import load_demo_data
from maint_assets.demo.atlas_replica import apply_replica
from maint_assets_tests.conftest import SMALL_PROVINCE, TEST_SPACING

FINGERPRINT = """SELECT md5((SELECT string_agg(concat_ws('|', id, ST_AsText(geom), id_taxa_obs,
                  year_obs, month_obs, day_obs, id_datasets, within_quebec), ',' ORDER BY id)
                  FROM public.observations)
               || (SELECT string_agg(concat_ws('|', fid, type, scale, ST_AsText(geom)), ','
                  ORDER BY fid) FROM public.regions))"""


@pytest.fixture
def empty_db(pg_cluster):
    names = []

    def make(name: str) -> str:
        with pg_cluster.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        names.append(name)
        return pg_cluster.url(name)

    yield make
    with pg_cluster.connect(autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def test_demo_data_command_loads_once_and_is_idempotent(empty_db, monkeypatch, capsys):
    url = empty_db("atlas_cli")
    monkeypatch.setenv("ATLAS_DATABASE_URL", url)
    command = ["demo-data", "--observations", "1500", "--seed", "3", "--if-empty"]
    assert main([*command, "--region-detail", str(TEST_SPACING)]) == 0
    assert "loaded 1500 observations" in capsys.readouterr().out
    # the province's outline detailed in segments of TEST_SPACING: about 9 000 vertices (the
    # default 0.002 gives about 45 000)
    with psycopg.connect(url) as conn:
        (vertices,) = conn.execute(
            "SELECT ST_NPoints(geom) FROM public.regions WHERE type = 'admin' AND scale = 1"
            " AND within_quebec"
        ).fetchone()
    assert 5_000 < vertices < 15_000, vertices
    assert main(command) == 0
    assert "already loaded" in capsys.readouterr().out
    assert main(["schema", "atlas"]) == 0
    assert "applied 00_extensions.sql" in capsys.readouterr().out
    assert main(["schema", "atlas", "--bookkeeping"]) == 0
    assert "applied 60_maint_assets.sql to database 'atlas_cli'" in capsys.readouterr().out


def test_cli_names_an_unreachable_database_without_its_password(monkeypatch, capsys):
    monkeypatch.setenv("ATLAS_DATABASE_URL", "postgresql://maint:hunter2-secret@127.0.0.1:9/atlas")
    assert main(["schema", "atlas"]) == 1
    err = capsys.readouterr().err
    assert "database 'atlas' at 127.0.0.1:9" in err and "hunter2" not in err


def test_same_seed_same_data_other_seed_other_data(empty_db):
    fingerprints = []
    for name, seed in (("atlas_seed_a", 5), ("atlas_seed_b", 5), ("atlas_seed_c", 6)):
        with psycopg.connect(empty_db(name), autocommit=True) as conn:
            apply_replica(conn)
            # The tests' coarser outlines and smaller province: the same generator.
            summary = load_demo_data(conn, observations=2000, seed=seed, spacing=TEST_SPACING,
                                     province_size=SMALL_PROVINCE)
            assert summary.observations == 2000
            fingerprints.append(conn.execute(FINGERPRINT).fetchone()[0])
    assert fingerprints[0] == fingerprints[1] != fingerprints[2]


# The template is asked for by name (getfixturevalue), which collection does not see: marked
# here, so that `make test-fast` does not build both templates.
@pytest.mark.servers
@pytest.mark.parametrize("template", ["atlas_url", "small_atlas_url"])
def test_demo_regions_cover_the_fifteen_levels_and_nest(template, request):
    with psycopg.connect(request.getfixturevalue(template)) as conn:
        levels = conn.execute("""
            SELECT count(DISTINCT (r.type, r.scale)) FROM public.regions r
            JOIN atlas_api.regions_zoom_lookup z USING (type, scale)""").fetchone()
        # municipalities lie within the province; no outside row lies inside it
        outside = conn.execute("""SELECT count(*) FROM public.regions m, public.regions p
            WHERE m.type = 'admin' AND m.scale = 4 AND p.type = 'admin' AND p.scale = 1
              AND NOT ST_CoveredBy(ST_Buffer(m.geom, -0.001), p.geom)""").fetchone()
        trigger_routed = conn.execute("""
            SELECT count(*) FROM observations_partitions.outside_quebec o, public.regions p
            WHERE p.type = 'admin' AND p.scale = 1 AND ST_Within(o.geom, p.geom)""").fetchone()
    assert levels == (15,)
    assert outside == (0,)
    assert trigger_routed == (0,)


def test_a_smaller_province_has_the_same_shape_at_its_size(atlas_url, small_atlas_url):
    def extent(url: str) -> tuple[float, float]:
        with psycopg.connect(url) as conn:
            return conn.execute("""
                SELECT ST_XMax(e) - ST_XMin(e), ST_YMax(e) - ST_YMin(e)
                FROM (SELECT ST_Extent(geom) AS e FROM public.regions
                      WHERE type = 'admin' AND scale = 1) p""").fetchone()

    (width, height), (small_width, small_height) = extent(atlas_url), extent(small_atlas_url)
    # the detail moves each side by at most 0.03 degree, whatever the size
    assert abs(small_width - SMALL_PROVINCE * width) < 0.08, (width, small_width)
    assert abs(small_height - SMALL_PROVINCE * height) < 0.08, (height, small_height)


def test_insert_trigger_routes_rows_by_the_province_polygon(atlas_url):
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("""
            INSERT INTO public.observations (org_id_obs, id_datasets, geom, year_obs, month_obs,
                                             id_variables, obs_value, id_taxa_obs)
            SELECT v.tag, (SELECT min(id) FROM public.datasets), v.g, 2024, 6, 1, 1,
                   (SELECT min(id) FROM public.taxa_obs)
            FROM (VALUES ('quebec-city', ST_SetSRID(ST_MakePoint(-71.2, 46.8), 4326)),
                         ('new-york', ST_SetSRID(ST_MakePoint(-73.9, 40.7), 4326))
            ) AS v (tag, g)""")
        placed = dict(
            conn.execute("""SELECT org_id_obs, within_quebec FROM public.observations
                                      WHERE org_id_obs IN ('quebec-city', 'new-york')""").fetchall()
        )
        dwc = conn.execute(
            "SELECT dwc_event_date FROM public.observations WHERE org_id_obs = 'quebec-city'"
        ).fetchone()
    assert placed == {"quebec-city": True, "new-york": False}
    assert dwc == ("2024-06",)


def test_capture_command_installs_on_an_existing_database_idempotently(
    empty_db, monkeypatch, capsys
):
    url = empty_db("atlas_capture")
    with psycopg.connect(url, autocommit=True) as conn:
        apply_replica(conn)  # an existing atlas database, without capture
    monkeypatch.setenv("ATLAS_DATABASE_URL", url)
    for _ in range(2):
        assert main(["capture", "atlas"]) == 0
        assert "10_change_log.sql, 20_triggers.sql" in capsys.readouterr().out
    with psycopg.connect(url) as conn:
        triggers = conn.execute("""SELECT count(*) FROM pg_trigger
                                   WHERE tgname LIKE 'maint_capture_%%'""").fetchone()[0]
    # insert, update, delete and truncate on the parent and both partitions, regions, taxa_obs,
    # the zoom lookup and the taxonomy's four hand-kept tables (groups, members, priorities)
    assert triggers == 4 * 3 + 4 + 3 + 4 + 4 * 4


def test_db_env_lets_plain_psql_connect(pg_cluster):
    """`eval "$(maint-assets db env)"` in an otherwise empty environment: psql takes its host,
    port, database, user and password (pass file) from libpq's variables alone."""
    state_dir = pg_cluster.home.parent
    command = (
        'eval "$(maint-assets db env --database dagster)" && '
        'stat -c %a "$PGPASSFILE" && psql -XAtc "SELECT current_database(), current_user"'
    )
    done = subprocess.run(
        ["bash", "-c", command],
        env={
            "PATH": f"{Path(sys.executable).parent}:/usr/sbin:/usr/bin:/sbin:/bin",
            "MAINT_STATE_DIR": str(state_dir),
            "MAINT_PG_PORT": str(pg_cluster.port),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["600", "dagster|postgres"]


def test_vn_commands_use_the_configured_tool_and_work_dir(monkeypatch, tmp_path):
    """`maint-assets vn …` finds Client-API-VN where the code location's resource does: an
    operator's VN_CLIENT_API_VN_VENV and VN_WORK_DIR, not the state directory's defaults."""
    from maint_assets.cli.vn import vn_env

    monkeypatch.setenv("VN_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/vn")
    monkeypatch.setenv("VN_CLIENT_API_VN_VENV", str(tmp_path / "venv"))
    monkeypatch.setenv("VN_WORK_DIR", str(tmp_path / "work"))
    _, tool = vn_env()
    assert (tool.venv, tool.work_dir) == (str(tmp_path / "venv"), str(tmp_path / "work"))


def test_db_commands_and_help_never_load_dagster(tmp_path):
    """Shells evaluate `maint-assets db env` and scripts call `db url` and `db status` often:
    they, and `--help`, start without Dagster (which takes seconds to import). The script
    itself, with Python listing every module it imports."""
    script = Path(sys.executable).parent / "maint-assets"
    env = {  # runuser (in sbin) checks, as root, that postgres can enter the state directory
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "MAINT_STATE_DIR": str(tmp_path),
        "MAINT_PG_PORT": "1",
    }
    for argv, code, out in (
        (["db", "env"], 0, "export PGPORT=1\n"),
        (["db", "url"], 0, "postgresql://postgres@"),
        (["db", "status"], 3, "stopped (not initialised"),
        (["--help"], 0, "usage: maint-assets"),
    ):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", str(script), *argv],
            env=env, capture_output=True, text=True, timeout=120,
        )
        assert (done.returncode, out in done.stdout) == (code, True), (argv, done.stdout)
        imported = {
            line.rsplit("|", 1)[1].strip()
            for line in done.stderr.splitlines() if line.startswith("import time:")
        }
        assert {m for m in imported if m.split(".")[0].startswith("dagster")} == set(), argv


def test_every_command_names_a_function_of_its_module():
    """The parser names each command's function as text, so that its module (and Dagster)
    loads only when it runs: each name resolves."""
    parsers, commands = [cli._parser()], []
    while parsers:
        for action in parsers.pop()._actions:
            if isinstance(action, argparse._SubParsersAction):
                parsers.extend(action.choices.values())
                commands += [p.get_default("run") for p in action.choices.values()]
    commands = [c for c in commands if c is not None]
    assert len(commands) == 16
    assert all(callable(c.function()) for c in commands), commands

"""End to end with the Dagster daemon running on the shipped dagster.yaml: rows inserted with
plain SQL reach the count tables and api.taxa with no other action, in bounded time."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import psycopg
from psycopg import sql

from maint_assets.atlas.taxonomy.checklist import ChecklistResolver
from maint_assets.core.paths import CHECKOUT
from maint_assets.core.postgres import PostgresResource
from maint_assets_tests.atlas.helpers import materialize, rows
from maint_assets_tests.processes import process_group

DEADLINE_S = 150


def test_inserted_observations_reach_the_counts_and_api_taxa(
    pg_cluster, atlas_url, tmp_path, monkeypatch
):
    with pg_cluster.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS dagster_e2e WITH (FORCE)"))
        conn.execute(sql.SQL("CREATE DATABASE dagster_e2e"))
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(CHECKOUT / "dagster.yaml", home)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "ATLAS_DATABASE_URL": atlas_url,
        "DAGSTER_PG_URL": pg_cluster.url("dagster_e2e").replace(
            "postgresql://", "postgresql+psycopg2://"
        ),
        "ATLAS_CHANGE_SENSOR_INTERVAL_S": "5",
        "MAINT_AUTOMATION_INTERVAL_S": "5",
        "ATLAS_TAXONOMY_RESOLVER": "checklist",
        "ATLAS_TAXONOMY_ACCEPT_UNRESOLVED": "true",
    }
    # The same instance (shipped dagster.yaml, PostgreSQL storage) the daemon will use.
    monkeypatch.setenv("DAGSTER_PG_URL", env["DAGSTER_PG_URL"])
    with dg.DagsterInstance.from_config(str(home)) as instance:
        resources = {
            "atlas_db": PostgresResource(url=atlas_url),
            "taxonomy": ChecklistResolver(accept_unresolved=True),
        }
        assert materialize(resources, instance=instance).success  # the graph exists once
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("TRUNCATE maint_assets.change_log")  # start from a quiet log
    log = tmp_path / "daemon.log"
    with process_group(
        [
            str(Path(sys.executable).parent / "dagster-daemon"),
            "run",
            "-w",
            str(CHECKOUT / "workspace.yaml"),
        ],
        cwd=CHECKOUT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    ) as daemon:
        # On a brand-new instance the automation sensor's first evaluation takes everything
        # as already handled; changes are only acted on from its second tick on.
        _wait_for(lambda: "Finished auto-materialization tick" in log.read_text(), daemon, log)
        with psycopg.connect(atlas_url, autocommit=True) as conn:
            counted = _counted(conn)
            new_taxon = conn.execute(
                """INSERT INTO public.taxa_obs (scientific_name, authorship, rank)
                   SELECT scientific_name, 'e2e', rank FROM public.taxa_obs
                   WHERE rank = 'species' ORDER BY id LIMIT 1 RETURNING id"""
            ).fetchone()[0]
            conn.execute(
                """INSERT INTO public.observations (id_datasets, geom, year_obs, id_variables,
                                                    obs_value, id_taxa_obs)
                   SELECT (SELECT min(id) FROM public.datasets),
                          ST_SetSRID(ST_MakePoint(-71.2 + g / 100.0, 46.8), 4326), 2025, 1, 1, %s
                   FROM generate_series(1, 5) g""",
                [new_taxon],
            )
            started = time.monotonic()
            while time.monotonic() - started < DEADLINE_S:
                assert daemon.poll() is None, log.read_text()[-3000:]
                in_taxa = conn.execute(
                    "SELECT count(*) FROM api.taxa WHERE id_taxa_obs = %s", [new_taxon]
                ).fetchone()[0]
                if _counted(conn) == counted + 5 and in_taxa == 1:
                    break
                time.sleep(2)
            elapsed = time.monotonic() - started
    assert elapsed < DEADLINE_S, (
        f"not in the counts and api.taxa in time:\n{log.read_text()[-5000:]}"
    )
    assert rows(
        atlas_url,
        """SELECT count(*) FROM atlas_api.obs_regions_taxa_datasets_counts
                              WHERE id_taxa_obs = %s AND type = 'admin'""",
        [new_taxon],
    ) != [(0,)]
    print(f"inserts visible in the counts and api.taxa after {elapsed:.1f} s")


def _wait_for(condition, daemon: subprocess.Popen, log: Path, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert daemon.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.5)


def _counted(conn: psycopg.Connection) -> int:
    return conn.execute(
        "SELECT coalesce(sum(count_obs), 0) FROM atlas_api.obs_region_counts "
        "WHERE type = 'admin' AND scale = 1"
    ).fetchone()[0]

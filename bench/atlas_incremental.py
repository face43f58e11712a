"""Incremental maintenance of the atlas count tables, measured side by side in one run:

1. capture overhead: bulk-inserting every observation with change capture on / off;
2. incremental refresh / full rebuild of both count tables after 1 000 inserts, 10 000
   updates and 1 000 deletes (through Dagster, in-process executor);
3. latency from an INSERT's commit to the count tables including it, through a running
   dagster-daemon with the demo's 5 s intervals: p50 and p95 over N trials.

    .venv/bin/python bench/atlas_incremental.py [--observations 1000000] [--trials 20]

It starts its own temporary cluster (never the demo's).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
from common import load_atlas, temporary_cluster

from maint_assets.atlas import sources, spatial
from maint_assets.atlas.change_log import install_capture
from maint_assets.atlas.taxonomy import assets as taxonomy
from maint_assets.atlas.taxonomy.checklist import ChecklistResolver
from maint_assets.core.paths import CHECKOUT
from maint_assets.core.postgres import PostgresResource

COUNTS = [spatial.obs_region_counts, spatial.obs_regions_taxa_datasets_counts]
ALL = [*sources.ALL, *taxonomy.ASSETS, *spatial.ASSETS]
FULL = {
    "ops": {
        f"atlas__atlas_api__{name}": {"config": {"full": True}}
        for name in ("obs_region_counts", "obs_regions_taxa_datasets_counts")
    }
}
CHANGES = {
    "1,000 inserts": """
        INSERT INTO public.observations (org_id_obs, id_datasets, geom, year_obs, month_obs,
                                         day_obs, id_variables, obs_value, id_taxa_obs,
                                         within_quebec)
        SELECT 'bench-' || id, id_datasets, geom, year_obs, month_obs, day_obs, id_variables,
               obs_value, id_taxa_obs, within_quebec
        FROM bench_copy WHERE id % 997 = 3 LIMIT 1000""",
    "10,000 updates": """
        UPDATE public.observations
        SET year_obs = CASE WHEN id % 2 = 0 THEN year_obs - 1 ELSE year_obs END,
            geom = CASE WHEN id % 2 = 1 THEN ST_Translate(geom, 0.01, 0.01) ELSE geom END
        WHERE id IN (SELECT id FROM public.observations WHERE id % 89 = 7 LIMIT 10000)""",
    "1,000 deletes": """
        DELETE FROM public.observations
        WHERE id IN (SELECT id FROM public.observations WHERE id % 83 = 5 LIMIT 1000)""",
}
ADMIN_TOTAL = (
    "SELECT coalesce(sum(count_obs), 0) FROM atlas_api.obs_region_counts "
    "WHERE type = 'admin' AND scale = 1"
)


def seconds(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def capture_overhead(cluster) -> None:
    with cluster.connect("atlas", autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_copy AS SELECT * FROM public.observations")
        n = conn.execute("SELECT count(*) FROM bench_copy").fetchone()[0]

        def reload() -> None:
            conn.execute("TRUNCATE public.observations")
            conn.execute("INSERT INTO public.observations SELECT * FROM bench_copy")

        off = seconds(reload)
        install_capture(conn)
        on = seconds(reload)
        logged = conn.execute("SELECT count(*) FROM maint_assets.change_log").fetchone()[0]
    print(f"capture overhead, bulk insert of {n:,} observations ({logged:,} changes logged):")
    print(f"  capture off {off:7.1f} s\n  capture on  {on:7.1f} s")
    print(f"  ratio on/off {on / off:6.3f}   (target <= 1.3)", flush=True)


def step_seconds(instance: dg.DagsterInstance, run_id: str) -> float:
    """Time from the first step's start to the last step's end: the refreshes themselves,
    without launching and tearing down the run."""
    stamps = [
        entry.timestamp
        for entry in instance.all_logs(
            run_id, of_type={dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS}
        )
    ]
    return max(stamps) - min(stamps)


def incremental_vs_full(cluster, resources) -> None:
    instance = dg.DagsterInstance.ephemeral()

    def materialize(run_config=None) -> tuple[float, float, dg.ExecuteInProcessResult]:
        started = time.perf_counter()
        result = dg.materialize(
            ALL, resources=resources, selection=COUNTS, run_config=run_config, instance=instance
        )
        took = time.perf_counter() - started
        assert result.success
        return step_seconds(instance, result.run_id), took, result

    assert dg.materialize(ALL, resources=resources).success  # everything, consumers registered
    full_steps, full_run, _ = materialize(FULL)
    print(f"full rebuild of both count tables: steps {full_steps:.1f} s, run {full_run:.1f} s")
    with cluster.connect("atlas", autocommit=True) as conn:
        for label, change in CHANGES.items():
            conn.execute(change)
            steps, run, result = materialize()
            modes = {
                e.materialization.metadata["refresh_mode"].value
                for e in result.get_asset_materialization_events()
            }
            assert modes == {"incremental"}, modes
            print(
                f"  after {label:15s} incremental steps {steps:5.2f} s, "
                f"ratio {steps / full_steps:6.4f} (target <= 0.01); "
                f"run {run:5.2f} s, ratio {run / full_run:6.4f}",
                flush=True,
            )


def latency(cluster, home: Path, trials: int) -> None:
    dagster_home = home / "dagster_home"
    dagster_home.mkdir()
    shutil.copy(CHECKOUT / "dagster.yaml", dagster_home)
    log = home / "daemon.log"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(dagster_home),
        "DAGSTER_PG_URL": cluster.url("dagster").replace("postgresql://", "postgresql+psycopg2://"),
        "ATLAS_DATABASE_URL": cluster.url("atlas"),
        "ATLAS_CHANGE_SENSOR_INTERVAL_S": "5",
        "MAINT_AUTOMATION_INTERVAL_S": "5",
    }
    daemon = subprocess.Popen(
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
    )
    waits = []
    try:
        while "Finished auto-materialization tick" not in log.read_text():
            assert daemon.poll() is None, log.read_text()[-2000:]
            time.sleep(0.5)
        with cluster.connect("atlas", autocommit=True) as conn:
            for trial in range(trials):
                before = conn.execute(ADMIN_TOTAL).fetchone()[0]
                conn.execute(
                    """INSERT INTO public.observations (id_datasets, geom, year_obs, id_variables,
                                                        obs_value, id_taxa_obs)
                       SELECT id_datasets, geom, 2025, id_variables, 1, id_taxa_obs
                       FROM bench_copy WHERE within_quebec ORDER BY id OFFSET %s LIMIT 1""",
                    [trial * 1013],
                )
                committed = time.perf_counter()
                while conn.execute(ADMIN_TOTAL).fetchone()[0] == before:
                    if time.perf_counter() - committed > 300:
                        shutil.copy(log, "/tmp/maint-assets-daemon.log")
                        raise TimeoutError("not counted in 300 s; see /tmp/maint-assets-daemon.log")
                    time.sleep(0.2)
                waits.append(time.perf_counter() - committed)
                print(f"  trial {trial + 1:2d}: {waits[-1]:5.1f} s", flush=True)
                time.sleep(1)
    finally:
        daemon.terminate()
        daemon.wait(timeout=60)
    p95 = statistics.quantiles(waits, n=20)[-1] if len(waits) >= 2 else waits[0]
    print(f"latency from INSERT commit to obs_region_counts, {trials} trials, 5 s intervals:")
    print(f"  p50 {statistics.median(waits):5.1f} s   p95 {p95:5.1f} s   (target p50 <= 15 s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument(
        "--parts",
        default="capture,incremental,latency",
        help="comma-separated subset of capture, incremental, latency",
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    with temporary_cluster(55497, ["atlas", "dagster"]) as (cluster, home):
        load_atlas(cluster, "atlas", args.observations, capture=False)
        if "capture" in parts:
            capture_overhead(cluster)
        else:  # the other parts need capture and the copy of the observations
            with cluster.connect("atlas", autocommit=True) as conn:
                conn.execute("CREATE TABLE bench_copy AS SELECT * FROM public.observations")
                install_capture(conn)
        resources = {
            "atlas_db": PostgresResource(url=cluster.url("atlas")),
            "taxonomy": ChecklistResolver(),
        }
        if "incremental" in parts:
            incremental_vs_full(cluster, resources)
        if "latency" in parts:
            latency(cluster, home, args.trials)


if __name__ == "__main__":
    main()

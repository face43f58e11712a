"""A full rebuild of both atlas count tables by the project (through Dagster, in-process)
against production's own refresh functions, side by side on the same data and machine, with
a reader querying the tables throughout, and the rows each produces compared.

    .venv/bin/python bench/atlas_full_refresh.py --real-schema [--observations 1000000]
    .venv/bin/python bench/atlas_full_refresh.py --quick            # 100 000, replica schema

--real-schema loads production's schema dump (fetched, never committed: see
maint_assets/demo/atlas_real_schema.py; --dump/--git-dir say where from) and calls its functions
atlas_api.obs_region_counts_refresh() and obs_regions_taxa_datasets_counts_refresh(); on the
replica the same two statements each function runs (DELETE, then INSERT ... SELECT of the
ST_Within join) are run as one transaction per table. The database is left as production has
it: no valid GiST index on observations.geom (--with-geom-index builds them first).

The project's rebuild is timed twice: cold (every region cut into cells first, as on a first
install) and warm (cells current: the usual full rebuild, the cells being a maintained cache
of the regions). It starts its own temporary cluster (never the demo's).
"""

import argparse
import random
import statistics
import threading
import time

import dagster as dg
import psycopg
from common import QUIET, load_atlas, schema_arguments, temporary_cluster

from maint_assets.atlas import change_log
from maint_assets.atlas.assets import counts as count_assets
from maint_assets.atlas.assets import sources
from maint_assets.atlas.taxonomy.checklist import ChecklistResolver
from maint_assets.core.postgres import PostgresResource

FULL = {**QUIET, "ops": {count_assets.COUNTS_OP: {"config": {"full": True}}}}
# Production's two functions as the statements they run (the replica has no functions).
PRODUCTION = {
    "obs_region_counts": """
        DELETE FROM atlas_api.obs_region_counts;
        INSERT INTO atlas_api.obs_region_counts (type, scale, fid, id_taxa_obs, year_obs,
                                                 count_obs)
        SELECT regions.type, regions.scale, regions.fid, o.id_taxa_obs, o.year_obs, count(o.id)
        FROM public.regions, public.observations o, atlas_api.regions_zoom_lookup
        WHERE ST_Within(o.geom, regions.geom) AND o.within_quebec = regions.within_quebec
          AND regions.type = regions_zoom_lookup.type
          AND regions.scale = regions_zoom_lookup.scale
        GROUP BY regions.type, regions.fid, o.id_taxa_obs, o.year_obs""",
    "obs_regions_taxa_datasets_counts": """
        DELETE FROM atlas_api.obs_regions_taxa_datasets_counts;
        INSERT INTO atlas_api.obs_regions_taxa_datasets_counts (fid, type, id_taxa_obs,
            id_datasets, min_year, max_year, count_obs)
        SELECT regions.fid, regions.type, o.id_taxa_obs, o.id_datasets, min(o.year_obs),
               max(o.year_obs), count(o.id)
        FROM public.regions, public.observations o, atlas_api.regions_zoom_lookup
        WHERE ST_Within(o.geom, regions.geom) AND o.within_quebec = regions.within_quebec
          AND regions.type = regions_zoom_lookup.type
          AND regions.scale = regions_zoom_lookup.scale
        GROUP BY regions.fid, o.id_datasets, o.id_taxa_obs""",
}
READ = "SELECT count_obs FROM atlas_api.{} WHERE fid = %s LIMIT 20"


class Reader:
    """Queries both count tables by region, as the atlas API does, and keeps each duration.
    A read that waits more than a second for a lock gives up (lock_timeout) and is counted as
    blocked: a slow read on a busy machine is not a blocked one."""

    def __init__(self, url: str, fids: list[int]) -> None:
        self.url, self.fids, self.waits, self.blocked = url, fids, [], 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self) -> None:
        rng = random.Random(1)
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("SET lock_timeout = '1s'")
            while not self.stop.is_set():
                for table in ("obs_region_counts", "obs_regions_taxa_datasets_counts"):
                    started = time.perf_counter()
                    try:
                        conn.execute(READ.format(table), [rng.choice(self.fids)]).fetchall()
                    except psycopg.errors.LockNotAvailable:
                        self.blocked += 1
                    self.waits.append(time.perf_counter() - started)
                time.sleep(0.02)

    def __enter__(self) -> "Reader":
        self.thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.stop.set()
        self.thread.join()

    def summary(self) -> str:
        worst = max(self.waits) if self.waits else float("nan")
        return (
            f"{len(self.waits)} reads, longest {worst:.3f} s, "
            f"blocked more than 1 s by a lock: {self.blocked}"
        )


def production(url: str, real: bool) -> dict[str, float]:
    seconds = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for name, statements in PRODUCTION.items():
            started = time.perf_counter()
            if real:
                conn.execute(f"SELECT atlas_api.{name}_refresh()")
            else:
                with conn.transaction():
                    for text in statements.split(";"):
                        conn.execute(text)
            seconds[name] = time.perf_counter() - started
            print(f"  production {name}: {seconds[name]:.1f} s", flush=True)
    return seconds


def ours(resources: dict, instance: dg.DagsterInstance) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    result = dg.materialize(
        [*sources.ALL, *count_assets.ASSETS],
        resources=resources,
        selection=[count_assets.OBS_REGION_COUNTS, count_assets.OBS_REGIONS_TAXA_DATASETS_COUNTS],
        run_config=FULL,
        instance=instance,
    )
    took = time.perf_counter() - started
    assert result.success
    meta = {
        e.asset_key.path[-1]: {k: v.value for k, v in e.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
    }
    return took, meta


def differences(conn: psycopg.Connection) -> int:
    """Rows in which the project's tables differ from what production's functions made."""
    total = 0
    for name in PRODUCTION:
        total += conn.execute(
            f"""SELECT (SELECT count(*) FROM (TABLE bench_production_{name}
                                              EXCEPT ALL TABLE atlas_api.{name}) a)
                     + (SELECT count(*) FROM (TABLE atlas_api.{name}
                                              EXCEPT ALL TABLE bench_production_{name}) b)"""
        ).fetchone()[0]
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100 000 observations")
    parser.add_argument("--skip-production", action="store_true", help="time the project only")
    parser.add_argument("--with-geom-index", action="store_true")
    parser.add_argument("--port", type=int, default=55499)
    schema_arguments(parser)
    args = parser.parse_args()
    observations = 100_000 if args.quick else args.observations

    with temporary_cluster(args.port, ["atlas"]) as (cluster, _home):
        url = cluster.url("atlas")
        load_atlas(cluster, "atlas", observations, capture=True, args=args)
        with psycopg.connect(url, autocommit=True) as conn:
            if args.with_geom_index:
                for line in change_log.build_geom_indexes(conn):
                    print(f"  {line}")
            conn.execute("ANALYZE")
            fids = [r[0] for r in conn.execute("SELECT fid FROM public.regions")]
            missing = change_log.missing_geom_indexes(conn)
        print(f"GiST index on observations.geom: {'; '.join(missing) or 'valid'}", flush=True)
        resources = {"atlas_db": PostgresResource(url=url), "taxonomy": ChecklistResolver()}

        prod: dict[str, float] = {}
        if not args.skip_production:
            print("production's functions (a reader queries the tables meanwhile):", flush=True)
            with Reader(url, fids) as reader:
                prod = production(url, args.real_schema)
            print(f"  reader: {reader.summary()}", flush=True)
            with psycopg.connect(url, autocommit=True) as conn:
                for name in PRODUCTION:
                    conn.execute(f"CREATE TABLE bench_production_{name} AS TABLE atlas_api.{name}")

        with dg.instance_for_test() as instance:
            runs = {}
            for label in ("cold", "warm"):
                if label == "cold":
                    with psycopg.connect(url, autocommit=True) as conn:
                        conn.execute("TRUNCATE maint_assets.region_cuts, maint_assets.region_cells")
                with Reader(url, fids) as reader:
                    took, meta = ours(resources, instance)
                runs[label] = took
                rows = {k: v["dagster/row_count"] for k, v in meta.items()}
                print(f"project rebuild, {label}: {took:.1f} s, rows {rows}; reader: "
                      f"{reader.summary()}", flush=True)  # fmt: skip
        if prod:
            with psycopg.connect(url) as conn:
                diff = differences(conn)
            total = sum(prod.values())
            print(f"\nfull rebuild of both count tables, {observations:,} observations:")
            parts = ", ".join(f"{k} {v:.1f} s" for k, v in prod.items())
            print(f"  production's functions {total:9.1f} s   ({parts})")
            for label, took in runs.items():
                ratio = took / total
                print(
                    f"  project, {label:4s}          {took:9.1f} s   ratio {ratio:.4f} (<= 0.125)"
                )
            print(f"  rows differing from production's: {diff}")
        else:
            print(f"project rebuild: {statistics.mean(runs.values()):.1f} s on average")


if __name__ == "__main__":
    main()

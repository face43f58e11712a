"""A run of the atlas count tables, as the change sensor requests it after a batch too big to
apply inline, with the checks it names (the touched-rows checks) against all the checks of
the count tables (what a run that names no checks took until 941b281: the full comparison,
production's own query, rode along). Side by side in one run, alternating, each after its
own batch of new observations.

    .venv/bin/python bench/atlas_count_run.py [--observations 100000] [--batch 2000]

Starts its own temporary cluster (never the demo's), on the replica schema.
"""

import argparse
import statistics
import time

import dagster as dg
from common import QUIET, load_atlas, temporary_cluster

from maint_assets.atlas import change_log
from maint_assets.atlas.assets import counts as count_assets
from maint_assets.atlas.assets import sources, taxonomy
from maint_assets.atlas.checks import full_recount
from maint_assets.atlas.taxonomy.checklist import ChecklistResolver
from maint_assets.core.postgres import PostgresResource

ALL = [*sources.ALL, *taxonomy.ASSETS, *count_assets.ASSETS, full_recount]
COUNTS = dg.AssetSelection.assets(*count_assets.COUNT_KEYS.values())  # with their checks
WAYS = {
    "touched-rows checks (the request now)": COUNTS - dg.AssetSelection.checks(full_recount),
    "every check (before 941b281)": COUNTS,
}
INSERT = """
    INSERT INTO public.observations (id_datasets, geom, year_obs, id_variables, obs_value,
                                     id_taxa_obs)
    SELECT (SELECT min(id) FROM public.datasets),
           ST_SetSRID(ST_MakePoint(-72 + random() * 4, 45.5 + random() * 3), 4326), 2024, 1, 1,
           (SELECT min(id) FROM public.taxa_obs)
    FROM generate_series(1, %s)"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--observations", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--port", type=int, default=55612)
    args = parser.parse_args()
    with temporary_cluster(args.port, ["atlas"]) as (cluster, _):
        load_atlas(cluster, "atlas", args.observations, capture=True)
        with cluster.connect("atlas", autocommit=True) as conn:
            for line in change_log.build_geom_indexes(conn):
                print(f"  {line}")
            conn.execute("VACUUM ANALYZE")
        resources = {
            "atlas_db": PostgresResource(url=cluster.url("atlas")),
            "taxonomy": ChecklistResolver(),
        }
        instance = dg.DagsterInstance.ephemeral()

        def run(selection: dg.AssetSelection) -> float:
            started = time.perf_counter()
            result = dg.materialize(
                ALL, resources=resources, selection=selection, run_config=QUIET,
                instance=instance,
            )
            assert result.success
            return time.perf_counter() - started

        print(f"first build (cells, both tables, every check): {run(COUNTS):.1f} s", flush=True)
        seconds: dict[str, list[float]] = {name: [] for name in WAYS}
        for _ in range(args.repeat):
            for name, selection in WAYS.items():
                with cluster.connect("atlas", autocommit=True) as conn:
                    conn.execute(INSERT, [args.batch])
                seconds[name].append(run(selection))
                print(f"  {name}: {seconds[name][-1]:.2f} s", flush=True)
    medians = {name: statistics.median(v) for name, v in seconds.items()}
    for name, median in medians.items():
        print(f"{name}: {median:.2f} s (median of {args.repeat}, {args.batch} new observations)")
    now, before = medians.values()
    print(f"ratio before / now: {before / now:.1f}")


if __name__ == "__main__":
    main()

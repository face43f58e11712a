"""A refresh of the count tables after an edit of large regions, without a spatial index on
observations.geom (production's state: the parent's index is INVALID, the partitions have
none), against a full rebuild in the same run.

The refresh counts the changed regions again through the cells and checks them against a
direct ST_Within recount on each region's own geometry (check_regions in
sql/atlas/counts.sql). Before 2026-12-05 that check tested each observation against the
regions in turn, and an edit of the six large cadre_eco regions cost more than a rebuild.

    .venv/bin/python bench/atlas_region_edits.py [--observations 100000] [--repeat 3]

Starts its own temporary cluster (never the demo's), on the replica schema.
"""

import argparse
import statistics
import time

from common import load_atlas, temporary_cluster

from maint_assets.atlas import change_log
from maint_assets.atlas.counts import refresh
from maint_assets.core.postgres import PostgresResource

EDIT = "UPDATE public.regions SET name = name WHERE type = 'cadre_eco' AND scale = 1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--observations", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--port", type=int, default=55613)
    args = parser.parse_args()
    with temporary_cluster(args.port, ["atlas"]) as (cluster, _):
        load_atlas(cluster, "atlas", args.observations, capture=True)
        db = PostgresResource(url=cluster.url("atlas"))
        with db.connect() as conn:
            assert not all(i.valid for i in change_log.geom_indexes(conn)), "a valid index"
            refresh.refresh_counts(db, conn, full=True)  # the first build cuts the cells
            started = time.perf_counter()
            full = refresh.refresh_counts(db, conn, full=True)
            rebuild = time.perf_counter() - started
            print(f"full rebuild: {rebuild:.1f} s ({full.mode})", flush=True)
            edits = []
            for _ in range(args.repeat):
                conn.execute(EDIT)
                started = time.perf_counter()
                done = refresh.refresh_counts(db, conn)
                edits.append(time.perf_counter() - started)
                assert done.mode == "incremental" and done.check.passed, done
                print(f"refresh after the edit: {edits[-1]:.1f} s, "
                      f"{done.regions_recounted} regions recounted", flush=True)
        median = statistics.median(edits)
        print(f"refresh after the edit / full rebuild: {median:.1f} / {rebuild:.1f} s = "
              f"{median / rebuild:.3f}")


if __name__ == "__main__":
    main()

"""What the benchmarks share: a temporary cluster (never the demo's) with generated data."""

import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from maint_assets.atlas.change_log import install_capture
from maint_assets.atlas.demo_data import DemoSummary, load_demo_data
from maint_assets.core.schema import apply_schema
from maint_assets.demo.local_cluster import LocalCluster


@contextmanager
def temporary_cluster(port: int, databases: list[str]) -> Iterator[tuple[LocalCluster, Path]]:
    # An interrupted benchmark must still stop its cluster and free its disk.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    home = Path(tempfile.mkdtemp(prefix="maint-assets-bench-"))
    home.chmod(0o755)
    cluster = LocalCluster(home=home / "pg", port=port)
    cluster.up(databases)
    os.environ.update(cluster.client_env())
    try:
        yield cluster, home
    finally:
        cluster.destroy()
        shutil.rmtree(home, ignore_errors=True)


def load_atlas(
    cluster: LocalCluster, database: str, observations: int, capture: bool
) -> DemoSummary:
    with cluster.connect(database, autocommit=True) as conn:
        apply_schema(conn, "atlas")
        if capture:
            install_capture(conn)
        summary = load_demo_data(conn, observations=observations, seed=1)
    print(
        f"demo data: {summary.observations:,} observations, {summary.regions:,} regions in "
        f"{summary.seconds:.1f} s = {summary.rows_per_second:,.0f} observations/s",
        flush=True,
    )
    return summary

"""What the benchmarks share: a temporary cluster (never the demo's) with generated data, on
the project's replica of the atlas schema or on the real production schema dump."""

import argparse
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from psycopg import sql

from maint_assets.atlas.change_log import install_capture
from maint_assets.core.schema import apply_schema
from maint_assets.demo import atlas_real_schema as real_schema
from maint_assets.demo.atlas_data import DemoSummary, load_demo_data
from maint_assets.demo.atlas_replica import apply_replica
from maint_assets.demo.local_cluster import LocalCluster

# Run config that sets Dagster's console logger to WARNING: its DEBUG lines would bury the
# measurements.
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@contextmanager
def temporary_cluster(
    port: int, databases: list[str], shared_buffers: str | None = None
) -> Iterator[tuple[LocalCluster, Path]]:
    """A cluster of the local cluster's settings (maint_assets/demo/local_cluster.py), or with
    ``shared_buffers`` instead of its 1 GB."""
    # An interrupted benchmark must still stop its cluster and free its disk.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    home = Path(tempfile.mkdtemp(prefix="maint-assets-bench-"))
    home.chmod(0o755)
    cluster = LocalCluster(home=home / "pg", port=port)
    cluster.up(databases)
    if shared_buffers is not None:
        with cluster.connect(autocommit=True) as conn:
            conn.execute(
                sql.SQL("ALTER SYSTEM SET shared_buffers = {}").format(sql.Literal(shared_buffers))
            )
        cluster.down()  # the setting takes effect at the next start
        cluster.up(databases)
    os.environ.update(cluster.client_env())
    try:
        yield cluster, home
    finally:
        cluster.destroy()
        shutil.rmtree(home, ignore_errors=True)


def schema_arguments(parser: argparse.ArgumentParser) -> None:
    """--real-schema and where its dump comes from (see maint_assets/demo/atlas_real_schema.py)."""
    parser.add_argument(
        "--real-schema",
        action="store_true",
        help="load production's schema dump (fetched, never committed) instead of the replica",
    )
    parser.add_argument("--dump", type=Path, help="the real schema dump file")
    parser.add_argument("--git-dir", type=Path, help="a git mirror of atlas-db holding the dump")


def load_atlas(
    cluster: LocalCluster,
    database: str,
    observations: int,
    capture: bool,
    args: argparse.Namespace | None = None,
) -> DemoSummary:
    """The atlas schema (the replica, or with ``args.real_schema`` production's dump plus
    maint_assets' bookkeeping), optionally the change capture, then the generated data."""
    real = args is not None and args.real_schema
    if real:
        real_schema.load(cluster.url(database), real_schema.dump_text(args.dump, args.git_dir))
    with cluster.connect(database, autocommit=True) as conn:
        if real:
            apply_schema(conn, "atlas", bookkeeping_only=True)
        else:
            apply_replica(conn)
        if capture:
            install_capture(conn)
        summary = load_demo_data(conn, observations=observations, seed=1)
    print(
        f"{'real' if real else 'replica'} schema; demo data: {summary.observations:,} "
        f"observations, {summary.regions:,} regions in {summary.seconds:.1f} s = "
        f"{summary.rows_per_second:,.0f} observations/s",
        flush=True,
    )
    return summary

"""The web archive's hourly work, measured side by side in one run:

1. CDX indexing throughput: the ``cdx_index`` asset (Dagster, in-process: WARC checks, one
   worker per core, sorted CDXJ merged and published, TrackDB updated) against the plain
   ``cdxj-indexer`` command on the same WARCs, run alternately;
2. an hourly run with nothing new (TrackDB refresh from a full listing, then ``cdx_index``)
   over 100 000 tracked, already indexed files.

    .venv/bin/python bench/webarchive.py [--warcs 16] [--records 4000] [--repeat 3]
                                         [--tracked 100000] [--parts throughput,idle]

It starts its own temporary cluster (never the demo's).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg
from common import temporary_cluster

from maint_assets.core.postgres import PostgresResource
from maint_assets.core.stores import FileStore
from maint_assets.webarchive import cdx, trackdb
from maint_assets.webarchive.demo_data import JOB, Capture, write_warc
from maint_assets.webarchive.indexing import RECORDS
from maint_assets.webarchive.resources import CdxSettings


def write_warcs(root: Path, warcs: int, records: int) -> int:
    folder = root / "heritrix" / "output" / JOB / "20261101060000" / "warcs"
    for w in range(warcs):
        write_warc(
            folder
            / f"BL-{JOB}-202611{1 + w // 24:02d}{w % 24:02d}0000000-{w:05d}-1~bench~8443.warc.gz",
            [
                Capture(
                    f"https://site{i % 97}.example.org/page/{w}/{i}",
                    f"20261101{w % 24:02d}{i // 60 % 60:02d}{i % 60:02d}",
                    b"<html>" + b"x" * (300 + i % 1500) + b"</html>",
                )
                for i in range(records)
            ],
        )
    return warcs * records


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warcs", type=int, default=16)
    parser.add_argument("--records", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tracked", type=int, default=100_000)
    parser.add_argument("--parts", default="throughput,idle")
    parser.add_argument("--port", type=int, default=55472)
    args = parser.parse_args()
    with temporary_cluster(args.port, ["webarchive", "idle"]) as (cluster, home):
        if "throughput" in args.parts:
            throughput(cluster.url("webarchive"), home, args)
        if "idle" in args.parts:
            idle_run(cluster.url("idle"), home, args.tracked)


def throughput(url: str, home: Path, args: argparse.Namespace) -> None:
    root = home / "warcs"
    started = time.perf_counter()
    total = write_warcs(root, args.warcs, args.records)
    size = sum(p.stat().st_size for p in root.rglob("*.warc.gz"))
    print(
        f"{args.warcs} WARCs, {total:,} records, {size / 2**20:.1f} MiB written in "
        f"{time.perf_counter() - started:.1f} s; {os.cpu_count()} cores",
        flush=True,
    )
    db = PostgresResource(url=url)
    out = home / "collections"
    res = {
        "webarchive_db": db,
        "warc_store": FileStore(url=str(root)),
        "cdx": CdxSettings(cdxj_dir=str(out)),
    }
    dg.materialize([trackdb.trackdb_files], resources=res)
    warcs = sorted(str(p) for p in root.rglob("*.warc.gz"))
    cli, ours = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            subprocess.run(
                [
                    str(Path(sys.executable).parent / "cdxj-indexer"),
                    "--records",
                    RECORDS,
                    "-o",
                    f"{tmp}/all.cdxj",
                    *warcs,
                ],
                check=True,
            )
            cli.append(time.perf_counter() - started)
        with db.connect() as conn:
            conn.execute("UPDATE webarchive.trackdb_files SET cdx_indexed_at = NULL")
        for part in out.rglob("*.cdxj"):
            part.unlink()
        started = time.perf_counter()
        result = dg.materialize([cdx.cdx_index], resources=res)
        ours.append(time.perf_counter() - started)
        indexed = next(
            e.materialization.metadata["records"].value
            for e in result.get_asset_materialization_events()
        )
        assert indexed == total, (indexed, total)
    c, o = statistics.median(cli), statistics.median(ours)
    print(
        f"cdxj-indexer command: {', '.join(f'{t:.2f}' for t in cli)} s -> median {c:.2f} s "
        f"= {total / c:,.0f} records/s"
    )
    print(
        f"cdx_index asset:      {', '.join(f'{t:.2f}' for t in ours)} s -> median {o:.2f} s "
        f"= {total / o:,.0f} records/s"
    )
    print(f"throughput ratio asset / command: {c / o:.2f} (target >= 1.5)", flush=True)


def idle_run(url: str, home: Path, tracked: int) -> None:
    root = home / "many"
    started = time.perf_counter()
    for i in range(tracked):
        folder = root / "heritrix" / "output" / JOB / f"2026{i // 1000:010d}" / "warcs"
        if i % 1000 == 0:
            folder.mkdir(parents=True)
        (folder / f"BL-{JOB}-20261101000000000-{i:06d}-1~idle~8443.warc.gz").touch()
    print(f"{tracked:,} files created in {time.perf_counter() - started:.1f} s", flush=True)
    db = PostgresResource(url=url)
    res = {
        "webarchive_db": db,
        "warc_store": FileStore(url=str(root)),
        "cdx": CdxSettings(cdxj_dir=str(home / "idle-collections")),
    }
    dg.materialize([trackdb.trackdb_files], resources=res)
    with db.connect() as conn:  # as if every file had been indexed already
        conn.execute("UPDATE webarchive.trackdb_files SET cdx_indexed_at = now()")
        conn.execute("VACUUM ANALYZE webarchive.trackdb_files")
    times = []
    for _ in range(3):
        started = time.perf_counter()
        result = dg.materialize([trackdb.trackdb_files, cdx.cdx_index], resources=res)
        times.append(time.perf_counter() - started)
        meta = {
            e.asset_key.path[-1]: {k: v.value for k, v in e.materialization.metadata.items()}
            for e in result.get_asset_materialization_events()
        }
        assert meta["trackdb_files"]["new"] == 0 and meta["index"]["warcs_indexed"] == 0
        steps = {
            e.step_key: e.event_specific_data.duration_ms / 1000
            for e in result.all_events
            if e.event_type_value == "STEP_SUCCESS"
        }
    print(
        f"hourly run with nothing new over {tracked:,} tracked files: "
        f"{', '.join(f'{t:.2f}' for t in times)} s (whole in-process run, target < 2 s); "
        f"steps of the last: " + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items())
    )


if __name__ == "__main__":
    main()

"""The web archive's hourly work, measured side by side in one run:

1. ``throughput``: the ``cdx_index`` asset (Dagster, in-process: every file read whole, one
   worker per core, sorted CDXJ segment published, TrackDB and the ledger updated) against the
   plain ``cdxj-indexer`` command on the same WARCs, run alternately;
2. ``idle``: an hourly run with nothing new over a collection of ``--tracked`` WARCs already
   indexed (TrackDB refresh from a full listing, ``cdx_index``, and its checks, among them the
   verification that sampled lines resolve to their record);
3. ``removal``: ``--deleted`` of those WARCs deleted from the store, then the hourly pair
   removes their lines from the index (the segments holding them rewritten).

The collection of parts 2 and 3 is ``--tracked`` copies of one real-size WARC of
``--lines`` records in 100 job folders, indexed once by the asset itself (its lines then copied
for the others, as they differ only in file name) into segments of ``--per-segment`` WARCs, as
successive hourly runs and compaction leave them.

    .venv/bin/python bench/webarchive.py [--parts throughput,idle,removal] [--warcs 16]
        [--records 4000] [--repeat 3] [--tracked 100000] [--lines 10] [--deleted 1000]
        [--per-segment 12500]
    .venv/bin/python bench/webarchive.py --short      # a quick run of every part

It starts its own temporary cluster (never the demo's).
"""

import argparse
import json
import os
import random
import resource
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
from maint_assets.demo.webarchive_data import JOB, Capture, write_warc
from maint_assets.webarchive.assets import cdx_index, trackdb
from maint_assets.webarchive.cdx_segments import Ledger, Segment
from maint_assets.webarchive.indexing import RECORDS
from maint_assets.webarchive.resources import CdxSettings

FOLDER = f"heritrix/output/{JOB}/20261101060000/warcs"


def write_warcs(root: Path, warcs: int, records: int) -> int:
    for w in range(warcs):
        write_warc(
            root / FOLDER
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
    parser.add_argument("--parts", default="throughput,idle,removal")
    parser.add_argument("--warcs", type=int, default=16)
    parser.add_argument("--records", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tracked", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--deleted", type=int, default=1000)
    parser.add_argument("--per-segment", type=int, default=12_500)
    parser.add_argument("--port", type=int, default=55472)
    parser.add_argument("--short", action="store_true", help="small sizes, every part")
    args = parser.parse_args()
    if args.short:
        args.warcs, args.records, args.repeat = 4, 1000, 1
        args.tracked, args.deleted, args.per_segment = 5000, 100, 1000
    with temporary_cluster(args.port, ["webarchive", "many"]) as (cluster, home):
        if "throughput" in args.parts:
            throughput(cluster.url("webarchive"), home, args)
        if "idle" in args.parts or "removal" in args.parts:
            res = collection(cluster.url("many"), home, args)
            if "idle" in args.parts:
                idle_run(res, args.tracked)
            if "removal" in args.parts:
                removal(res, home / "many", args)


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
    res = {"webarchive_db": db, "warc_store": FileStore(url=str(root)),
           "cdx": CdxSettings(cdxj_dir=str(out))}
    dg.materialize([trackdb.trackdb_files], resources=res)
    warcs = sorted(str(p) for p in root.rglob("*.warc.gz"))
    cli, ours, cli_cpu, ours_cpu = [], [], [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            started, cpu = time.perf_counter(), _cpu()
            subprocess.run(
                [str(Path(sys.executable).parent / "cdxj-indexer"), "--records", RECORDS,
                 "-o", f"{tmp}/all.cdxj", *warcs],
                check=True,
            )
            cli.append(time.perf_counter() - started)
            cli_cpu.append(_cpu(cpu))
        with db.connect() as conn:  # as if nothing had been indexed
            conn.execute("UPDATE webarchive.trackdb_files "
                         "SET cdx_indexed_at = NULL, cdx_segment = NULL")
            conn.execute("DELETE FROM webarchive.cdx_segments")
        for part in out.rglob("*.cdxj"):
            part.unlink()
        started, cpu = time.perf_counter(), _cpu()
        result = dg.materialize([cdx_index.cdx_index], resources=res)
        ours.append(time.perf_counter() - started)
        ours_cpu.append(_cpu(cpu))
        indexed = _meta(result)["cdx_index"]["records"]
        assert indexed == total, (indexed, total)
    c, o = statistics.median(cli), statistics.median(ours)
    for name, times, median in (("cdxj-indexer command", cli, c), ("cdx_index asset", ours, o)):
        print(f"{name:21} {_times(times)} s -> median {median:.2f} s = "
              f"{total / median:,.0f} records/s")
    # CPU seconds do not depend on what else the machine runs: the asset's total against the
    # command's is the price of its checks, sorting and bookkeeping, apart from parallelism.
    for name, spent in (("command CPU", cli_cpu), ("asset CPU", ours_cpu)):
        print(f"{name:21} " + "; ".join(
            f"{own:.2f} s own + {kids:.2f} s children" for own, kids in spent
        ))
    cpu_c = statistics.median(sum(t) for t in cli_cpu)
    cpu_o = statistics.median(sum(t) for t in ours_cpu)
    print(f"CPU seconds asset / command: {cpu_o / cpu_c:.2f}; cores the asset got: "
          f"{cpu_o / o:.2f}; load average {os.getloadavg()[0]:.2f}")
    print(f"throughput ratio asset / command: {c / o:.2f} (target >= 1.5)", flush=True)


def collection(url: str, home: Path, args: argparse.Namespace) -> dict:
    """``--tracked`` indexed WARCs: one indexed by the asset, the others copies of it."""
    root = home / "many"
    started = time.perf_counter()
    template = home / "template.warc.gz"
    write_warc(template, [
        Capture(f"https://site.example.org/page/{i}", f"20261101{i // 3600 % 24:02d}"
                f"{i // 60 % 60:02d}{i % 60:02d}", b"<html>" + b"y" * (300 + 37 * i) + b"</html>")
        for i in range(args.lines)
    ])
    data = template.read_bytes()
    paths = []
    for i in range(args.tracked):
        folder = f"heritrix/output/{JOB}/2026{i // 1000:010d}/warcs"
        if i % 1000 == 0:
            (root / folder).mkdir(parents=True)
        path = f"{folder}/BL-{JOB}-20261101000000000-{i:06d}-1~many~8443.warc.gz"
        (root / path).write_bytes(data)
        paths.append(path)
    db = PostgresResource(url=url)
    res = {"webarchive_db": db, "warc_store": FileStore(url=str(root)),
           "cdx": CdxSettings(cdxj_dir=str(home / "many-collections"), max_index_files=16)}
    first = dg.materialize([trackdb.trackdb_files, cdx_index.cdx_index], resources=res,
                           run_config=_batch(1))
    assert _meta(first)["cdx_index"]["warcs_indexed"] == 1
    with db.connect() as conn:
        ledger = Ledger(conn, str(root), "cdxj", Path(res["cdx"].cdxj_dir))
        (seed,) = ledger.live()
        lines = ledger.file(seed).read_text().splitlines(keepends=True)
        indexed = conn.execute("SELECT path FROM webarchive.trackdb_files WHERE cdx_segment "
                               "IS NOT NULL").fetchone()[0]
        suffix = json.dumps(indexed)
        for start in range(0, len(paths), args.per_segment):
            chunk = paths[start:start + args.per_segment]
            segment = ledger.begin("npld")
            with ledger.file(segment).open("w") as out:
                for line in sorted(line.replace(suffix, json.dumps(p))
                                   for p in chunk for line in lines):
                    out.write(line)
            size = ledger.file(segment).stat().st_size
            segment = Segment(segment.name, "npld", len(chunk) * len(lines), size)
            with db.transaction(conn) as tx:
                ledger.make_live(tx, segment)
                tx.execute("UPDATE webarchive.trackdb_files SET cdx_segment = %s, "
                           "cdx_indexed_at = now(), cdx_records = %s WHERE path = ANY(%s)",
                           [segment.name, len(lines), chunk])
        ledger.retire(conn, [seed])
        ledger.forget([seed])
        conn.execute("VACUUM ANALYZE webarchive.trackdb_files")
    index_bytes = sum(p.stat().st_size for p in Path(res["cdx"].cdxj_dir).rglob("*.cdxj"))
    print(f"collection: {args.tracked:,} WARCs of {len(lines)} records, "
          f"{args.tracked * len(lines):,} index lines ({index_bytes / 2**20:.0f} MiB) in "
          f"{-(-args.tracked // args.per_segment)} segments, built in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    return res


def idle_run(res: dict, tracked: int) -> None:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        result = dg.materialize(
            [trackdb.trackdb_files, cdx_index.cdx_index], resources=res,
        )
        times.append(time.perf_counter() - started)
        meta = _meta(result)
        assert meta["trackdb_files"]["new"] == 0 and meta["cdx_index"]["warcs_indexed"] == 0
        verified = {e.check_name: e for e in result.get_asset_check_evaluations()}
        resolve = verified["index_lines_resolve"]
        assert resolve.passed, resolve.metadata["problems"].value
    print(
        f"hourly run with nothing new over {tracked:,} indexed WARCs, verification on "
        f"({resolve.metadata['lines_checked'].value} lines resolved): {_times(times)} s "
        f"(whole in-process run, target < 2 s); steps of the last: {_steps(result)}",
        flush=True,
    )


def removal(res: dict, root: Path, args: argparse.Namespace) -> None:
    paths = sorted(str(p.relative_to(root)) for p in root.rglob("*.warc.gz"))
    gone = random.Random(1).sample(paths, args.deleted)
    for path in gone:
        (root / path).unlink()
    started = time.perf_counter()
    result = dg.materialize(
        [trackdb.trackdb_files, cdx_index.cdx_index], resources=res
    )
    took = time.perf_counter() - started
    meta = _meta(result)["cdx_index"]
    assert meta["warcs_removed"] == args.deleted, meta
    assert all(e.passed for e in result.get_asset_check_evaluations()
               if e.check_name == "index_lines_resolve")
    print(
        f"removal of the lines of {args.deleted:,} deleted WARCs (spread over every segment) "
        f"from {len(paths):,}: {took:.2f} s for the hourly run ({meta['lines_removed']:,} lines "
        f"removed); steps: {_steps(result)}",
        flush=True,
    )


def _batch(size: int) -> dict:
    return {"ops": {"webarchive__index__cdx_index": {"config": {"batch_size": size}}}}


def _meta(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    return {
        e.asset_key.path[-1]: {k: v.value for k, v in e.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
    }


def _steps(result: dg.ExecuteInProcessResult) -> str:
    return ", ".join(
        f"{e.step_key} {e.event_specific_data.duration_ms / 1000:.2f} s"
        for e in result.all_events if e.event_type_value == "STEP_SUCCESS"
    )


def _cpu(since: tuple[float, float] | None = None) -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its waited-for children."""
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    now = (own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime)
    return now if since is None else (now[0] - since[0], now[1] - since[1])


def _times(values: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in values)


if __name__ == "__main__":
    main()

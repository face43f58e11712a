"""The production switch under load, measured in one run: 5 000 000 rows over three tables in
each of two versions, 20 switches between them (the asset's own ``switch``, users' table
carried over each time) while two readers query production in a loop.

    .venv/bin/python bench/ingest.py [--studies 1000] [--samples 1000] [--objects 4] \
        [--switches 20] [--lock-waits 50,200]

Prints how long each switch's call took (from its start, before its first lock, to the commit)
and the readers' longest, 99th-percentile and median reads and their errors: a read waits for the
switch's locks. The switches alternate between the lock waits given (the ingest resource's
``switch_lock_wait_ms``), and each read overlapping a switch counts for that switch's wait, so
the settings are compared side by side in one run. It starts its own temporary cluster (never
the demo's).
"""

import argparse
import statistics
import threading
import time

import dagster as dg
import psycopg
from common import temporary_cluster

from maint_assets.core.postgres import PostgresResource
from maint_assets.demo.ingest_data import DEMO_TABLES_FILE, write_source
from maint_assets.ingest import assets, switching
from maint_assets.ingest.resources import IngestSettings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--studies", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--objects", type=int, default=4)
    parser.add_argument("--switches", type=int, default=20)
    parser.add_argument("--lock-waits", default="50,200", help="ms, alternated")
    parser.add_argument("--port", type=int, default=55475)
    args = parser.parse_args()
    with temporary_cluster(args.port, ["portal"]) as (cluster, home):
        url = cluster.url("portal")
        db = PostgresResource(url=url, statement_timeout_s=3600)
        source = home / "source"
        settings = IngestSettings(tables_file=str(DEMO_TABLES_FILE), source_url=str(source))
        res = {"ingest_db": db, "ingest": settings}
        for version in (1, 2):
            rows = write_source(source, args.studies, args.samples, args.objects, version)
            started = time.perf_counter()
            keys = (
                [assets.ingest_staging] if version == 2
                else [assets.ingest_staging, assets.ingest_production]
            )
            # the switch is destructive: it needs its confirmation (the weekly schedule's)
            confirm = {"confirm_production": settings.spec().production}
            run_config = {"ops": {assets.ingest_production.op.name: {"config": confirm}}}
            assert dg.materialize(
                keys, resources=res, run_config=run_config if version == 1 else None
            ).success
            print(
                f"version {version}: {sum(rows.values()):,} rows {rows} ingested in "
                f"{time.perf_counter() - started:.1f} s",
                flush=True,
            )
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE portal.submissions (id serial PRIMARY KEY, body text)")
            conn.execute(
                "INSERT INTO portal.submissions (body) SELECT 'x' FROM generate_series(1, 10000)"
            )
        spec = settings.spec()
        stop, errors, reads = threading.Event(), [], []

        def read() -> None:
            with psycopg.connect(url, autocommit=True) as conn:
                while not stop.is_set():
                    try:
                        began = time.perf_counter()
                        conn.execute(
                            "SELECT count(*) FROM portal.study s JOIN portal.biosample b "
                            "ON b.study_id = s.id WHERE s.id = 'st-7'"
                        ).fetchone()
                        conn.execute("SELECT count(*) FROM portal.submissions").fetchone()
                        reads.append((began, time.perf_counter()))
                    except psycopg.Error as err:
                        errors.append(str(err).splitlines()[0])

        readers = [threading.Thread(target=read) for _ in range(2)]
        for r in readers:
            r.start()
        waits = [int(w) for w in args.lock_waits.split(",")]
        switches: list[tuple[int, float, float]] = []  # lock wait, start, end (after commit)
        names = [spec.staging, f"{spec.production}__other"]
        try:
            for i in range(args.switches):
                time.sleep(0.2)
                incoming, outgoing = names[i % 2], names[(i + 1) % 2]
                wait = waits[i % len(waits)]
                with db.locked_transaction("bench") as conn:
                    started = time.perf_counter()
                    switching.switch(
                        conn, spec, incoming, outgoing, "bench", "previous",
                        attempts=db.exclusive_lock_attempts, lock_wait_ms=wait,
                    )
                    conn.execute("DELETE FROM maint_assets.ingest_versions")
                switches.append((wait, started, time.perf_counter()))
        finally:
            stop.set()
            for r in readers:
                r.join()
    print(f"{len(reads):,} reads (two queries each), {len(errors)} errors (target 0)"
          + (f"; first: {errors[0]}" if errors else ""))
    # The switch's call includes what it does before its first lock (waiting out older
    # snapshots, reading the catalogue): the reads overlapping it show what its locks cost.
    for wait in waits:
        mine = [(s, e) for w, s, e in switches if w == wait]
        if not mine:
            print(f"lock wait {wait} ms: no switch (give --switches at least {len(waits)})")
            continue
        calls = [(e - s) * 1000 for s, e in mine]
        during = [(e - b) * 1000 for b, e in reads if any(b < se and e > ss for ss, se in mine)]
        if len(during) < 2:
            print(f"lock wait {wait} ms: {len(mine)} switches, {len(during)} reads during them")
            continue
        print(
            f"lock wait {wait} ms: {len(mine)} switches, each call from start to commit "
            f"median {statistics.median(calls):.1f} ms (max {max(calls):.1f}); "
            f"{len(during):,} reads during them: longest {max(during):.1f} ms, "
            f"p99 {statistics.quantiles(during, n=100)[98]:.1f} ms, median "
            f"{statistics.median(during):.1f} ms (target: none over 100 ms)"
        )


if __name__ == "__main__":
    main()

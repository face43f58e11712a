"""Backups, measured side by side in one run:

1. the atlas dump assets (through Dagster, in-process, local artifact store: snapshot, row
   counts, SHA-256, manifest, retention included) against the plain commands writing the same
   dumps (pg_dump with the same flags; psql and \\copy for the three tables of the sample),
   run alternately;
2. peak memory of the process that uploads a 1 GiB dump to S3 (moto's server over HTTP, in
   another process) through the artifact store, against the same process before uploading.

    .venv/bin/python bench/backups.py [--observations 1000000] [--sample-rows 1000000]
                                      [--repeat 3] [--upload-mib 1024]

It starts its own temporary cluster (never the demo's).
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg
from common import load_atlas, temporary_cluster

from maint_assets.atlas import keys
from maint_assets.atlas.assets import dumps as dump_assets
from maint_assets.atlas.assets import sources, taxonomy
from maint_assets.atlas.backups.dumps import REFERENCE_TABLES
from maint_assets.atlas.taxonomy.checklist import ChecklistResolver
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.pg_tools import client_env, tool_path
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement

DUMPS = [
    keys.SCHEMA_DUMP,
    keys.REFERENCE_DATA_DUMP,
    keys.REGIONS_DUMP,
    keys.OBSERVATIONS_SAMPLE_DUMP,
]


def _sample_script(out: Path, sample_rows: int) -> Path:
    """The sample as an operator would take it with psql: the same id selection and the same
    three copies (efforts, observations, obs_efforts), each to a file."""
    lines = [
        statement(keys.SQL_DUMPS, "sample_ids")
        .replace("%(seed)s", "1")
        .replace("%(rows)s", str(sample_rows))
        .replace("ON COMMIT DROP", "")
    ]
    for name in ("copy_efforts", "copy_observations", "copy_obs_efforts"):
        one_line = " ".join(statement(keys.SQL_DUMPS, name).split()).rstrip(";")
        copy = one_line.replace("COPY (", "\\copy (", 1)
        lines.append(copy.replace("TO STDOUT", f"TO '{out / name}'"))
    script = out / "sample.psql"
    script.write_text("\n".join(lines) + "\n")
    return script


def plain_commands(url: str, out: Path, sample_rows: int) -> None:
    """What an operator would run by hand for the same four dumps."""
    env = client_env(url)
    pg_dump, psql = str(tool_path("pg_dump", 15)), str(tool_path("psql", 15))
    common = ["--no-owner", "--no-privileges"]
    runs = [
        [
            pg_dump,
            *common,
            "--schema-only",
            "--exclude-schema=maint_assets_build",
            "-f",
            str(out / "schema.sql"),
        ],
        [
            pg_dump,
            *common,
            "--data-only",
            "--format=custom",
            "--strict-names",
            *(f"--table={t}" for t in REFERENCE_TABLES),
            "-f",
            str(out / "reference.dump"),
        ],
        [
            pg_dump,
            *common,
            "--data-only",
            "--format=custom",
            "--compress=6",
            "--table=public.regions",
            "-f",
            str(out / "regions.dump"),
        ],
        [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(_sample_script(out, sample_rows))],
    ]
    for argv in runs:
        subprocess.run(argv, env=env, check=True)


def dumps_vs_plain(cluster, repeat: int, sample_rows: int) -> None:
    url = cluster.url("atlas")
    with tempfile.TemporaryDirectory() as tmp:
        resources = {
            "atlas_db": PostgresResource(url=url),
            "taxonomy": ChecklistResolver(),
            "artifacts": ArtifactStore(directory=str(Path(tmp) / "store")),
        }
        assets = [*sources.ALL, *taxonomy.ASSETS, *dump_assets.ASSETS]
        selection = dg.AssetSelection.assets(*DUMPS).without_checks()
        sample = {"config": {"rows": sample_rows}}
        config = {"ops": {"atlas_snapshot_dumps": sample}}
        plain, dagster = [], []
        for _ in range(repeat):
            out = Path(tmp) / "plain"
            out.mkdir(exist_ok=True)
            started = time.perf_counter()
            plain_commands(url, out, sample_rows)
            plain.append(time.perf_counter() - started)
            started = time.perf_counter()
            result = dg.materialize(
                assets, resources=resources, selection=selection, run_config=config
            )
            dagster.append(time.perf_counter() - started)
            assert result.success
        sizes = {p.name: p.stat().st_size for p in (Path(tmp) / "plain").iterdir()}
    print(f"four atlas dumps ({sizes}):")
    print("  plain commands  " + "  ".join(f"{t:6.2f} s" for t in plain))
    print("  dump assets     " + "  ".join(f"{t:6.2f} s" for t in dagster))
    ratio = statistics.median(dagster) / statistics.median(plain)
    print(f"  ratio of medians assets/plain {ratio:6.3f}   (target <= 1.1)", flush=True)


UPLOADER = """
import os, resource, sys
from pathlib import Path
from maint_assets.core.artifacts import ArtifactStore
store = ArtifactStore(bucket="bench", endpoint_url=sys.argv[2])
store.describe()  # imports boto3 and builds the client before the baseline
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
artifact = store.put(Path(sys.argv[1]), "bench", "big.dump", {})
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(baseline // 1024, peak // 1024, artifact.size)
"""


def upload_memory(mib: int) -> None:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        import boto3

        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(
            Bucket="bench"
        )
        with tempfile.TemporaryDirectory() as tmp:
            big = Path(tmp) / "big.dump"
            with big.open("wb") as f:
                for _ in range(mib):
                    f.write(os.urandom(1024 * 1024))
            started = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", UPLOADER, str(big), endpoint],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            took = time.perf_counter() - started
        baseline, peak, size = map(int, out)
    finally:
        server.stop()
    print(
        f"upload of a {size / 2**20:.0f} MiB dump to S3 through the artifact store "
        f"({took:.1f} s, checksum included):"
    )
    print(
        f"  uploading process: {baseline} MiB before, peak {peak} MiB: "
        f"{peak - baseline} MiB for the upload   (target: peak <= 200 MB)"
    )
    print(
        f"  (this script's own peak: "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB, holds the S3 server)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--sample-rows", type=int, default=1_000_000, help="observations in the sample dump"
    )
    parser.add_argument("--upload-mib", type=int, default=1024)
    parser.add_argument("--parts", default="dumps,upload")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if "dumps" in parts:
        with temporary_cluster(55496, ["atlas"]) as (cluster, _home):
            load_atlas(cluster, "atlas", args.observations, capture=True)
            dumps_vs_plain(cluster, args.repeat, args.sample_rows)
    if "upload" in parts:
        upload_memory(args.upload_mib)


if __name__ == "__main__":
    main()

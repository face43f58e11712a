"""The catalogue chain, measured side by side in one run:

1. loading 1 000 000 clean rows: the ``catalog/public/datasets`` asset (Dagster, in-process:
   checksum-verified fetch, COPY beside the live table, blocking checks, index, swap) against
   ``psql \\copy`` of the same file into the same empty table, and against
   ``pandas.DataFrame.to_sql`` (SQLAlchemy, psycopg) of the same rows;
2. peak memory (max RSS) of a process that runs extract + transform on 200 000 datasets in
   DCAT JSON-LD pages, against the same process before it starts them.

    .venv/bin/python bench/catalog.py [--rows 1000000] [--datasets 200000] [--repeat 4]
                                      [--parts load,memory]

It starts its own temporary cluster (never the demo's).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
from common import temporary_cluster

from maint_assets.catalog import clean, keys
from maint_assets.catalog.assets.public_datasets import public_datasets
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.pg_tools import client_env, tool_path
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.refresh import start_rebuild
from maint_assets.demo.catalog_data import write_pages


def clean_rows(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    codes = rng.integers(1000, 95999, n).astype(str)
    return pd.DataFrame(
        {
            "identifier": [f"ds-{i:08d}" for i in range(n)],
            "uri": [f"https://catalogue.example.fr/dataset/{i}" for i in range(n)],
            "title": [f"Jeu de données {i}" for i in range(n)],
            "description": "Description d'un jeu de données du catalogue, assez réaliste.",
            "modified": pd.Timestamp("2024-05-01").date(),
            "publisher": [f"DDT {c[:2]}" for c in codes],
            "licence": "etalab-2.0",
            "licence_source": "https://www.etalab.gouv.fr/licence-ouverte",
            "open_access": True,
            "access_rights": "Pas de restriction d'accès public",
            "themes": [["http://inspire.ec.europa.eu/theme/hy"]] * n,
            "keywords": [["eau", "inondation"]] * n,
            "communes": [[c.zfill(5)] for c in codes],
            "departements": [[c.zfill(5)[:2]] for c in codes],
            "geo_coverage": "Communale",
            "temporal_start": pd.Timestamp("2020-01-01").date(),
            "temporal_end": pd.Timestamp("2023-12-31").date(),
            "distributions": 2,
            "formats": [["CSV", "GeoJSON"]] * n,
            "contact_point": "contact@example.fr",
            "status": "Completed",
            "natural_risk": True,
            "completeness": 100.0,
            "page": "catalog-page-00001.jsonld",
        }
    )[clean.COLUMNS]


def load(cluster, home: Path, rows: int, repeats: int) -> None:
    csv = home / "datasets.csv"
    df = clean_rows(rows)
    clean.to_copy_csv(df, str(csv))
    print(f"{rows:,} clean rows, CSV {csv.stat().st_size / 2**20:.0f} MiB", flush=True)
    url = cluster.url("catalog")
    db = PostgresResource(url=url, statement_timeout_s=3600)
    artifacts = ArtifactStore(directory=str(home / "artifacts"))
    psql = tool_path("psql", 15)
    times: dict[str, list[float]] = {"psql": [], "asset": []}
    instance = dg.DagsterInstance.ephemeral()
    for repeat in range(repeats):
        with db.connect() as conn:  # the same empty table, built by the asset's own SQL
            conn.execute("CREATE SCHEMA IF NOT EXISTS maint_assets_build")
            with conn.transaction():
                start_rebuild(conn, "datasets", keys.SQL_DATASETS)
                conn.execute("DROP TABLE IF EXISTS public.bench_copy")
                conn.execute("ALTER TABLE maint_assets_build.datasets RENAME TO bench_copy")
                conn.execute("ALTER TABLE maint_assets_build.bench_copy SET SCHEMA public")
            conn.execute("CHECKPOINT")
        started = time.perf_counter()
        subprocess.run(
            [
                str(psql),
                "-v",
                "ON_ERROR_STOP=1",
                "-qc",
                f"\\copy public.bench_copy FROM '{csv}' WITH (FORMAT csv, HEADER true)",
            ],
            env=client_env(url),
            check=True,
        )
        times["psql"].append(time.perf_counter() - started)
        # The asset replaces public.datasets (absent on the first run, full on the second).
        staged = home / f"datasets-{repeat}.csv"
        staged.write_bytes(csv.read_bytes())
        put = artifacts.put(staged, keys.CLEAN_FOLDER, "datasets.csv", {"rows": rows})
        # The load reads the file datasets_clean recorded: record the staged one as its output.
        instance.report_runless_asset_event(
            dg.AssetMaterialization(keys.DATASETS_CLEAN, metadata={"artifact": put.key})
        )
        with db.connect() as conn:
            conn.execute("CHECKPOINT")
        started = time.perf_counter()
        result = dg.materialize(
            [public_datasets],
            resources={"catalog_db": db, "artifacts": artifacts},
            run_config={"ops": {"catalog__public__datasets": {"config": {"max_drop_fraction": 1}}}},
            instance=instance,
        )
        times["asset"].append(time.perf_counter() - started)
        assert result.success
        print(
            f"run {repeat + 1} ({'first load' if repeat == 0 else 'replacing'}): psql "
            f"{times['psql'][-1]:.2f} s, asset {times['asset'][-1]:.2f} s, ratio "
            f"{times['asset'][-1] / times['psql'][-1]:.2f}",
            flush=True,
        )

    ratios = sorted(a / p for a, p in zip(times["asset"][1:], times["psql"][1:], strict=True))
    print(
        f"replacing: median ratio asset / psql {ratios[len(ratios) // 2]:.2f} over "
        f"{len(ratios)} runs ({', '.join(f'{r:.2f}' for r in ratios)})",
        flush=True,
    )
    sample = min(rows, 200_000)
    engine_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    from sqlalchemy import create_engine

    engine = create_engine(engine_url)
    started = time.perf_counter()
    df.head(sample).to_sql(
        "bench_to_sql", engine, if_exists="replace", index=False, chunksize=10_000
    )
    to_sql = (time.perf_counter() - started) * rows / sample
    print(
        f"to_sql: {sample:,} rows in {to_sql * sample / rows:.1f} s -> {to_sql:.1f} s for "
        f"{rows:,} at that rate; asset speed-up {to_sql / times['asset'][-1]:.1f}x"
    )


MEMORY = """
import resource, sys, tempfile
import dagster as dg
from maint_assets.catalog.assets.datasets_clean import datasets_clean
from maint_assets.catalog.assets.raw_datasets import raw_datasets
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.stores import FileStore
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with tempfile.TemporaryDirectory() as tmp:
    result = dg.materialize([raw_datasets, datasets_clean], resources={
        "catalog_pages": FileStore(url=sys.argv[1]), "artifacts": ArtifactStore(directory=tmp)})
    assert result.success
print(base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def memory(home: Path, datasets: int) -> None:
    pages = home / "pages"
    write_pages(pages, datasets=datasets)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEMORY, str(pages)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DAGSTER_HOME": tempfile.mkdtemp()},
    )
    base, peak = map(int, done.stdout.split()[-2:])
    print(
        f"extract + transform of {datasets:,} datasets: {time.perf_counter() - started:.0f} s, "
        f"peak RSS {peak / 1024:.0f} MiB (process before: {base / 1024:.0f} MiB; target "
        f"<= 1024 MiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--datasets", type=int, default=200_000)
    parser.add_argument("--parts", default="load,memory")
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--port", type=int, default=55474)
    args = parser.parse_args()
    with temporary_cluster(args.port, ["catalog"]) as (cluster, home):
        if "load" in args.parts:
            load(cluster, home, args.rows, args.repeat)
        if "memory" in args.parts:
            memory(home, args.datasets)


if __name__ == "__main__":
    main()

"""The catalogue chain: DCAT pages → raw rows (Parquet) → clean rows (CSV for COPY) → the
``public.datasets`` table Metabase reads, swapped in whole.

Steps hand over through the artifact store (checksummed, kept by retention), so each can be
re-run alone and its input inspected. The load builds the new table beside the live one and
swaps it in only when its blocking checks pass, in the same transaction: dashboards read the
previous table until the commit, never a half-loaded or empty one.
"""

import tempfile
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
from psycopg import errors
from pydantic import Field

from maint_assets.catalog import clean as cleaning
from maint_assets.catalog.dcat import SCHEMA_RAW, MalformedPage, read_page
from maint_assets.core.artifacts import Artifact, ArtifactStore
from maint_assets.core.automation import DAILY_FRESHNESS, EAGER
from maint_assets.core.file_stores import StoreError
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.refresh import finish_rebuild, relation_state, start_rebuild
from maint_assets.core.run_config import check_run_config
from maint_assets.core.schema import apply_schema
from maint_assets.core.sql_files import compose
from maint_assets.core.stores import FileStore

PAGES = dg.AssetKey(["catalog", "source", "pages"])
RAW = dg.AssetKey(["catalog", "raw_datasets"])
CLEAN = dg.AssetKey(["catalog", "datasets_clean"])
TABLE = dg.AssetKey(["catalog", "public", "datasets"])
GROUP, POOL, SQL = "catalog", "catalog_db", "catalog/datasets"
RAW_FOLDER, CLEAN_FOLDER = "catalog/raw_datasets", "catalog/datasets_clean"
_BLOCK = 1 << 20

pages = dg.AssetSpec(
    PAGES,
    group_name=GROUP,
    kinds={"s3"},
    description="The catalogue's DCAT JSON-LD pages under a prefix (S3 or a directory).",
)


class ExtractConfig(dg.Config):
    skip_malformed_pages: bool = Field(
        default=False, description="skip and report pages that cannot be read instead of failing"
    )


class LoadConfig(dg.Config):
    max_drop_fraction: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="refuse a load with fewer rows than the live table by more than this share",
    )


@dg.asset(
    key=RAW,
    deps=[PAGES],
    group_name=GROUP,
    pool=POOL,
    kinds={"parquet"},
    automation_condition=EAGER,
    freshness_policy=DAILY_FRESHNESS,
    description="Every dcat:Dataset of the pages with its distributions, publisher, licences, "
    "themes, spatial and temporal coverage (Parquet)",
)
def raw_datasets(
    context: dg.AssetExecutionContext,
    config: ExtractConfig,
    catalog_pages: FileStore,
    artifacts: ArtifactStore,
) -> dg.MaterializeResult:
    check_run_config(context)
    backend = catalog_pages.backend()
    try:
        names = sorted(
            f.path for f in catalog_pages.list() if f.path.endswith((".json", ".jsonld"))
        )
    except StoreError as err:
        raise dg.Failure(f"cannot list the catalogue's DCAT pages: {err}") from None
    if not names:
        raise dg.Failure(f"no .json or .jsonld page under {catalog_pages.url}")
    skipped, rows = {}, 0
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "datasets.parquet"
        # Page by page: one page's graph in memory at a time, rows streamed to the file.
        with pq.ParquetWriter(out, SCHEMA_RAW) as writer:
            for name in names:
                with backend.local_copy(name) as local:
                    try:
                        table = read_page(local.read_bytes(), name)
                    except MalformedPage as err:
                        if not config.skip_malformed_pages:
                            raise dg.Failure(
                                f"malformed catalogue page {catalog_pages.url}/{err}; nothing "
                                "was loaded (skip_malformed_pages skips such pages)"
                            ) from None
                        skipped[name] = str(err)
                        context.log.warning(f"skipped {err}")
                        continue
                writer.write_table(table)
                rows += table.num_rows
        artifact = artifacts.put(
            out,
            RAW_FOLDER,
            out.name,
            {
                "asset": RAW.to_user_string(),
                "source": catalog_pages.url,
                "pages": len(names),
                "skipped_pages": skipped,
                "rows": rows,
                "run_id": context.run.run_id,
            },
        )
    artifacts.prune(RAW_FOLDER, artifacts.retention)
    return dg.MaterializeResult(
        metadata={
            "artifact": artifact.key,
            "pages": len(names),
            "rows": rows,
            "skipped_pages": dg.MetadataValue.json(skipped),
        }
    )


@dg.asset(
    key=CLEAN,
    deps=[RAW],
    group_name=GROUP,
    pool=POOL,
    kinds={"pandas"},
    automation_condition=EAGER,
    freshness_policy=DAILY_FRESHNESS,
    description="One row per identifier: completeness, normalised licence and open access, "
    "natural-risk flag, commune and département codes (CSV ready for COPY)",
)
def datasets_clean(
    context: dg.AssetExecutionContext, artifacts: ArtifactStore
) -> dg.MaterializeResult:
    check_run_config(context)
    with tempfile.TemporaryDirectory() as tmp:
        raw = _fetch_latest(artifacts, RAW_FOLDER, Path(tmp))
        # self_destruct: Arrow's buffers are freed as pandas takes the columns over.
        df = cleaning.clean(pq.read_table(raw).to_pandas(split_blocks=True, self_destruct=True))
        stats = cleaning.column_stats(df)
        preview = df.head(5)[["identifier", "title", "licence", "open_access", "completeness"]]
        out = Path(tmp) / "datasets.csv"
        cleaning.to_copy_csv(df, str(out))
        artifact = artifacts.put(
            out,
            CLEAN_FOLDER,
            out.name,
            {
                "asset": CLEAN.to_user_string(),
                "rows": len(df),
                "columns": cleaning.COLUMNS,
                "run_id": context.run.run_id,
            },
        )
    artifacts.prune(CLEAN_FOLDER, artifacts.retention)
    return dg.MaterializeResult(
        metadata={
            "artifact": artifact.key,
            "rows": len(df),
            "open_access": int(df["open_access"].sum()),
            "natural_risk": int(df["natural_risk"].sum()),
            "mean_completeness": float(df["completeness"].mean()) if len(df) else 0.0,
            "preview": dg.MetadataValue.md(_markdown(preview)),
            "column_stats": dg.MetadataValue.json(stats),
        }
    )


@dg.asset(
    key=TABLE,
    deps=[CLEAN],
    group_name=GROUP,
    pool=POOL,
    kinds={"postgres"},
    automation_condition=EAGER,
    freshness_policy=DAILY_FRESHNESS,
    check_specs=[
        dg.AssetCheckSpec("required_columns", asset=TABLE, blocking=True),
        dg.AssetCheckSpec("unique_identifiers", asset=TABLE, blocking=True),
        dg.AssetCheckSpec("row_count_kept", asset=TABLE, blocking=True),
    ],
    description="public.datasets, loaded with COPY beside the live table and swapped in "
    "once its checks pass",
)
def public_datasets(
    context: dg.AssetExecutionContext,
    config: LoadConfig,
    catalog_db: PostgresResource,
    artifacts: ArtifactStore,
):
    check_run_config(context)
    with catalog_db.connect() as conn:
        apply_schema(conn, "catalog", bookkeeping_only=True)
    latest = artifacts.latest(CLEAN_FOLDER)
    if latest is None:
        raise dg.Failure(
            f"no artifact in {artifacts.describe()}/{CLEAN_FOLDER}: run the step before"
        )
    with catalog_db.locked_transaction(TABLE.to_user_string()) as conn:
        build = start_rebuild(conn, "datasets", SQL)
        # Streamed from the store, checksum verified at the end: still inside the transaction.
        with conn.cursor().copy(compose(SQL, "copy", table=build)) as copy:
            for block in artifacts.read(latest):
                copy.write(block)
        checks = _checks(conn, build, config.max_drop_fraction)
        yield from checks
        failed = [c.check_name for c in checks if not c.passed]
        if failed:
            raise dg.Failure(
                f"public.datasets not replaced: check(s) {', '.join(failed)} failed; the "
                "live table is unchanged"
            )
        outcome = finish_rebuild(conn, "public", "datasets", SQL, indexed=True, diff=False)
    yield dg.MaterializeResult(metadata={**outcome.metadata(), "artifact": latest.key})


def _checks(conn, build: tuple[str, str], max_drop: float) -> list[dg.AssetCheckResult]:
    """The blocking checks, on the built table. Uniqueness is checked by building the unique
    index itself (in a savepoint): the duplicates are only listed when it fails."""
    no_id, no_title, rows = conn.execute(compose(SQL, "missing_required", table=build)).fetchone()
    duplicates: list[tuple[str, int]] = []
    try:
        with conn.transaction():
            conn.execute(compose(SQL, "indexes", table=build))
    except errors.UniqueViolation:
        duplicates = conn.execute(compose(SQL, "duplicate_identifiers", table=build)).fetchall()
    live = (
        conn.execute(compose(SQL, "live_rows", table=("public", "datasets"))).fetchone()[0]
        if relation_state(conn, "public", "datasets")
        else 0
    )
    floor = (1 - max_drop) * live
    return [
        dg.AssetCheckResult(
            asset_key=TABLE,
            check_name="required_columns",
            passed=not (no_id or no_title),
            metadata={"rows_without_identifier": no_id, "rows_without_title": no_title},
        ),
        dg.AssetCheckResult(
            asset_key=TABLE,
            check_name="unique_identifiers",
            passed=not duplicates,
            metadata={"duplicates": dg.MetadataValue.json(dict(duplicates))},
        ),
        dg.AssetCheckResult(
            asset_key=TABLE,
            check_name="row_count_kept",
            passed=rows > 0 and rows >= floor,
            metadata={"new_rows": rows, "live_rows": live, "minimum": int(floor) or 1},
        ),
    ]


def _fetch_latest(artifacts: ArtifactStore, folder: str, tmp: Path) -> Path:
    latest: Artifact | None = artifacts.latest(folder)
    if latest is None:
        raise dg.Failure(f"no artifact in {artifacts.describe()}/{folder}: run the step before")
    return artifacts.fetch(latest, tmp / latest.name)


def _markdown(df) -> str:
    head = "| " + " | ".join(df.columns) + " |\n|" + "---|" * len(df.columns) + "\n"
    return head + "\n".join(
        "| " + " | ".join(str(v) for v in row) + " |" for row in df.itertuples(index=False)
    )

"""The catalogue chain: DCAT pages → raw rows (Parquet) → clean rows (CSV for COPY) → the
``public.datasets`` table Metabase reads, swapped in whole.

Steps hand over through the artifact store (checksummed, kept by retention), so each can be
re-run alone and its input inspected. The load builds the new table beside the live one and
swaps it in only when its blocking checks pass, in the same transaction: dashboards read the
previous table until the commit, never a half-loaded or empty one.
"""

import tempfile
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pandas as pd
import psycopg
import pyarrow.parquet as pq
from psycopg import sql
from pydantic import Field

from maint_assets.catalog import clean as cleaning
from maint_assets.catalog.checks import (
    CHECK_SPECS,
    IDENTIFIERS_CHECK,
    datasets_checks,
    identifiers_check,
)
from maint_assets.catalog.dcat import SCHEMA_RAW, MalformedPage, read_page
from maint_assets.catalog.keys import (
    CLEAN_FOLDER,
    DATASETS,
    DATASETS_CLEAN,
    DCAT_PAGES,
    GROUP_CATALOG,
    OWNERS,
    POOL_CATALOG_DB,
    RAW_DATASETS,
    RAW_FOLDER,
    SHIFTED,
    SQL_DATASETS,
    SQL_DIR,
)
from maint_assets.core import own_objects
from maint_assets.core.artifacts import Artifact, ArtifactStore, put_artifact
from maint_assets.core.automation import DAILY_FRESHNESS, EAGER
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.refresh import finish_rebuild, relation_state, start_rebuild
from maint_assets.core.restores import ArtifactMissing, Recorded, recorded_artifact
from maint_assets.core.run_config import check_run_config
from maint_assets.core.s3_store import missing
from maint_assets.core.schema import apply_schema
from maint_assets.core.sql_files import compose, statement
from maint_assets.core.stored_files import Backend, ObjectDenied, Skipped, StoreError
from maint_assets.core.stores import FileStore, report_skipped
from maint_assets.core.ui import column_schema

dcat_pages = dg.AssetSpec(
    DCAT_PAGES,
    group_name=GROUP_CATALOG,
    owners=OWNERS,
    kinds={"s3"},
    description="The catalogue's DCAT JSON-LD pages directly under a prefix (S3 or a "
    "directory; its subfolders, such as earlier dumps kept aside, are not read), published by "
    "the portal; the sensor catalog_new_pages records new or changed ones.",
)


class ExtractConfig(dg.Config):
    skip_malformed_pages: bool = Field(
        default=False, description="skip and report pages that cannot be read instead of failing"
    )
    allow_missing_pages: bool = Field(
        default=False,
        description="load a dump that lacks some of the pages its hydra:lastPage announces",
    )


class LoadConfig(dg.Config):
    max_drop_fraction: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="refuse a load with fewer rows than the live table by more than this share",
    )
    max_kept_loads: int = Field(
        default=2,
        ge=0,
        description="how many loads in a row keep a dataset that dumps taken while the "
        "exposition shifted lacked; missing from one more, it is taken as deleted",
    )


@dg.asset(
    key=RAW_DATASETS,
    deps=[DCAT_PAGES],
    group_name=GROUP_CATALOG,
    pool=POOL_CATALOG_DB,
    owners=OWNERS,
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
    backend, left_out = catalog_pages.backend(), Skipped()
    try:
        # Only the pages directly under the prefix, as the runbook's extract read them
        # (``fs.ls`` of DUMP_INTEGRATION_JSON): a subfolder holds something else, such as an
        # earlier dump kept aside, whose datasets would come back, and win if dated later.
        names = sorted(
            f.path
            for f in catalog_pages.list(left_out, recursive=False)
            if f.path.endswith((".json", ".jsonld"))
        )
    except StoreError as err:
        raise dg.Failure(f"cannot list the catalogue's DCAT pages: {err}") from None
    not_listed = report_skipped(context.log, left_out, "their pages are not read")
    if not names:
        raise dg.Failure(f"no .json or .jsonld page under {catalog_pages.url}")
    skipped, rows, numbers, lasts = {}, 0, set(), set()
    read_numbers: list[int | None] = []
    totals: dict[int, int] = {}
    pages_of: dict[str, set[int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "datasets.parquet"
        # Page by page: one page's graph in memory at a time, rows streamed to the file.
        with pq.ParquetWriter(out, SCHEMA_RAW) as writer:
            for name in names:
                data = _page_bytes(backend, catalog_pages.url, name)
                try:
                    table, (number, last, total) = read_page(data, name)
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
                numbers.add(number)
                lasts.add(last)
                read_numbers.append(number)
                if number is not None and total is not None:
                    totals[number] = total
                if number is not None:
                    for uri in table.column("uri").to_pylist():
                        if uri is not None:
                            pages_of.setdefault(uri, set()).add(number)
        # Each page of ckanext-dcat's exposition names its last page: a dump lacking one (the
        # producer's notebook goes on past a page it fails to fetch) would drop that page's
        # datasets from the table, which is no evidence they are gone. A skipped page's
        # number is unknown: as many missing pages as were skipped may be those.
        last = max((n for n in lasts if n is not None), default=None)
        absent = sorted(set(range(1, last + 1)) - numbers) if last else []
        if len(absent) > len(skipped) and not config.allow_missing_pages:
            raise dg.Failure(
                f"the dump under {catalog_pages.url} lacks page(s) "
                f"{', '.join(map(str, absent[:20]))}{' …' if len(absent) > 20 else ''} of "
                f"the {last} its pages announce (hydra:lastPage)"
                + (f", {len(skipped)} skipped as malformed" if skipped else "")
                + ": their datasets would be dropped from public.datasets; nothing was loaded "
                "(allow_missing_pages loads it anyway)"
            )
        # Its pages are served in order of modification: a dataset modified or deleted
        # meanwhile shifted the later pages, and some the source still has are on no page.
        # Their absence is no evidence they are gone: the load keeps them (keep_absent).
        shifted = _shifted(read_numbers, totals, pages_of)
        if shifted:
            context.log.warning(
                f"the exposition changed while the dump under {catalog_pages.url} was taken "
                f"({shifted}): public.datasets keeps the datasets the dump lacks until a dump "
                "taken while it stood still"
            )
        if absent:
            context.log.warning(
                f"pages missing from the dump under {catalog_pages.url}: "
                f"{', '.join(map(str, absent[:20]))} of {last}"
            )
        recorded = put_artifact(
            context, artifacts, out, RAW_FOLDER,
            {"source": catalog_pages.url, "pages": len(names), "skipped_pages": skipped,
             "rows": rows, SHIFTED: shifted},
        )
    return dg.MaterializeResult(
        metadata={
            **recorded,
            "pages": len(names),
            "rows": rows,
            SHIFTED: shifted or "",
            "skipped_pages": dg.MetadataValue.json(skipped),
            **not_listed,
        }
    )


def _keep_absent(
    conn: psycopg.Connection, build: tuple[str, str], live: tuple[str, str], max_loads: int
) -> tuple[list[str], str | None]:
    """Copy into ``build`` the rows of ``live`` whose identifier it lacks, but those kept by
    ``max_loads`` loads in a row already; the identifiers kept, or why none could be (a live
    table of another shape: the runbook's, or an older definition)."""
    names = {k: sql.Identifier(*v).as_string(conn) for k, v in (("table", build), ("live", live))}
    columns = [c for (c,) in conn.execute(statement(SQL_DATASETS, "shared_columns"), names)]
    required = [c for (c,) in conn.execute(statement(SQL_DATASETS, "required_columns"), names)]
    lacking = [c for c in ("identifier", *required) if c not in columns]
    if lacking:
        return [], (
            f"none of the datasets it lacks could be kept: the live table has no "
            f"{', '.join(dict.fromkeys(lacking))} of the new one's type"
        )
    kept = conn.execute(sql.SQL(statement(SQL_DATASETS, "keep_absent")).format(
        table=sql.Identifier(*build), live=sql.Identifier(*live),
        columns=sql.SQL(", ").join(map(sql.Identifier, columns)),
    ), {"max_loads": max_loads}).fetchall()
    return [k for (k,) in kept], None


def _shifted(
    read: list[int | None], totals: dict[int, int], pages_of: dict[str, set[int]]
) -> str | None:
    """How the pages of one dump show that datasets the source has are on none of them, or
    None. ckanext-dcat serves page N as rows n * (N - 1) onwards of its search sorted by
    metadata_modified desc (ckanext/dcat/logic.py), and the producer fetches one page after
    the other over hours: a dataset created or modified meanwhile goes to page 1, already
    read, so the later pages start one dataset earlier (one read twice; a modified one is on
    no page); one deleted makes them start one later (one skipped) and hydra:totalItems one
    less. Datasets read twice, less the growth of the total, are those modified or deleted:
    as many are missing. Only for one dump (no page number read twice): two dumps side by
    side hold the same datasets on pages of different numbers."""
    if None in read or len(read) != len(set(read)) or not totals:
        return None
    # Read twice by a shift: on two neighbouring pages. One on distant pages is two datasets
    # of the source sharing a harvested URI, in every dump alike.
    twice = sorted((u, sorted(p)) for u, p in pages_of.items()
                   if len(p) == 2 and max(p) - min(p) == 1)
    grown = totals[max(totals)] - totals[min(totals)]
    if len(twice) - grown <= 0:
        return None
    said = [f"about {len(twice) - grown} dataset(s) on no page"]
    if twice:
        uri, pages = twice[0]
        said.append(f"{len(twice)} read twice, first {uri} on pages {pages[0]} and {pages[-1]}")
    if grown:
        said.append(f"hydra:totalItems {totals[min(totals)]} on page {min(totals)}, "
                    f"{totals[max(totals)]} on page {max(totals)}")
    return "; ".join(said)


def _page_bytes(backend: Backend, url: str, name: str) -> bytes:
    """The page, or a failure naming it when the reader may not read it (not skipped as a
    malformed page is: its datasets would be dropped from the table for a permission) or when
    it is gone since the listing (the dump replaced during the run)."""
    try:
        with backend.local_copy(name) as local:
            return local.read_bytes()
    except (PermissionError, ObjectDenied) as err:
        why = err.strerror if isinstance(err, PermissionError) else str(err)
        raise dg.Failure(
            f"catalogue page {url}/{name} cannot be read: the reader may not read it ({why}); "
            "fix its permissions (its mode, owner or folder; on S3 the object's policy) and "
            "run again; nothing was loaded, the live table is unchanged"
        ) from None
    except StoreError as err:
        raise dg.Failure(
            f"catalogue page {url}/{name} cannot be read: {err}; nothing was loaded, the live "
            "table is unchanged; run again"
        ) from None
    except Exception as err:
        if not (isinstance(err, FileNotFoundError) or missing(err)):
            raise
        raise dg.Failure(
            f"catalogue page {url}/{name} was listed but is gone: the dump changed during "
            "the run; nothing was loaded, the live table is unchanged; run again"
        ) from None


@dg.asset(
    key=DATASETS_CLEAN,
    deps=[RAW_DATASETS],
    group_name=GROUP_CATALOG,
    pool=POOL_CATALOG_DB,
    owners=OWNERS,
    kinds={"pandas"},
    automation_condition=EAGER,
    freshness_policy=DAILY_FRESHNESS,
    check_specs=[IDENTIFIERS_CHECK],
    description="One row per identifier: completeness, normalised licence and open access, "
    "natural-risk flag, commune and département codes, and the runbook's columns its "
    "dashboards read (CSV ready for COPY)",
)
def datasets_clean(
    context: dg.AssetExecutionContext, artifacts: ArtifactStore
) -> dg.MaterializeResult:
    check_run_config(context)
    with tempfile.TemporaryDirectory() as tmp:
        extract = _recorded(context, artifacts, Recorded(RAW_DATASETS, RAW_FOLDER))
        raw = artifacts.fetch(extract, Path(tmp) / extract.name)
        table = pq.read_table(raw)
        # An extract recorded by an older version lacks the fields added since (the runbook's).
        if missing := [n for n in SCHEMA_RAW.names if n not in table.column_names]:
            raise dg.Failure(
                f"the recorded extract {raw.name} has no {', '.join(missing)}: it predates "
                "them; materialize catalog/dataframe/raw_datasets again"
            )
        # self_destruct: Arrow's buffers are freed as pandas takes the columns over.
        df, unreadable, nul_removed, duplicates = cleaning.clean(
            table.to_pandas(split_blocks=True, self_destruct=True)
        )
        # A date that is not a date is loaded as NULL, counted and named here rather than
        # failing the run: the pages are harvested from many publishers, the table exists to
        # show the quality of their metadata, and one publisher's free-text date must not
        # hold back every dashboard's refresh (nor be lost without a trace).
        if unreadable:
            context.log.warning(
                f"{len(unreadable)} date(s) are not ISO 8601 dates, loaded as NULL; first: "
                f"{unreadable[0]}"
            )
        if nul_removed:
            context.log.warning(
                f"{len(nul_removed)} value(s) held a NUL character, which PostgreSQL's text "
                f"cannot hold: removed; first: {nul_removed[0]}"
            )
        if duplicates:
            context.log.warning(
                f"{len(duplicates)} identifier(s) are held by more than one dataset: one kept "
                f"each ({', then '.join(cleaning.WINNER_ORDER)} latest), the others dropped; "
                f"first: {duplicates[0]}"
            )
        stats = cleaning.column_stats(df)
        preview = df.head(5)[["identifier", "title", "licence", "open_access", "completeness"]]
        out = Path(tmp) / "datasets.csv"
        cleaning.to_copy_csv(df, str(out))
        recorded = put_artifact(
            context, artifacts, out, CLEAN_FOLDER,
            {"rows": len(df), "columns": cleaning.COLUMNS,
             SHIFTED: extract.manifest.get(SHIFTED)},
        )
    return dg.MaterializeResult(
        metadata={
            **recorded,
            "rows": len(df),
            "open_access": int(df["open_access"].sum()),
            "natural_risk": int(df["natural_risk"].sum()),
            "mean_completeness": float(df["completeness"].mean()) if len(df) else 0.0,
            "unreadable_dates": len(unreadable),
            "unreadable_date_values": dg.MetadataValue.json(unreadable[:50]),
            "nul_removed": dg.MetadataValue.json(nul_removed[:50]),
            "duplicate_identifiers": len(duplicates),
            "duplicates": dg.MetadataValue.json(duplicates[:50]),
            "preview": dg.MetadataValue.md(_markdown(preview)),
            "column_stats": dg.MetadataValue.json(stats),
        },
        check_results=[identifiers_check(duplicates)],
    )


@dg.asset(
    key=DATASETS,
    deps=[DATASETS_CLEAN],
    group_name=GROUP_CATALOG,
    pool=POOL_CATALOG_DB,
    owners=OWNERS,
    kinds={"postgres"},
    automation_condition=EAGER,
    freshness_policy=DAILY_FRESHNESS,
    check_specs=CHECK_SPECS,
    description="public.datasets (the table the dashboards read; the atlas has a table of the "
    "same name, both fixed by their readers), loaded with COPY beside the live table and "
    "swapped in once its checks pass, with the live table's owner, grants and comments; the "
    "views analysts made on it are re-created over it in the same transaction (materialized "
    "ones with its data: refreshed), and one that no longer can be refuses the swap",
)
def public_datasets(
    context: dg.AssetExecutionContext,
    config: LoadConfig,
    catalog_db: PostgresResource,
    artifacts: ArtifactStore,
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    check_run_config(context)
    with catalog_db.step_connection() as conn:
        apply_schema(conn, SQL_DIR, bookkeeping_only=True)
        own_objects.ensure(conn)
    latest = _recorded(context, artifacts, Recorded(DATASETS_CLEAN, CLEAN_FOLDER))
    # Run again if the connection is cut: a load run twice replaces the table with the same rows.
    with catalog_db.locked_step(DATASETS.to_user_string(), rerun_if_cut=True) as conn:
        build = start_rebuild(conn, "datasets", SQL_DATASETS)
        # Streamed from the store, checksum verified at the end: still inside the transaction.
        with conn.cursor().copy(compose(SQL_DATASETS, "copy", table=build)) as copy:
            for block in artifacts.read(latest):
                copy.write(block)
        kept: list[str] = []
        if latest.manifest.get(SHIFTED) and relation_state(conn, "public", "datasets"):
            kept, unable = _keep_absent(conn, build, ("public", "datasets"),
                                        config.max_kept_loads)
            context.log.warning(
                f"the dump was taken while the exposition shifted "
                f"({latest.manifest[SHIFTED]}): "
                + (unable or f"{len(kept)} dataset(s) it lacks kept as they were")
            )
        conn.execute(statement(SQL_DATASETS, "forget_kept"), {"kept": kept})
        conn.execute(statement(SQL_DATASETS, "count_kept"), {"kept": kept})
        checks = datasets_checks(conn, build, config.max_drop_fraction)
        yield from checks
        failed = [c.check_name for c in checks if not c.passed]
        if failed:
            raise dg.Failure(
                f"public.datasets not replaced: check(s) {', '.join(failed)} failed; the "
                "live table is unchanged"
            )
        outcome = finish_rebuild(conn, "public", "datasets", SQL_DATASETS, indexed=True)
        columns = column_schema(conn, "public", "datasets")
    if outcome.dropped_no_longer_declared:
        context.log.info(
            "not carried onto the new public.datasets (dropped with the old one): made from "
            f"{SQL_DATASETS}.sql, which no longer declares them: "
            f"{'; '.join(outcome.dropped_no_longer_declared)}"
        )
    yield dg.MaterializeResult(
        metadata={**outcome.metadata(), **columns, "artifact": latest.key,
                  "kept_absent_from_dump": len(kept)}
    )


def _recorded(
    context: dg.AssetExecutionContext, artifacts: ArtifactStore, source: Recorded
) -> Artifact:
    """The artifact the upstream step recorded in this run, else in its latest
    materialization; never the newest file of the folder, which a run going at the same time
    (or a person) may have written."""
    try:
        return recorded_artifact(context.instance, context.run.run_id, artifacts, source)
    except ArtifactMissing as err:
        raise dg.Failure(f"{err}: materialize the step before") from None


def _markdown(df: pd.DataFrame) -> str:
    head = "| " + " | ".join(df.columns) + " |\n|" + "---|" * len(df.columns) + "\n"
    return head + "\n".join(
        "| " + " | ".join(str(v) for v in row) + " |" for row in df.itertuples(index=False)
    )

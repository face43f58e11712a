"""The extract: the catalogue's DCAT pages (``dcat_pages``, directly under a prefix of S3 or a
directory) read page by page into raw rows (Parquet) in the artifact store. A dump lacking
pages its pages announce is refused; one taken while the exposition shifted is said so in the
extract's manifest, for the load (public_datasets.py)."""

import tempfile
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
from pydantic import Field

from maint_assets.catalog.dcat import SCHEMA_RAW, MalformedPage, read_page
from maint_assets.catalog.keys import (
    DCAT_PAGES,
    GROUP_CATALOG,
    OWNERS,
    POOL_CATALOG_DB,
    RAW_DATASETS,
    RAW_FOLDER,
    SHIFTED,
)
from maint_assets.core.artifact_steps import put_artifact
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.automation import DAILY_FRESHNESS, EAGER
from maint_assets.core.run_config import check_run_config
from maint_assets.core.s3_store import missing
from maint_assets.core.stored_files import Backend, ObjectDenied, Skipped, StoreError
from maint_assets.core.stores import FileStore, report_skipped

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

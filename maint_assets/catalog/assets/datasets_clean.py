"""The transform: the extract's raw rows cleaned with pandas (catalog/clean.py) into one row
per identifier, with the completeness score, normalised licence and open access, and the
runbook's columns, written as a CSV ready for COPY; identifiers shared by several datasets are
the warning check ``one_dataset_per_identifier``."""

import tempfile
from pathlib import Path

import dagster as dg
import pandas as pd
import pyarrow.parquet as pq

from maint_assets.catalog import clean as cleaning
from maint_assets.catalog.checks import IDENTIFIERS_CHECK, identifiers_check
from maint_assets.catalog.dcat import SCHEMA_RAW
from maint_assets.catalog.handover import upstream_artifact
from maint_assets.catalog.keys import (
    CLEAN_FOLDER,
    DATASETS_CLEAN,
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
from maint_assets.core.restores import Recorded
from maint_assets.core.run_config import check_run_config


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
        extract = upstream_artifact(context, artifacts, Recorded(RAW_DATASETS, RAW_FOLDER))
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


def _markdown(df: pd.DataFrame) -> str:
    head = "| " + " | ".join(df.columns) + " |\n|" + "---|" * len(df.columns) + "\n"
    return head + "\n".join(
        "| " + " | ".join(str(v) for v in row) + " |" for row in df.itertuples(index=False)
    )

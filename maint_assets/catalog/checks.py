"""The blocking checks of public.datasets, evaluated on the built table before it is swapped
in (in the load's transaction, so what is swapped in is what passed), and the transform's
warning check on identifiers shared by several datasets."""

import dagster as dg
import psycopg
from psycopg import errors

from maint_assets.catalog.clean import COLUMNS, RUNBOOK_GENERATED, WINNER_ORDER
from maint_assets.catalog.keys import DATASETS, DATASETS_CLEAN, SQL_CHECKS, SQL_DATASETS
from maint_assets.core.refresh import relation_state
from maint_assets.core.row_counts import RowsHidden, count_all_rows
from maint_assets.core.sql_files import compose

CHECK_SPECS = [
    dg.AssetCheckSpec(
        "required_columns",
        asset=DATASETS,
        blocking=True,
        description="Every row has an identifier and a title, and the table has every column "
        "the dashboards read: the project's and the runbook's (percantage_filling, univers, "
        "key_words, …).",
    ),
    dg.AssetCheckSpec(
        "unique_identifiers",
        asset=DATASETS,
        blocking=True,
        description="No identifier twice (the unique index builds).",
    ),
    dg.AssetCheckSpec(
        "row_count_kept",
        asset=DATASETS,
        blocking=True,
        description="Rows exist, and no fewer than the live table's by max_drop_fraction.",
    ),
]


# Not blocking: the table still gets one row per identifier, by a fixed rule; the check shows
# the publishers' duplicates in the UI, where a dataset silently replaced by another would not.
IDENTIFIERS_CHECK = dg.AssetCheckSpec(
    "one_dataset_per_identifier",
    asset=DATASETS_CLEAN,
    blocking=False,
    description="No identifier is held by two datasets of the pages. When one is, one is kept "
    f"(the latest of {', then '.join(WINNER_ORDER)}) and the check warns, naming each "
    "identifier with the dataset kept and those dropped.",
)


def identifiers_check(duplicates: list[dict[str, object]]) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=DATASETS_CLEAN,
        check_name=IDENTIFIERS_CHECK.name,
        passed=not duplicates,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "duplicate_identifiers": len(duplicates),
            "duplicates": dg.MetadataValue.json(duplicates[:50]),
        },
    )


def datasets_checks(
    conn: psycopg.Connection, build: tuple[str, str], max_drop: float
) -> list[dg.AssetCheckResult]:
    """The blocking checks, on the built table. Uniqueness is checked by building the unique
    index itself (in a savepoint): the duplicates are only listed when it fails."""
    no_id, no_title, rows = conn.execute(
        compose(SQL_CHECKS, "missing_required", table=build)
    ).fetchone()
    # The Metabase questions built on the runbook's table name its columns: a table without
    # one of them breaks them however good its rows are.
    described = conn.execute(compose(SQL_CHECKS, "columns", table=build)).description or []
    missing_columns = sorted({*COLUMNS, *RUNBOOK_GENERATED} - {c.name for c in described})
    duplicates: list[tuple[str, int]] = []
    try:
        with conn.transaction():
            conn.execute(compose(SQL_DATASETS, "indexes", table=build))
    except errors.UniqueViolation:
        duplicates = conn.execute(
            compose(SQL_CHECKS, "duplicate_identifiers", table=build)
        ).fetchall()
    except errors.ProgramLimitExceeded as err:
        longest = conn.execute(compose(SQL_CHECKS, "longest_identifiers", table=build)).fetchall()
        raise dg.Failure(
            "public.datasets not replaced: an identifier is too long for the unique index on "
            f"identifier ({err.diag.message_primary}): "
            + "; ".join(f"{text}… ({size} bytes)" for text, size in longest)
            + "; the live table is unchanged"
        ) from None
    try:
        live = (
            count_all_rows(conn, ("public", "datasets"))
            if relation_state(conn, "public", "datasets")
            else 0
        )
    except RowsHidden as err:
        raise dg.Failure(
            f"public.datasets not replaced: row_count_kept cannot count every row of {err}: "
            "row-level security would hide rows from the role, and a count of those it sees "
            "is no measure of a drop. Let it count them all: a role with BYPASSRLS, or ALTER "
            "TABLE … NO FORCE ROW LEVEL SECURITY on a table it owns; the live table is unchanged"
        ) from None
    floor = (1 - max_drop) * live
    return [
        dg.AssetCheckResult(
            asset_key=DATASETS,
            check_name="required_columns",
            passed=not (no_id or no_title or missing_columns),
            metadata={
                "rows_without_identifier": no_id,
                "rows_without_title": no_title,
                "missing_columns": dg.MetadataValue.json(missing_columns),
            },
        ),
        dg.AssetCheckResult(
            asset_key=DATASETS,
            check_name="unique_identifiers",
            passed=not duplicates,
            metadata={"duplicates": dg.MetadataValue.json(dict(duplicates))},
        ),
        dg.AssetCheckResult(
            asset_key=DATASETS,
            check_name="row_count_kept",
            passed=rows > 0 and rows >= floor,
            metadata={"new_rows": rows, "live_rows": live, "minimum": int(floor) or 1},
        ),
    ]

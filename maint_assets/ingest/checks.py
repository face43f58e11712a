"""The staging schema's blocking checks, evaluated in its step and again by the switch (in
the switch's transaction, so what is switched in is what passed)."""

import dagster as dg
import psycopg

from maint_assets.core.row_counts import RowsHidden, count_all_rows
from maint_assets.core.sql_files import statement
from maint_assets.ingest.keys import CHECKS, INGEST_STAGING, SQL_PRODUCTION
from maint_assets.ingest.tables import IngestSpec

CHECK_SPECS = [
    dg.AssetCheckSpec(
        "required_tables_loaded",
        asset=INGEST_STAGING,
        blocking=True,
        description="Every required table of the list is present and not empty.",
    ),
    dg.AssetCheckSpec(
        "no_table_shrinks",
        asset=INGEST_STAGING,
        blocking=True,
        description="No table has lost more than max_shrink of its production rows.",
    ),
]
assert [c.name for c in CHECK_SPECS] == CHECKS


def staging_checks(conn: psycopg.Connection, spec: IngestSpec) -> list[dg.AssetCheckResult]:
    """The checks' results; a table whose rows row-level security hides from the role fails
    them outright, naming it: its visible rows are not its rows."""
    try:
        return _checks(conn, spec)
    except RowsHidden as err:
        raise dg.Failure(
            f"{spec.production} not switched: no_table_shrinks cannot count every row of "
            f"{err}: row-level security would hide rows from the ingest's role, and a count of "
            "those it sees is no measure of a shrink. Let it count them all: run the ingest as "
            "a role with BYPASSRLS, or ALTER TABLE … NO FORCE ROW LEVEL SECURITY on a table it "
            "owns; production is untouched"
        ) from None


def _checks(conn: psycopg.Connection, spec: IngestSpec) -> list[dg.AssetCheckResult]:
    staged = {t.name: count_all_rows(conn, (spec.staging, t.name)) for t in spec.tables}
    live_tables = {
        t
        for t, _ in conn.execute(
            statement(SQL_PRODUCTION, "tables_of"), {"schema": spec.production}
        )
    }
    empty = [t.name for t in spec.tables if t.required and not staged[t.name]]
    shrunk = {}
    for table in spec.tables:
        if table.name in live_tables:
            live = count_all_rows(conn, (spec.production, table.name))
            if staged[table.name] < (1 - spec.max_shrink) * live:
                shrunk[table.name] = {"production": live, "staging": staged[table.name]}
    return [
        dg.AssetCheckResult(
            asset_key=INGEST_STAGING,
            check_name="required_tables_loaded",
            passed=not empty,
            # Dagster's failure of the step names the check only: this names the tables.
            description=f"empty or missing: {', '.join(empty)}" if empty else None,
            metadata={
                "empty_tables": dg.MetadataValue.json(empty),
                "rows": dg.MetadataValue.json(staged),
            },
        ),
        dg.AssetCheckResult(
            asset_key=INGEST_STAGING,
            check_name="no_table_shrinks",
            passed=not shrunk,
            description=(
                "lost more than max_shrink of their rows: " + ", ".join(
                    f"{t} ({n['production']} -> {n['staging']})" for t, n in shrunk.items()
                ) if shrunk else None
            ),
            metadata={"shrunk": dg.MetadataValue.json(shrunk), "max_shrink": spec.max_shrink},
        ),
    ]

"""What the Dagster UI shows of an asset beyond its key: a link to its code, its columns."""

import warnings
from collections.abc import Sequence

import dagster as dg
import psycopg

from maint_assets.core.sql_files import statement

Linkable = dg.AssetsDefinition | dg.AssetSpec


def with_code_references(assets: Sequence[Linkable]) -> list[Linkable]:
    """``assets`` with the file and line of their definition (the UI links to them).
    ``with_source_code_references`` is marked beta in Dagster 1.13; its warning is not news."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        return list(dg.with_source_code_references(list(assets)))


def column_schema(conn: psycopg.Connection, schema: str, table: str) -> dict[str, object]:
    """``dagster/column_schema`` metadata of ``schema.table`` as the database has it now."""
    rows = conn.execute(
        statement("core/ui", "columns"), {"schema": schema, "table": table}
    ).fetchall()
    return {
        "dagster/column_schema": dg.TableSchema(
            columns=[
                dg.TableColumn(
                    name, type_, description=comment,
                    constraints=dg.TableColumnConstraints(nullable=nullable),
                )
                for name, type_, nullable, comment in rows
            ]
        )
    }


def column_lineage(deps: dict[str, list[tuple[dg.AssetKey, str]]]) -> dict[str, object]:
    """``dagster/column_lineage`` metadata: each column with the upstream columns it is made
    from (only where the SQL makes it plain)."""
    return {
        "dagster/column_lineage": dg.TableColumnLineage(
            deps_by_column={
                column: [dg.TableColumnDep(asset_key=k, column_name=c) for k, c in sources]
                for column, sources in deps.items()
            }
        )
    }

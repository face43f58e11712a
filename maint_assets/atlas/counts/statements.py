"""The count tables' statements, composed: the fragments of sql/atlas/counts.sql written in,
and config-free identifiers quoted."""

import psycopg
from psycopg import sql

from maint_assets.atlas.keys import SQL_COUNTS
from maint_assets.core.sql_files import statement

FRAGMENTS = ("cut_regions", "region_digest", "member", "cell_x", "cell_y")


def composed(group: str, name: str, **identifiers: tuple[str, str] | str) -> sql.Composed:
    """A statement of sql/<group>.sql with the fragments of sql/atlas/counts.sql ({member},
    {cell_x}, {cell_y}, {cut_regions}, {region_digest}) written in, and {names} filled by
    quoted identifiers."""
    text = statement(group, name)
    for fragment in FRAGMENTS:
        text = text.replace("{" + fragment + "}", statement(SQL_COUNTS, fragment))
    return sql.SQL(text).format(
        **{
            k: sql.Identifier(*v) if isinstance(v, tuple) else sql.Identifier(v)
            for k, v in identifiers.items()
        }
    )


# The columns the joins on these temporary tables are planned on: statistics on a geometry
# cost more than the rest of a small refresh, and the touched rows' copies of the tables'
# other columns are only compared, never joined on.
ANALYZED_COLUMNS = {
    "observation_deltas": ("point", "within_quebec", "id_taxa_obs", "id_datasets", "year_obs"),
    "checked_observations": ("cx", "cy", "within_quebec", "id_taxa_obs"),
    "touched_region_counts": ("fid", "id_taxa_obs", "year_obs", "count_obs"),
    "touched_dataset_counts": ("fid", "id_taxa_obs", "id_datasets", "count_obs"),
}


def analyze_temp(conn: psycopg.Connection, *tables: str) -> None:
    # Fresh temporary tables have no statistics: without them the planner joins the few
    # changed rows against millions by hash instead of through the indexes.
    for table in tables:
        columns = ANALYZED_COLUMNS.get(table)
        if columns is None:
            conn.execute(composed(SQL_COUNTS, "analyze", relation=("pg_temp", table)))
        else:
            query = sql.SQL(statement(SQL_COUNTS, "analyze_columns")).format(
                relation=sql.Identifier("pg_temp", table),
                columns=sql.SQL(", ").join(map(sql.Identifier, columns)),
            )
            conn.execute(query)

"""The counted regions cut into grid cells (a cache of the regions, kept in place), so that
placing an observation tests a small piece of a region instead of its whole outline."""

from __future__ import annotations

import hashlib

import psycopg

from maint_assets.atlas.counts.statements import analyze_temp, composed
from maint_assets.atlas.keys import SQL_COUNTS
from maint_assets.core.sql_files import statement


def cut_version() -> dict[str, str]:
    cutting = "".join(statement(SQL_COUNTS, f) for f in ("cut_regions", "cell_x", "cell_y"))
    return {"cut_version": hashlib.md5(cutting.encode()).hexdigest()[:12]}


def recut(conn: psycopg.Connection, regions: str) -> None:
    """Cut again the regions listed in temporary table ``regions``."""
    listed = ("pg_temp", regions)
    conn.execute(composed(SQL_COUNTS, "uncut", regions=listed))
    conn.execute(composed(SQL_COUNTS, "cut", regions=listed))
    conn.execute(composed(SQL_COUNTS, "record_cuts", regions=listed), cut_version())


def sync_cells(conn: psycopg.Connection) -> int:
    """Cut again the regions whose cells were cut from another version of them, or by other
    statements (or never, or that are no longer counted); returns how many. Inside a
    transaction."""
    conn.execute(composed(SQL_COUNTS, "stale_cuts"), cut_version())
    analyze_temp(conn, "regions_to_cut")
    stale = conn.execute("SELECT count(*) FROM pg_temp.regions_to_cut").fetchone()[0]
    if stale:
        recut(conn, "regions_to_cut")
        conn.execute(statement(SQL_COUNTS, "cluster_cells"))
    conn.execute("DROP TABLE pg_temp.regions_to_cut")
    return stale


def regions_not_valid(conn: psycopg.Connection) -> list[int]:
    return conn.execute(statement(SQL_COUNTS, "regions_not_valid")).fetchone()[0]

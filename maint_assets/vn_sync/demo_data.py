"""Client-API-VN's tables for the production and check schemas, and VisioNature-like demo data.

The tables are created by transfer_vn itself (``--json_tables_create``), so their layout is
Client-API-VN's, not a copy of it. The demo's source (the stand-in for the VisioNature site)
takes the same layout with ``CREATE TABLE … (LIKE …)``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import compose
from maint_assets.vn_sync.client_api_vn import ClientApiVn
from maint_assets.vn_sync.keys import CHECK, PRODUCTION, TABLES

GROUP = "vn_sync/demo_data"
SOURCE = "vn_source"
DEMO_TRANSFER_VN_CONFIG = Path(__file__).parent / "data" / "demo_transfer_vn.yaml"


@dataclass(frozen=True)
class DemoSummary:
    observations: int
    forms: int
    places: int
    check_observations: int
    seconds: float


def create_tables(tool: ClientApiVn, db: PostgresResource, schemas: tuple[str, ...]) -> None:
    """transfer_vn --json_tables_create for each schema (idempotent: existing tables are kept).
    The role of ``database.db_group`` is created first when missing: transfer_vn gives the
    schemas to it."""
    group = tool.user_config().get("database", {}).get("db_group")
    if group:
        with db.connect() as conn:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [group]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(group)))
    for schema in schemas:
        with tool.generated_config(db, schema) as (path, config):
            tool.run("json_tables_create", path, config)


def is_loaded(conn: psycopg.Connection) -> bool:
    return conn.execute(
        sql.SQL("SELECT EXISTS (SELECT FROM {})").format(
            sql.Identifier(PRODUCTION, "observations_json")
        )
    ).fetchone()[0]


def load_demo_data(
    conn: psycopg.Connection,
    rows: int,
    seed: int = 1,
    window_days: int = 14,
    window_share: float = 0.1,
    missing: float = 0.01,
    stale: float = 0.01,
    deleted: float = 0.005,
) -> DemoSummary:
    """``rows`` sightings on two sites into the source, then production and the check copy
    from it: production misses ``missing`` and has ``stale`` older versions of the window's
    rows, keeps ``deleted`` of them that the source has deleted, plus smaller shares of
    same-timestamp edits and newer versions; the check copy is the source."""
    started = time.monotonic()
    places = max(50, rows // 200)
    params = {
        "rows": rows, "seed": seed, "now": int(time.time()), "window_days": window_days,
        "window_share": window_share, "missing": missing, "stale": stale, "deleted": deleted,
        "places": places,
    }
    names = {"source": SOURCE, "production": PRODUCTION, "check": CHECK}
    with conn.transaction():
        create_source(conn)
        for table in TABLES:
            for schema in (PRODUCTION, CHECK):
                conn.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(schema, table)))
        conn.execute(compose(GROUP, "draw_function"))
        for name in ("source_observations", "source_forms", "source_places"):
            conn.execute(compose(GROUP, name, **names), params)
        _copy(conn, PRODUCTION)
        conn.execute(
            compose(GROUP, "deleted_at_source", table=(SOURCE, "observations_json")), params
        )
        conn.execute(compose(GROUP, "forms_without_sightings", **names))
        _copy(conn, CHECK)
        for name in (
            "missing_in_production", "stale_in_production", "changed_without_new_timestamp",
            "newer_in_production", "places_missing_in_production", "places_deleted_at_source",
        ):
            conn.execute(compose(GROUP, name, **names), params)
        counts = conn.execute(compose(GROUP, "row_counts", **names)).fetchone()
    for schema in (SOURCE, PRODUCTION, CHECK):
        conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(schema, "observations_json")))
    return DemoSummary(*counts, seconds=time.monotonic() - started)


def create_source(conn: psycopg.Connection) -> None:
    """An empty ``vn_source`` schema (the stand-in's VisioNature site), Client-API-VN's layout."""
    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(SOURCE)))
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SOURCE)))
    for table in TABLES:
        conn.execute(
            sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
                sql.Identifier(SOURCE, table), sql.Identifier(PRODUCTION, table)
            )
        )


def _copy(conn: psycopg.Connection, target: str) -> None:
    for table in TABLES:
        conn.execute(compose(GROUP, "copy_table", source=SOURCE, target=target, table=table))

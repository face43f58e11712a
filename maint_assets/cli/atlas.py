"""`maint-assets schema`, `capture` and `demo-data`: the atlas database's DDL, change capture
and generated data."""

from __future__ import annotations

import argparse

from maint_assets.atlas import change_log
from maint_assets.cli.databases import database
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.schema import apply_schema
from maint_assets.demo.atlas_data import is_loaded, load_demo_data
from maint_assets.demo.atlas_replica import apply_replica


def _atlas_db() -> PostgresResource:
    return database("ATLAS_DATABASE_URL", "atlas")


def schema(args: argparse.Namespace) -> int:
    db = _atlas_db()
    with db.connect() as conn:
        if args.bookkeeping:
            applied = apply_schema(conn, args.domain, bookkeeping_only=True)
        else:  # an empty database: the replica of production's schema, as the demo has it
            applied = apply_replica(conn)
    print(f"applied {', '.join(applied)} to {db.describe()}")
    return 0


def capture(args: argparse.Namespace) -> int:
    db = _atlas_db()
    with db.connect() as conn:
        applied = apply_schema(conn, args.domain, bookkeeping_only=True)
        applied += change_log.install_capture(conn)
        retired = change_log.retire_old_check_index(conn)
        missing = change_log.missing_geom_indexes(conn)
        built = change_log.build_geom_indexes(conn) if args.build_geom_index else []
    print(f"applied {', '.join(applied)} to {db.describe()}")
    if retired:
        print(retired)
    for line in built:
        print(f"  {line}")
    if missing and not built:
        print(
            "warning: observations.geom has no valid GiST index ("
            + "; ".join(missing)
            + "): a changed region is counted again by reading every observation; build them "
            "without blocking writes with: maint-assets capture atlas --build-geom-index"
        )
    return 0


def demo_data(args: argparse.Namespace) -> int:
    db = _atlas_db()
    with db.connect() as conn:
        apply_replica(conn)
        change_log.install_capture(conn)
        if args.if_empty and is_loaded(conn):
            print(f"demo data already loaded in {db.describe()}")
            return 0
        summary = load_demo_data(
            conn,
            observations=args.observations,
            seed=args.seed,
            spacing=args.region_detail,
            province_size=args.province_size,
        )
    print(
        f"loaded {summary.observations} observations, {summary.regions} regions and "
        f"{summary.taxa_obs} taxa_obs names into {db.describe()} in {summary.seconds:.1f} s "
        f"({summary.rows_per_second:,.0f} observations/s)"
    )
    return 0

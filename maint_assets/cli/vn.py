"""`maint-assets vn`: Client-API-VN's own virtualenv, its tables and the VisioNature demo data."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from maint_assets.cli.databases import database
from maint_assets.core.postgres import PostgresResource
from maint_assets.demo import vn_data
from maint_assets.demo.environment import DEMO_VN_CONFIG
from maint_assets.demo.vn_data import DEMO_TRANSFER_VN_CONFIG
from maint_assets.vn_sync.bookkeeping import prepare
from maint_assets.vn_sync.client_api_vn import (
    DEFAULT_VENV,
    DEFAULT_WORK_DIR,
    VENV_ENV,
    WORK_DIR_ENV,
    ClientApiVn,
    install,
)
from maint_assets.vn_sync.keys import CHECK, PRODUCTION
from maint_assets.vn_sync.tables import create_tables


def install_tool(_: argparse.Namespace) -> int:
    print(f"transfer_vn ready: {install()}")
    return 0


def vn_env() -> tuple[PostgresResource, ClientApiVn]:
    """The configured VisioNature database and transfer_vn configuration, or the local
    cluster's database and the demo configuration."""
    config = os.environ.get("VN_TRANSFER_VN_CONFIG", str(DEMO_TRANSFER_VN_CONFIG))
    if config == str(DEMO_VN_CONFIG) and not DEMO_VN_CONFIG.exists():
        config = str(DEMO_TRANSFER_VN_CONFIG)  # the demo writes it when it serves its site
    # The same settings as the code location's resource (vn_sync/resources.py), read now.
    tool = ClientApiVn(
        config_file=config,
        venv=os.environ.get(VENV_ENV) or str(DEFAULT_VENV),
        work_dir=os.environ.get(WORK_DIR_ENV) or str(DEFAULT_WORK_DIR),
    )
    return database("VN_DATABASE_URL", "vn"), tool


def tables(_: argparse.Namespace) -> int:
    db, tool = vn_env()
    create_tables(tool, db, (PRODUCTION, CHECK))
    prepare(db, [CHECK, PRODUCTION], in_op=False)  # bookkeeping and deletion capture
    print(f"Client-API-VN tables present in {PRODUCTION} and {CHECK} of {db.describe()}, "
          "deletions captured")
    return 0


def demo_data(args: argparse.Namespace) -> int:
    tables(args)
    db, tool = vn_env()
    with db.connect() as conn:
        if args.if_empty and vn_data.is_loaded(conn):
            print(f"VisioNature demo data already loaded in {db.describe()}")
            return 0
        summary = vn_data.load_demo_data(
            conn, Path(tool.venv), rows=args.observations, seed=args.seed
        )
    print(
        f"loaded {summary.observations} production observations, {summary.forms} forms, "
        f"{summary.places} places ({summary.check_observations} in the check copy) into "
        f"{db.describe()} in {summary.seconds:.1f} s"
    )
    return 0

"""`maint-assets roles apply`: the least-privileged maintenance role of a domain's database."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

from maint_assets.atlas.privileges import TARGETS as ATLAS_ROLES
from maint_assets.catalog.privileges import TARGETS as CATALOG_ROLES
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.roles import (
    RESTORE_CHECKS,
    apply,
    maintained_relations,
    prepare_template,
    registry,
)
from maint_assets.ingest.privileges import TARGETS as INGEST_ROLES
from maint_assets.ingest.tables import load_spec
from maint_assets.metabase.privileges import TARGETS as METABASE_ROLES
from maint_assets.vn_sync.client_api_vn import ClientApiVn
from maint_assets.vn_sync.privileges import TARGETS as VN_SYNC_ROLES
from maint_assets.webarchive.privileges import TARGETS as WEBARCHIVE_ROLES

# The command line offers these names without importing this module (cli.ROLE_DOMAINS);
# maint_assets_tests/core/test_roles.py checks that both list the same.
ROLE_TARGETS = registry(
    ATLAS_ROLES, CATALOG_ROLES, INGEST_ROLES, METABASE_ROLES, VN_SYNC_ROLES, WEBARCHIVE_ROLES,
    (RESTORE_CHECKS,),
)


def apply_role(args: argparse.Namespace) -> int:
    # The whole code location, for the relations the role maintains: only this command needs it.
    from maint_assets.definitions import defs

    target = ROLE_TARGETS[args.domain]
    variable = target.variable
    url = args.url or os.environ.get(variable)
    if not url:
        print(f"maint-assets: give --url or set {variable}", file=sys.stderr)
        return 2
    if args.url and "password" in conninfo_to_dict(args.url):
        # on the command line, it would be in the process list and the shell's history
        print("maint-assets: --url has a password: put it in PGPASSWORD or a pass file",
              file=sys.stderr)
        return 2
    production = args.production_schema
    if args.domain == "ingest" and not production and os.environ.get("INGEST_TABLES_FILE"):
        production = load_spec(Path(os.environ["INGEST_TABLES_FILE"])).production
    group = args.vn_group
    if args.domain == "vn" and not group and os.environ.get("VN_TRANSFER_VN_CONFIG"):
        config = ClientApiVn(config_file=os.environ["VN_TRANSFER_VN_CONFIG"]).user_config()
        group = config.get("database", {}).get("db_group", "")
    try:
        needs = target.resolve(production_schema=production, vn_group=group)
    except ValueError as err:
        print(f"maint-assets: {args.domain}: {err}", file=sys.stderr)
        return 2
    db = PostgresResource(url=url)
    with db.connect() as conn, conn.transaction():
        done = apply(conn, args.role, needs, maintained_relations(defs, needs.key_prefix))
    if needs.template is not None:
        done += prepare_template(db, needs.template)
    print(f"role {args.role} on {db.describe()}:")
    print("\n".join(f"  {line}" for line in done))
    return 0

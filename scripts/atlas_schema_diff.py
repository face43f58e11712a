"""Compare the project's replica of the atlas database (sql/demo/atlas_replica/, what the demo and
the tests run on) with the real production schema dump.

    .venv/bin/python scripts/atlas_schema_diff.py [--dump FILE | --git-dir DIR] [--all]

The dump (dump/dump_atlas_schema.sql of BiodiversiteQuebec/atlas-db, branch
dev_vb_fix_observations_id_taxa_obs_not_null; see maint_assets/demo/atlas_real_schema.py) is read
from --dump, from a git mirror of the repository (--git-dir, $ATLAS_DB_GIT_DIR), or cloned
from GitHub; it is never written into this repository (it has no licence). Both are loaded
into a temporary cluster (PostgreSQL 15 + PostGIS; PL/Python is used when installed), then
every table, partition and materialized view of the replica is compared with its namesake:
columns (order, type, NOT NULL, default), partitioning, indexes (definition and validity),
constraints and triggers. Owners and privileges are left out (the replica has none of
production's roles). --all also lists the dump's relations the replica does not have.
Exit status 1 when anything differs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import psycopg

from maint_assets.demo.atlas_real_schema import dump_text, load
from maint_assets.demo.atlas_replica import apply_replica
from maint_assets.demo.local_cluster import LocalCluster

RELATIONS = """
SELECT n.nspname, c.relname, c.relkind::text,
       coalesce(pg_get_partkeydef(c.oid), ''), coalesce(pg_get_expr(c.relpartbound, c.oid), ''),
       coalesce((SELECT p.oid::regclass::text FROM pg_inherits i JOIN pg_class p
                 ON p.oid = i.inhparent WHERE i.inhrelid = c.oid), '')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('public', 'api', 'atlas_api', 'observations_partitions')
  AND c.relkind IN ('r', 'p', 'm')
  AND NOT (n.nspname = 'public' AND c.relname = 'spatial_ref_sys')
ORDER BY 1, 2"""
COLUMNS = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       coalesce(pg_get_expr(d.adbin, d.adrelid), '')
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = %(oid)s::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum"""
INDEXES = """
SELECT i.relname, regexp_replace(pg_get_indexdef(x.indexrelid), '^CREATE (UNIQUE )?INDEX \\S+ ',
                                 'CREATE \\1INDEX '), x.indisvalid
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
WHERE x.indrelid = %(oid)s::regclass ORDER BY 1"""
CONSTRAINTS = """
SELECT conname, contype::text, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid = %(oid)s::regclass ORDER BY 1"""
TRIGGERS = """
SELECT t.tgname, regexp_replace(pg_get_triggerdef(t.oid), '^CREATE (CONSTRAINT )?TRIGGER \\S+ ',
                                'CREATE TRIGGER '),
       t.tgparentid <> 0
FROM pg_trigger t WHERE t.tgrelid = %(oid)s::regclass AND NOT t.tgisinternal ORDER BY 1"""
# What the project adds to the atlas database itself (change capture), not part of the replica.
OWN_TRIGGERS = "maint_capture_"


def catalog(url: str) -> dict[str, dict[str, object]]:
    """Every relation of the atlas schemas with its columns, indexes, constraints, triggers."""
    found: dict[str, dict[str, object]] = {}
    with psycopg.connect(url) as conn:
        conn.execute("SET search_path = pg_catalog")  # every name printed schema-qualified
        for schema, name, kind, partkey, bound, parent in conn.execute(RELATIONS).fetchall():
            oid = f'"{schema}"."{name}"'
            params = {"oid": oid}
            found[f"{schema}.{name}"] = {
                "kind": kind,
                "partitioning": (partkey, bound, parent),
                "columns": conn.execute(COLUMNS, params).fetchall(),
                "indexes": {n: (d, v) for n, d, v in conn.execute(INDEXES, params)},
                "constraints": {n: (t, d) for n, t, d in conn.execute(CONSTRAINTS, params)},
                "triggers": {
                    n: d
                    for n, d, _ in conn.execute(TRIGGERS, params)
                    if not n.startswith(OWN_TRIGGERS)
                },
            }
    return found


def compare(real: dict[str, dict], replica: dict[str, dict], show_all: bool) -> list[str]:
    lines = []
    for relation in sorted(replica):
        mine = replica[relation]
        theirs = real.get(relation)
        if theirs is None:
            lines.append(f"{relation}: not in the production schema")
            continue
        problems = []
        if mine["kind"] != theirs["kind"]:
            problems.append(f"kind {mine['kind']} (production {theirs['kind']})")
        if mine["partitioning"] != theirs["partitioning"]:
            problems.append(
                f"partitioning {mine['partitioning']} (production {theirs['partitioning']})"
            )
        theirs_cols = {c[0]: c for c in theirs["columns"]}
        mine_cols = {c[0]: c for c in mine["columns"]}
        if [c[0] for c in mine["columns"]] != [c[0] for c in theirs["columns"]]:
            problems.append(
                f"columns {[c[0] for c in mine['columns']]} "
                f"(production {[c[0] for c in theirs['columns']]})"
            )
        for column, spec in mine_cols.items():
            other = theirs_cols.get(column)
            if other and other != spec:
                problems.append(f"column {column}: {spec[1:]} (production {other[1:]})")
        for part in ("indexes", "constraints", "triggers"):
            for name in sorted(set(mine[part]) | set(theirs[part])):
                a, b = mine[part].get(name), theirs[part].get(name)
                if a != b:
                    problems.append(f"{part[:-1]} {name}: {a} (production {b})")
        lines += [f"{relation}: {p}" for p in problems]
    if show_all:
        lines += [f"{r}: in production only" for r in sorted(set(real) - set(replica))]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dump", type=Path, help="the schema dump file")
    parser.add_argument("--git-dir", type=Path, help="a git mirror of atlas-db")
    parser.add_argument("--port", type=int, default=55498, help="port of the temporary cluster")
    parser.add_argument("--all", action="store_true", help="list production-only relations too")
    args = parser.parse_args()
    text = dump_text(args.dump, args.git_dir)
    home = Path(tempfile.mkdtemp(prefix="atlas-schema-diff-"))
    home.chmod(0o755)
    cluster = LocalCluster(home=home / "pg", port=args.port)
    try:
        cluster.up(["real", "replica"])
        os.environ.update(cluster.client_env())  # psql reads the password from PGPASSFILE
        skipped = load(cluster.url("real"), text)
        with psycopg.connect(cluster.url("replica"), autocommit=True) as conn:
            apply_replica(conn)
        lines = compare(catalog(cluster.url("real")), catalog(cluster.url("replica")), args.all)
    finally:
        cluster.destroy()
        shutil.rmtree(home, ignore_errors=True)
    print(f"real schema loaded ({len(skipped)} harmless errors skipped)")
    print("\n".join(lines) if lines else "the replica matches the production schema")
    return 1 if any("production only" not in line for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())

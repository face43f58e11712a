"""Full refresh of the atlas graph through Dagster (in-process executor) against the same SQL
run by one psql script, side by side on the same data, plus the demo-data generation rate.

    .venv/bin/python bench/atlas_full_refresh.py [--observations 1000000] [--repeat 2]

It starts its own temporary cluster (never the demo's). The psql script is composed from the
same sql/ files the assets run, in the order they run them; asset checks are left out of both
sides. Taxonomy is resolved once before timing, so the timed runs resolve nothing new; the
count tables are rebuilt in full (run config), as the script does.
"""

import argparse
import os
import statistics
import subprocess
import time

import dagster as dg
import psycopg
from common import load_atlas, temporary_cluster
from psycopg import sql

from maint_assets.atlas import sources, spatial
from maint_assets.atlas.taxonomy import assets as taxonomy
from maint_assets.atlas.taxonomy.checklist import ChecklistResolver
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.refresh import BUILD_SCHEMA
from maint_assets.core.sql_files import compose, statement

DERIVED = [*taxonomy.ASSETS, *spatial.ASSETS]
# The count tables are kept incrementally; the benchmark measures their full rebuild.
FULL_COUNTS = {
    "ops": {
        f"atlas__atlas_api__{name}": {"config": {"full": True}}
        for name in ("obs_region_counts", "obs_regions_taxa_datasets_counts")
    }
}
MATVIEWS = [("atlas_api", "web_regions"), ("public", "taxa_obs_group_lookup"), ("api", "taxa")]
TABLES = [
    ("atlas/obs_region_counts", "obs_region_counts"),
    ("atlas/obs_regions_taxa_datasets_counts", "obs_regions_taxa_datasets_counts"),
]


def psql_script(conn: psycopg.Connection, resolver: ChecklistResolver) -> str:
    """The assets' statements for a full refresh with nothing new to resolve, as psql text."""

    def text(group: str, name: str, **identifiers) -> str:
        return compose(group, name, **identifiers).as_string(conn)

    def literal(group: str, name: str, **params) -> str:
        query = statement(group, name)
        for key, value in params.items():
            query = query.replace(f"%({key})s", sql.Literal(value).as_string(conn))
        return query

    lines = ["\\set ON_ERROR_STOP on", "\\timing off"]
    for group in ("atlas/taxa_ref", "atlas/taxa_vernacular"):
        params = {"full": False, "resolver": resolver.resolver_name}
        params["sources"] = list(resolver.sources)
        lines += [statement(group, "track_unlinked"), "BEGIN;", literal(group, "pending", **params)]
        if group == "atlas/taxa_ref":
            lines += [statement(group, "remove_orphan_refs"), statement(group, "totals")]
        else:
            lines += [
                statement(group, n)
                for n in (
                    "desired_lookup",
                    "remove_lookup",
                    "add_lookup",
                    "remove_orphan_vernacular",
                    "totals",
                )
            ]
        lines.append("COMMIT;")
    for schema, name in MATVIEWS:
        relation, snapshot = (schema, name), f"prev_{name}"
        unique = conn.execute(
            statement("core/refresh", "has_usable_unique_index"), {"schema": schema, "name": name}
        ).fetchone()[0]
        lines += [
            "BEGIN;",
            text("core/refresh", "snapshot_row_hashes", snapshot=snapshot, relation=relation),
            text(
                "core/refresh",
                "refresh_concurrently" if unique else "refresh_plain",
                relation=relation,
            ),
            text("core/refresh", "count_rows", relation=relation),
            text("core/refresh", "diff_against_snapshot", relation=relation, snapshot=snapshot),
            "COMMIT;",
        ]
    for group, name in TABLES:
        build, live = (BUILD_SCHEMA, name), ("atlas_api", name)
        lines += [
            "BEGIN;",
            text("core/refresh", "drop_table_if_exists", relation=build),
            text(group, "build", table=build),
            text(group, "indexes", table=build),
            text("core/refresh", "analyze", relation=build),
            text("core/refresh", "count_rows", relation=build),
            diff_by_key(conn, build, live),
            text("core/refresh", "drop_table", relation=live),
            text("core/refresh", "move_table", relation=build, schema="atlas_api"),
            "COMMIT;",
        ]
    return "\n".join(lines) + "\n"


def diff_by_key(conn: psycopg.Connection, new: tuple[str, str], old: tuple[str, str]) -> str:
    """The key-based diff the rebuild runs, with the key read from the live table's index."""
    key = conn.execute(
        statement("core/refresh", "unique_key_columns"), {"schema": old[0], "name": old[1]}
    ).fetchone()[0]
    return (
        sql.SQL(statement("core/refresh", "diff_by_key"))
        .format(
            new=sql.Identifier(*new),
            old=sql.Identifier(*old),
            key=sql.SQL(", ").join(map(sql.Identifier, key)),
        )
        .as_string(conn)
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    with temporary_cluster(55499, ["atlas"]) as (cluster, home):
        load_atlas(cluster, "atlas", args.observations, capture=False)
        resources = {
            "atlas_db": PostgresResource(url=cluster.url("atlas")),
            "taxonomy": ChecklistResolver(accept_unresolved=True),  # the demo data's own unknowns
        }
        everything = [*sources.ALL, *DERIVED]
        selection = dg.AssetSelection.assets(*DERIVED)
        assert dg.materialize(everything, resources=resources, selection=selection).success
        with cluster.connect("atlas") as conn:
            script = psql_script(conn, resources["taxonomy"])
        script_path = home / "refresh.sql"
        script_path.write_text(script)

        dagster_s, psql_s = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            subprocess.run(
                [
                    "psql",
                    "-X",
                    "-q",
                    "-o",
                    "/dev/null",
                    "-f",
                    str(script_path),
                    cluster.url("atlas"),
                ],
                check=True,
                env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"},
            )
            psql_s.append(time.perf_counter() - started)
            started = time.perf_counter()
            result = dg.materialize(
                everything, resources=resources, selection=selection, run_config=FULL_COUNTS
            )
            dagster_s.append(time.perf_counter() - started)
            assert result.success
        d, p = statistics.median(dagster_s), statistics.median(psql_s)
        print(f"full refresh, {args.observations:,} observations, median of {args.repeat}:")
        print(f"  psql script        {p:8.1f} s   runs {', '.join(f'{x:.1f}' for x in psql_s)}")
        print(f"  dagster in-process {d:8.1f} s   runs {', '.join(f'{x:.1f}' for x in dagster_s)}")
        print(f"  ratio dagster/psql {d / p:8.3f}   (target <= 1.15)")


if __name__ == "__main__":
    main()

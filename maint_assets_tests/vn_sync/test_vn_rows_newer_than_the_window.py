"""The repair's "kept_newer" test of a production place against the window's
fetched_xid (reconcile.sql place_changes), evaluated as the repair evaluates it: in its own
READ COMMITTED transaction, which wrote before (bookkeeping 'repairing'), while the live sync
commits a newer place meanwhile (the repair reads observations for minutes first)."""

import os
import re
from pathlib import Path

from psycopg import sql

from maint_assets.demo.local_cluster import LocalCluster
from maint_assets.vn_sync.coverage import Window

RECONCILE = Path(__file__).parents[2] / "sql" / "vn_sync" / "reconcile.sql"


def _kept_newer_predicate() -> str:
    """The condition of place_changes' 'kept_newer' branch that compares p.xmin."""
    text = RECONCILE.read_text()
    body = text[text.index("-- name: place_changes"):]
    body = body[: body.index("-- name:", 10)]
    body = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith("--"))
    found = re.search(r"WHEN\s+((?:(?!WHEN\b).)*?fetched_xid(?:(?!WHEN\b).)*?)\s+THEN 'kept_newer'",
                      body, re.S)
    assert found, "place_changes has no kept_newer branch on fetched_xid"
    return found.group(1)


def test_a_place_the_live_sync_stores_while_the_repair_runs_is_kept(
    pg_cluster: LocalCluster,
) -> None:
    name = f"review_s35_xid_{os.getpid()}"
    pg_cluster.up([name])
    try:
        with pg_cluster.connect(name, autocommit=True) as setup:
            setup.execute("CREATE TABLE places_json (id int PRIMARY KEY, item jsonb)")
            setup.execute("CREATE TABLE bookkeeping (x int)")
            setup.execute("""INSERT INTO places_json VALUES (1, '{"name": "old"}')""")
            # the window's last fetch begins (coverage.sql xid_horizon)
            fetched = int(setup.execute(
                "SELECT pg_snapshot_xmax(pg_current_snapshot())::text").fetchone()[0])
        params = Window(1, "window", "x", 0, 0, ("places_json",), "r", fetched).xid_params
        predicate = sql.SQL(_kept_newer_predicate())  # type: ignore[arg-type]
        query = sql.SQL("SELECT {} FROM places_json p WHERE p.id = 1").format(predicate)
        with pg_cluster.connect(name) as repair, pg_cluster.connect(name, autocommit=True) as live:
            repair.execute("INSERT INTO bookkeeping VALUES (1)")  # 'repairing': an xid
            repair.execute(query, params)  # the forms' statement: age() fixed from here on
            live.execute("""UPDATE places_json SET item = '{"name": "renamed"}' WHERE id = 1""")
            kept = repair.execute(query, params).fetchone()[0]
            repair.rollback()
        assert kept, (
            "the live sync stored place 1 after the window's fetched_xid, while the repair "
            "ran; the repair's next statement takes it as older (age(xmin) < 0 from the "
            "repair's own xid) and would put the check copy's older place back over it")
    finally:
        with pg_cluster.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))

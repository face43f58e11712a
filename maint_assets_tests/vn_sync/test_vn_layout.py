"""The vn_sync package's names, without a server: every SQL file keys.py names exists and holds
the statements the package runs from it, and the jobs configure the check copy's own op."""

import ast
from pathlib import Path

import dagster as dg

from maint_assets.core.sql_files import statements
from maint_assets.definitions import defs
from maint_assets.vn_sync import keys
from maint_assets.vn_sync.automation import CHECK_COPY_OP, JOBS
from maint_assets.vn_sync.reconcile import CHANGES, WRITES

PACKAGE = Path(keys.__file__).parent
SQL_FILES = {name: getattr(keys, name) for name in dir(keys) if name.startswith("SQL_")}


def _calls() -> set[tuple[str, str]]:
    """(keys constant, statement name) of every statement()/compose() call with literals."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in {"statement", "compose"} and len(node.args) >= 2
                and isinstance(node.args[0], ast.Name) and isinstance(node.args[1], ast.Constant)
            ):
                found.add((node.args[0].id, node.args[1].value))
    return found


def test_every_statement_the_package_runs_is_in_its_sql_file() -> None:
    calls = _calls()
    assert {constant for constant, _ in calls} <= set(SQL_FILES) - {"SQL_DIR"}
    missing = {
        (constant, name) for constant, name in calls
        if name not in statements(SQL_FILES[constant])
    }
    assert missing == set()
    # the statements named through the literal mappings, in both files that have them
    for sql_file in (keys.SQL_RECONCILE, keys.SQL_VN_CHECK_COPY):
        named = {*CHANGES.values(), *(n for w in WRITES.values() for n in w.values())}
        assert named <= set(statements(sql_file)), sql_file


def test_the_check_copy_is_one_asset_upstream_of_production() -> None:
    graph = defs.resolve_asset_graph()
    assert graph.get(keys.VN_CHECK_COPY).is_materializable
    for key in keys.PRODUCTION_TABLES.values():
        assert graph.get(key).parent_keys == {keys.VN_CHECK_COPY}
    for job in JOBS:
        resolved = defs.resolve_job_def(job.name)
        assert CHECK_COPY_OP in {n.name for n in resolved.graph.node_defs}, job.name
        assert isinstance(resolved, dg.JobDefinition)

"""Staging ingest and the production switch against the session's PostgreSQL: readers during
the switch, users' edits during the ingest, refused checks, rollback, retention."""

import json
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import psycopg
import pytest
import yaml
from psycopg import sql
from psycopg.conninfo import make_conninfo

from maint_assets.cli.roles import ROLE_TARGETS
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.roles import apply, maintained_relations
from maint_assets.definitions import defs
from maint_assets.demo.ingest_data import DEMO_TABLES_FILE, write_source
from maint_assets.ingest import assets
from maint_assets.ingest.automation import ingest_weekly_schedule, rollback_production_job
from maint_assets.ingest.keys import INGEST_STAGING
from maint_assets.ingest.resources import IngestSettings
from maint_assets.ingest.tables import SpecError, load_spec
from maint_assets_tests.copy_killer import copy_ended_once
from maint_assets_tests.login_roles import scratch_roles

PRODUCTION_OP = assets.ingest_production.op.name


def _resources(url: str, source: Path, tables: Path = DEMO_TABLES_FILE) -> dict:
    return {
        "ingest_db": PostgresResource(url=url, lock_timeout_s=10),
        "ingest": IngestSettings(tables_file=str(tables), source_url=str(source)),
    }


def _ingest(
    url: str, source: Path, confirm: str | None = "portal", **kw
) -> dg.ExecuteInProcessResult:
    config = {"confirm_production": confirm} if confirm is not None else {}
    return dg.materialize(
        [assets.ingest_staging, assets.ingest_production],
        resources=_resources(url, source, **kw),
        run_config={"ops": {PRODUCTION_OP: {"config": config}}},
        raise_on_error=False,
    )


def _rollback(
    url: str, source: Path, confirm: str = "portal", instance: dg.DagsterInstance | None = None
) -> dg.ExecuteInProcessResult:
    return rollback_production_job.execute_in_process(
        resources=_resources(url, source),
        run_config={"ops": {"rollback_production": {"config": {"confirm_production": confirm}}}},
        raise_on_error=False,
        instance=instance,
    )


def _counts(url: str) -> tuple[int, int, int, str]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT (SELECT count(*) FROM portal.study), (SELECT count(*) FROM portal.biosample),"
            " (SELECT count(*) FROM portal.data_object), (SELECT min(name) FROM portal.study)"
        ).fetchone()


def test_the_first_ingest_names_no_previous_version(empty_db: str, tmp_path: Path) -> None:
    """A database without production: the first switch archived nothing, yet its metadata
    named a previous version that never existed (a newcomer's walkthrough, session 33), and
    the rollback it suggested was refused."""
    source = tmp_path / "source"
    write_source(source, version=1)
    first = _ingest(empty_db, source)
    assert first.success, _error(first)
    assert _meta(first)["previous_version"] == "none (the first version)"
    write_source(source, version=2)
    second = _ingest(empty_db, source)
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = %s)",
                            [_meta(second)["previous_version"]]).fetchone()[0]


def test_readers_see_only_complete_versions_and_user_edits_survive(
    portal: tuple[str, Path],
) -> None:
    url, source = portal
    write_source(source, studies=30, version=2)  # 1 500 biosamples instead of 1 000
    seen, errors, stop = set(), [], threading.Event()

    def read() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            while not stop.is_set():
                try:
                    seen.add(
                        conn.execute(
                            "SELECT (SELECT count(*) FROM portal.biosample),"
                            " (SELECT count(*) FROM portal.submissions)"
                        ).fetchone()
                    )
                except psycopg.Error as err:
                    errors.append(err)

    def edit() -> None:  # a user keeps submitting during the ingest and the switch
        with psycopg.connect(url, autocommit=True) as conn:
            while not stop.is_set():
                conn.execute("INSERT INTO portal.submissions (author, body) VALUES ('bob', 'x')")

    threads = [threading.Thread(target=read), threading.Thread(target=edit)]
    for t in threads:
        t.start()
    try:
        result = _ingest(url, source)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert result.success, result.get_step_failure_events()
    assert errors == []
    assert 1000 in {b for b, _ in seen} and {b for b, _ in seen} <= {1000, 1500}
    with psycopg.connect(url) as conn:
        submitted = conn.execute("SELECT count(*) FROM portal.submissions").fetchone()[0]
        assert (
            submitted
            == 1
            + conn.execute(
                "SELECT count(*) FROM portal.submissions WHERE author = 'bob'"
            ).fetchone()[0]
        )
        assert (
            conn.execute("SELECT count(*) FROM portal.submissions WHERE author = 'ann'").fetchone()[
                0
            ]
            == 1
        )
    assert submitted >= max(s for _, s in seen)  # no edit lost at the switch
    assert _counts(url)[:3] == (30, 1500, 4500)
    meta = {
        k: v.value
        for k, v in result.get_asset_materialization_events()[-1].materialization.metadata.items()
    }
    assert meta["carried_over"] == ["submissions"] and meta["locks_held_ms"] < 1000


def test_the_switch_needs_a_confirmation_naming_production(portal: tuple[str, Path]) -> None:
    """Like "Materialize all": without confirm_production naming the production schema the
    run succeeds, staging is loaded, production is not switched and the log says how to."""
    url, source = portal
    write_source(source, studies=30, version=2)
    with dg.instance_for_test() as instance:
        for config in ({}, {"confirm_production": "prod"}):
            result = dg.materialize(
                [assets.ingest_staging, assets.ingest_production],
                resources=_resources(url, source),
                run_config={"ops": {PRODUCTION_OP: {"config": config}}},
                instance=instance,
            )
            assert result.success
            recorded = [e.asset_key for e in result.get_asset_materialization_events()]
            assert recorded == [INGEST_STAGING]
            assert _counts(url)[1] == 1000
            logs = [e.user_message for e in instance.all_logs(result.run_id)]
            assert any("set confirm_production to 'portal'" in m for m in logs)
    assert _ingest(url, source).success
    assert _counts(url)[1] == 1500


def test_a_failing_check_or_constraint_prevents_the_switch(portal: tuple[str, Path]) -> None:
    url, source = portal
    before = _counts(url)
    write_source(source, studies=5, version=3)  # 75 % fewer rows
    shrunk = _ingest(url, source)
    assert not shrunk.success
    checks = {e.check_name: e.passed for e in shrunk.get_asset_check_evaluations()}
    assert checks == {"required_tables_loaded": True, "no_table_shrinks": False}
    assert _counts(url) == before
    # the step's failure names the check; the check's evaluation (and the log) the tables
    (failed,) = [e for e in shrunk.get_asset_check_evaluations() if not e.passed]
    assert failed.description == (
        "lost more than max_shrink of their rows: study (20 -> 5), biosample (1000 -> 250),"
        " data_object (3000 -> 750)"
    )

    write_source(source, version=4)
    text = (source / "biosample.jsonl").read_text().replace('"depth_m": 0.5', '"depth_m": -1')
    (source / "biosample.jsonl").write_text(text)
    broken = _ingest(url, source)
    error = broken.get_step_failure_events()[0].event_specific_data.error.message
    assert 'portal__staging.biosample breaks CHECK ("depth_m" >= 0)' in error
    assert _counts(url) == before

    (source / "data_object.csv").unlink()
    missing = _ingest(url, source)
    assert (
        "data_object.csv" in missing.get_step_failure_events()[0].event_specific_data.error.message
    )
    assert _counts(url) == before


def test_rollback_restores_the_previous_version_and_retention_keeps_n(
    portal: tuple[str, Path],
) -> None:
    url, source = portal
    assert not _rollback(url, source, confirm="prod").success  # confirmation names the schema
    for version in (2, 3, 4, 5):
        write_source(source, version=version)
        assert _ingest(url, source).success
    assert _counts(url)[3] == "Study 0 v5"
    with psycopg.connect(url) as conn:
        kept = conn.execute(
            "SELECT archived_as FROM maint_assets.ingest_versions ORDER BY switched_at"
        ).fetchall()
        schemas = {
            s
            for (s,) in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'portal__v%'"
            )
        }
    assert len(kept) == 3 and schemas == {s for (s,) in kept}  # keep_versions: 3

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO portal.submissions (author, body) VALUES ('cid', 'late')")
    assert _rollback(url, source).success
    assert _counts(url)[3] == "Study 0 v4"
    with psycopg.connect(url) as conn:  # the users' table came along, with the late edit
        assert (
            conn.execute(
                "SELECT count(*) FROM portal.submissions WHERE author IN ('ann', 'cid')"
            ).fetchone()[0]
            == 2
        )
    assert _rollback(url, source).success and _counts(url)[3] == "Study 0 v3"
    assert _rollback(url, source).success and _counts(url)[3] == "Study 0 v2"
    refused = _rollback(url, source)
    assert not refused.success
    assert (
        "no previous version"
        in refused.get_step_failure_events()[0].event_specific_data.error.message
    )
    assert _counts(url)[3] == "Study 0 v2"


def test_hostile_names_from_the_table_list_are_quoted(empty_db: str, tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "t.csv").write_text('id,"we""ird; DROP TABLE x"\n1,a\n2,b\n')
    tables = tmp_path / "tables.yaml"
    tables.write_text(
        "production: 'Portal\"; DROP SCHEMA public CASCADE; --'\n"
        "tables:\n"
        "  - name: 'Table \"1\"; --'\n"
        "    file: t.csv\n"
        "    columns: {id: integer not null, 'we\"ird; DROP TABLE x': text}\n"
        "    primary_key: [id]\n"
        "    indexes: [['we\"ird; DROP TABLE x']]\n"
    )
    hostile = 'Portal"; DROP SCHEMA public CASCADE; --'
    assert _ingest(empty_db, source, confirm=hostile, tables=tables).success
    with psycopg.connect(empty_db) as conn:
        rows = conn.execute(
            'SELECT id, "we""ird; DROP TABLE x" FROM "Portal""; DROP SCHEMA public CASCADE; --".'
            '"Table ""1""; --" ORDER BY id'
        ).fetchall()
        assert (
            conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'public'").fetchone()[0]
            == 1
        )
    assert rows == [(1, "a"), (2, "b")]

    declared = tables.read_text()
    tables.write_text(declared.replace("integer not null", "integer); DROP SCHEMA x; --"))
    refused = _ingest(empty_db, source, tables=tables)
    assert not refused.success
    assert "invalid type" in refused.get_step_failure_events()[0].event_specific_data.error.message
    # words a type pattern lets through but no type has: SQL of the operator's, refused by
    # the server's type parser before any table is made (they were put in CREATE TABLE)
    for clause in ("integer references pg_authid", "text default current_user",
                   "int generated always as identity", "text unique", "integer check",
                   "varchar(0)", "anyelement", "pg_class", "pg_class[]"):
        tables.write_text(declared.replace("integer not null", f"'{clause}'"))
        refused = _ingest(empty_db, source, tables=tables)
        assert not refused.success, clause
        assert f"id: {clause!r} is not a type" in _error(refused), _error(refused)
    for type_ in ("character varying(12) not null", "numeric(10, 2)", "int4[]",
                  "timestamp with time zone", "double precision NOT NULL", "serial",
                  "bigint null", "timestamp(3) with time zone"):
        tables.write_text(declared.replace("integer not null", f"'{type_}'"))
        (source / "t.csv").write_text('id,"we""ird; DROP TABLE x"\n' + (
            "{1},a\n{2},b\n" if type_ == "int4[]" else "2024-01-02,a\n2024-01-03,b\n"
            if "timestamp" in type_ else "1,a\n2,b\n"))
        done = _ingest(empty_db, source, confirm=hostile, tables=tables)
        assert done.success, (type_, _error(done))


def _error(result: dg.ExecuteInProcessResult) -> str:
    return result.get_step_failure_events()[0].event_specific_data.error.message


def test_columns_are_loaded_by_name_and_a_renamed_one_is_refused(portal: tuple[str, Path]) -> None:
    url, source = portal
    write_source(source, version=2)
    # the same columns in another order: each value still goes to the column its header names
    study = source / "study.csv"
    rows = [line.split(",") for line in study.read_text().splitlines()]
    study.write_text("".join(f"{r[1]},{r[0]},{r[2]}\n" for r in rows))
    assert study.read_text().startswith("name,id,ecosystem\n")
    assert _ingest(url, source).success
    with psycopg.connect(url) as conn:
        joined = conn.execute(
            "SELECT count(*) FROM portal.biosample b JOIN portal.study s ON s.id = b.study_id"
        ).fetchone()[0]
    assert joined == 1000 and _counts(url)[3] == "Study 0 v2"

    before = _counts(url)
    write_source(source, version=3)
    study.write_text(study.read_text().replace("id,name,", "identifier,name,", 1))
    renamed = _ingest(url, source)
    assert not renamed.success
    assert "missing: 'id'; not a column: 'identifier'" in _error(renamed)
    assert _counts(url) == before

    write_source(source, version=4)
    lines = source / "biosample.jsonl"
    lines.write_text(lines.read_text().replace('"depth_m":', '"depth":'))
    renamed_key = _ingest(url, source)
    assert not renamed_key.success
    assert "missing: 'depth_m'; not a column: 'depth'" in _error(renamed_key)
    assert _counts(url) == before


def _users_schema(url: str, schema: str) -> None:
    """A schema the ingest did not create, holding someone's table of 1 000 rows."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        conn.execute(
            sql.SQL("CREATE TABLE {} AS SELECT generate_series(1, 1000) AS id").format(
                sql.Identifier(schema, "precious")
            )
        )


def _precious_rows(url: str, schema: str) -> int:
    with psycopg.connect(url) as conn:
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, "precious"))
        return conn.execute(query).fetchone()[0]


@pytest.mark.parametrize("production", ["p" * 63, "p" * 55, "é" * 20])
def test_a_production_name_too_long_for_its_versions_is_refused_before_anything(
    production: str, empty_db: str, tmp_path: Path
) -> None:
    """63 characters: PostgreSQL truncated '<production>__staging' to production itself, which
    the staging step dropped; 55 (or 20 two-byte characters, 40 bytes) is refused too: the
    versions' names would not fit."""
    source = tmp_path / "source"
    write_source(source)
    tables = tmp_path / "tables.yaml"
    spec = DEMO_TABLES_FILE.read_text()
    tables.write_text(spec.replace("production: portal", f"production: {production}"))
    _users_schema(empty_db, production)
    refused = _ingest(empty_db, source, tables=tables)
    assert not refused.success
    size = len(production.encode())
    assert f"production schema '{production}' is {size} bytes" in _error(refused)
    assert "must be 1 to 39 bytes" in _error(refused)
    assert _precious_rows(empty_db, production) == 1000


def test_schemas_the_ingest_did_not_create_are_never_dropped(empty_db: str, tmp_path: Path) -> None:
    source = tmp_path / "source"
    write_source(source)
    _users_schema(empty_db, "portal__staging")
    refused = _ingest(empty_db, source)
    assert "refusing to replace the schema portal__staging" in _error(refused)
    assert _precious_rows(empty_db, "portal__staging") == 1000

    # production made by hand before the ingest existed: switched out, kept past keep_versions
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("DROP SCHEMA portal__staging CASCADE")
    _users_schema(empty_db, "portal")
    tables = tmp_path / "tables.yaml"
    tables.write_text(DEMO_TABLES_FILE.read_text().replace("keep_versions: 3", "keep_versions: 1"))
    for version in (2, 3):
        write_source(source, version=version)
        result = _ingest(empty_db, source, tables=tables)
        assert result.success, _error(result)
    meta = result.get_asset_materialization_events()[-1].materialization.metadata
    (original,) = meta["kept_not_ours"].value
    assert meta["dropped_versions"].value == []
    with psycopg.connect(empty_db) as conn:
        schemas = {n for (n,) in conn.execute("SELECT nspname FROM pg_namespace")}
    assert original in schemas, (original, schemas)
    assert _precious_rows(empty_db, "portal") == 1000  # the users' table was carried over


def test_row_checks_are_data_never_sql(empty_db: str, tmp_path: Path) -> None:
    """A check written as SQL is refused when the list is read; a structured check's value is
    a literal, so a hostile one only fails the check."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "t.csv").write_text("id,label\n1,a\n")
    tables = tmp_path / "tables.yaml"
    entry = (
        "production: portal\n"
        "tables:\n"
        "  - name: t\n"
        "    file: t.csv\n"
        "    columns: {id: integer not null, label: text}\n"
        "    primary_key: [id]\n"
    )
    tables.write_text(entry + '    checks: ["id > 0); DROP SCHEMA public CASCADE; --"]\n')
    with pytest.raises(SpecError, match="a check is"):
        load_spec(tables)
    refused = _ingest(empty_db, source, tables=tables)
    assert not refused.success and "a check is" in _error(refused)

    hostile = "a'); DROP SCHEMA public CASCADE; --"
    tables.write_text(
        entry + f"    checks: [{{column: label, operator: '=', value: \"{hostile}\"}}]\n"
    )
    (check,) = load_spec(tables).tables[0].checks
    assert (check.column, check.operator, check.value) == ("label", "=", hostile)
    failed = _ingest(empty_db, source, tables=tables)
    assert not failed.success and "portal__staging.t breaks CHECK" in _error(failed)
    with psycopg.connect(empty_db) as conn:
        assert (
            conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'public'").fetchone()[0]
            == 1
        )

    tables.write_text(entry + "    checks: [{column: nope, operator: '>', value: 0}]\n")
    with pytest.raises(SpecError, match="not a column"):
        load_spec(tables)
    tables.write_text(entry + "    checks: [{column: id, operator: 'between', value: 0}]\n")
    with pytest.raises(SpecError, match="unknown check operator"):
        load_spec(tables)
    tables.write_text(entry + "    drop_columns: doi\n")
    with pytest.raises(SpecError, match="drop_columns lists column names"):
        load_spec(tables)


def test_the_weekly_schedule_confirms_the_switch_of_its_production(tmp_path: Path) -> None:
    settings = IngestSettings(tables_file=str(DEMO_TABLES_FILE), source_url=str(tmp_path))
    with (
        dg.instance_for_test() as instance,
        dg.build_schedule_context(instance=instance, resources={"ingest": settings}) as context,
    ):
        [request] = ingest_weekly_schedule.evaluate_tick(context).run_requests
    assert request.run_config == {
        "ops": {PRODUCTION_OP: {"config": {"confirm_production": "portal"}}}
    }


def _foreign_keys(url: str) -> dict[str, tuple[str, str]]:
    with psycopg.connect(url) as conn:
        return {
            table: (target, definition)
            for table, target, definition in conn.execute(
                "SELECT conrelid::regclass::text, confrelid::regclass::text,"
                " pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f'"
            )
        }


def _meta(result: dg.ExecuteInProcessResult) -> dict:
    return {
        k: v.value
        for k, v in result.get_asset_materialization_events()[-1].materialization.metadata.items()
    }


def test_foreign_keys_and_views_follow_the_switch_and_pruning_never_drops_them(
    portal: tuple[str, Path],
) -> None:
    """nmdc-server's bulk_download_data_object has a foreign key into data_object: after a
    switch it, another schema's foreign key and a reader's view use the new version; a
    dependent the switch cannot move keeps its version from being pruned."""
    url, source = portal
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE portal.bulk_download_data_object (bulk_download_id int NOT NULL,"
            " data_object_id text NOT NULL REFERENCES portal.data_object (id) ON DELETE CASCADE,"
            " PRIMARY KEY (bulk_download_id, data_object_id))"
        )
        conn.execute("INSERT INTO portal.bulk_download_data_object VALUES (1, 'do-0-0-0')")
        conn.execute("CREATE SCHEMA reports")
        conn.execute(
            "CREATE VIEW reports.study_names WITH (security_barrier) AS"
            " SELECT s.id, s.name, count(d.*) AS downloads FROM portal.study s"
            " LEFT JOIN portal.biosample b ON b.study_id = s.id"
            " LEFT JOIN portal.bulk_download_data_object d ON d.data_object_id LIKE 'do-' || "
            " substr(b.id, 4) || '-%' GROUP BY s.id, s.name"
        )
        conn.execute(
            "CREATE TABLE reports.favourite (study_id text"
            " REFERENCES portal.study (id) DEFERRABLE INITIALLY DEFERRED)"
        )
        conn.execute("INSERT INTO reports.favourite VALUES ('st-1')")
    expected = {
        "portal.bulk_download_data_object": (
            "portal.data_object",
            "FOREIGN KEY (data_object_id) REFERENCES portal.data_object(id) ON DELETE CASCADE",
        ),
        "reports.favourite": (
            "portal.study",
            "FOREIGN KEY (study_id) REFERENCES portal.study(id) DEFERRABLE INITIALLY DEFERRED",
        ),
    }
    write_source(source, objects=4, version=2)  # do-0-0-3 is new in this version
    result = _ingest(url, source)
    assert result.success, _error(result)
    assert _foreign_keys(url) == expected
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO portal.bulk_download_data_object VALUES (2, 'do-0-0-3')")
        assert conn.execute(
            "SELECT name, downloads FROM reports.study_names WHERE id = 'st-0'"
        ).fetchone() == ("Study 0 v2", 2)
        assert conn.execute(
            "SELECT reloptions FROM pg_class WHERE oid = 'reports.study_names'::regclass"
        ).fetchone()[0] == ["security_barrier=true"]
    assert _meta(result)["left_on_previous_version"] == []

    for version in (3, 4, 5):  # keep_versions 3: the versions they were made on are dropped
        write_source(source, objects=4, version=version)
        assert _ingest(url, source).success
    assert _foreign_keys(url) == expected
    with psycopg.connect(url) as conn:
        assert conn.execute(
            "SELECT name, downloads FROM reports.study_names WHERE id = 'st-0'"
        ).fetchone() == ("Study 0 v5", 2)

    # a materialized view cannot be re-pointed: its version is kept, and says why
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE MATERIALIZED VIEW reports.studies AS SELECT count(*) FROM portal.study"
        )
    write_source(source, objects=4, version=6)
    result = _ingest(url, source)
    assert result.success
    left = "rule _RETURN on materialized view reports.studies"
    assert _meta(result)["left_on_previous_version"] == [left]
    for version in (7, 8, 9):
        write_source(source, objects=4, version=version)
        result = _ingest(url, source)
        assert result.success
    (held,) = _meta(result)["kept_with_dependents"].items()
    assert held[1] == [left]
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT * FROM reports.studies").fetchone() == (20,)
        assert conn.execute(
            "SELECT count(*) FROM maint_assets.ingest_versions WHERE archived_as = %s", [held[0]]
        ).fetchone() == (1,)

    # a new version without a data object a user downloaded is refused, naming the key
    write_source(source, objects=4, version=10)
    objects = source / "data_object.csv"
    objects.write_text("".join(
        line for line in objects.read_text().splitlines(keepends=True)
        if not line.startswith("do-0-0-3,")
    ))
    before = _counts(url)
    refused = _ingest(url, source)
    assert not refused.success
    assert "bulk_download_data_object_data_object_id_fkey" in _error(refused)
    assert "production is untouched" in _error(refused)
    assert _counts(url) == before and _foreign_keys(url) == expected

    # with keep_orphaned_rows the user's row stays, the key checks new rows only, and is
    # validated again once the object is back
    spec = yaml.safe_load(DEMO_TABLES_FILE.read_text()) | {"keep_orphaned_rows": True}
    tables = source.parent / "tables.yaml"
    tables.write_text(yaml.safe_dump(spec))
    kept = _ingest(url, source, tables=tables)
    assert kept.success, _error(kept)
    key = "portal.bulk_download_data_object.bulk_download_data_object_data_object_id_fkey"
    assert _meta(kept)["orphaned_rows"] == {key: 1}

    def validated() -> bool:
        with psycopg.connect(url) as conn:
            return conn.execute(
                "SELECT convalidated FROM pg_constraint"
                " WHERE conname = 'bulk_download_data_object_data_object_id_fkey'"
            ).fetchone()[0]

    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute(
            "SELECT count(*) FROM portal.bulk_download_data_object"
            " WHERE data_object_id = 'do-0-0-3'"
        ).fetchone() == (1,)
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute("INSERT INTO portal.bulk_download_data_object VALUES (3, 'do-9')")
    assert not validated()
    write_source(source, objects=4, version=11)
    back = _ingest(url, source, tables=tables)
    assert back.success, _error(back)
    assert _meta(back)["orphaned_rows"] == {} and validated()

    # a key a DBA made NOT VALID (old rows accepted as they are) stays so, without the option
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE portal.bulk_download_data_object DROP CONSTRAINT"
                     " bulk_download_data_object_data_object_id_fkey")
        conn.execute("ALTER TABLE portal.bulk_download_data_object ADD CONSTRAINT"
                     " bulk_download_data_object_data_object_id_fkey FOREIGN KEY (data_object_id)"
                     " REFERENCES portal.data_object (id) ON DELETE CASCADE NOT VALID")
    write_source(source, objects=4, version=12)
    objects.write_text("".join(
        line for line in objects.read_text().splitlines(keepends=True)
        if not line.startswith("do-0-0-3,")
    ))
    weak = _ingest(url, source)
    assert weak.success, _error(weak)
    assert _meta(weak)["orphaned_rows"] == {key: 1} and not validated()



def _keys_of(url: str, schema: str) -> dict[str, str]:
    """The foreign keys of ``schema``'s tables, with what they reference."""
    with psycopg.connect(url) as conn:
        return dict(conn.execute(
            "SELECT c.relname || '.' || k.conname, tn.nspname || '.' || t.relname"
            " FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
            " JOIN pg_class t ON t.oid = k.confrelid"
            " JOIN pg_namespace tn ON tn.oid = t.relnamespace WHERE k.contype = 'f'"
            " AND k.conparentid = 0"
            " AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %s)", [schema]
        ).fetchall())


def test_foreign_keys_of_the_loaded_tables_follow_the_switch_and_the_rollback(
    portal: tuple[str, Path],
) -> None:
    """nmdc-server's alembic migrations make keys between the tables its ingest reloads
    (``fk_biosample_study_id_study``: biosample.study_id into study.id); an analyst's key may
    lead from a loaded table to a users' table the switch carries over. Each version switched
    in has them, into its own tables and the carried one; the archived version keeps only
    those between its own tables (a key into the users' table would hold back, or cascade
    into, production's rows); a version that breaks one is refused, naming it. The switch
    dropped them all without a word."""
    url, source = portal
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE portal.ecosystems (name text PRIMARY KEY)")
        conn.execute("INSERT INTO portal.ecosystems VALUES ('soil'), ('marine'), ('host')")
        conn.execute("ALTER TABLE portal.biosample ADD CONSTRAINT fk_biosample_study_id_study"
                     " FOREIGN KEY (study_id) REFERENCES portal.study (id)")
        conn.execute("ALTER TABLE portal.data_object ADD CONSTRAINT fk_data_object_biosample"
                     " FOREIGN KEY (biosample_id) REFERENCES portal.biosample (id)"
                     " ON DELETE CASCADE DEFERRABLE")
        conn.execute("ALTER TABLE portal.study ADD CONSTRAINT study_ecosystem_fkey"
                     " FOREIGN KEY (ecosystem) REFERENCES portal.ecosystems (name)")
        # and a composite MATCH FULL key into another schema's partitioned table
        conn.execute("CREATE SCHEMA reports")
        conn.execute("CREATE TABLE reports.study_kinds (id text, ecosystem text,"
                     " PRIMARY KEY (id, ecosystem)) PARTITION BY LIST (ecosystem)")
        conn.execute("CREATE TABLE reports.study_kinds_all PARTITION OF reports.study_kinds"
                     " DEFAULT")
        conn.execute("INSERT INTO reports.study_kinds SELECT 'st-' || i, e FROM"
                     " generate_series(0, 29) i, unnest('{soil,marine,host}'::text[]) e")
        conn.execute("ALTER TABLE portal.study ADD CONSTRAINT study_kind_fkey FOREIGN KEY"
                     " (id, ecosystem) REFERENCES reports.study_kinds MATCH FULL")
    keys = {
        "biosample.fk_biosample_study_id_study": "portal.study",
        "data_object.fk_data_object_biosample": "portal.biosample",
        "study.study_ecosystem_fkey": "portal.ecosystems",
        "study.study_kind_fkey": "reports.study_kinds",
    }
    assert _keys_of(url, "portal") == keys
    write_source(source, version=2)
    result = _ingest(url, source)
    assert result.success, _error(result)
    assert _keys_of(url, "portal") == keys
    assert _meta(result)["not_carried"] == []
    with psycopg.connect(url) as conn:
        archived = conn.execute(
            "SELECT archived_as FROM maint_assets.ingest_versions ORDER BY switched_at DESC"
        ).fetchone()[0]
        assert conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname ="
            " 'fk_data_object_biosample' AND conrelid = 'portal.data_object'::regclass"
        ).fetchone() == (
            "FOREIGN KEY (biosample_id) REFERENCES portal.biosample(id) ON DELETE CASCADE"
            " DEFERRABLE",
        )
    assert _keys_of(url, archived) == {
        "biosample.fk_biosample_study_id_study": f"{archived}.study",
        "data_object.fk_data_object_biosample": f"{archived}.biosample",
    }
    # the key into the carried table is made NOT VALID under the locks (validating it there
    # held every reader for as long as the scan) and validated after the switch committed
    with psycopg.connect(url) as conn:
        assert conn.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conparentid = 0"
            " AND connamespace = 'portal'::regnamespace AND NOT convalidated").fetchall() == [], \
            _meta(result)["foreign_keys_not_valid"]
    with psycopg.connect(url, autocommit=True) as conn:  # enforced on production's rows
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute("INSERT INTO portal.biosample (id, study_id) VALUES ('bs-x', 'st-x')")
        conn.execute("INSERT INTO portal.ecosystems VALUES ('lake')")

    assert _rollback(url, source).success
    assert _counts(url)[3] == "Study 0 v1"
    assert _keys_of(url, "portal") == keys

    # a version whose rows break a key is refused, naming it: between loaded tables ...
    write_source(source, version=3)
    studies = source / "study.csv"
    studies.write_text("".join(
        line for line in studies.read_text().splitlines(keepends=True)
        if not line.startswith("st-19,")
    ))
    refused = _ingest(url, source)
    assert not refused.success
    assert "fk_biosample_study_id_study" in _error(refused)
    assert "production is untouched" in _error(refused)
    # ... and into the carried table
    write_source(source, version=3)
    studies.write_text(studies.read_text().replace(",host\n", ",cave\n", 1))
    refused = _ingest(url, source)
    assert not refused.success
    assert "study_ecosystem_fkey" in _error(refused)
    # ... and MATCH FULL with half its key NULL (taken as unchecked, as MATCH SIMPLE has it,
    # the switch went through and the key stayed NOT VALID)
    write_source(source, version=3)
    studies.write_text(studies.read_text().replace(",host\n", ",\n", 1))
    refused = _ingest(url, source)
    assert not refused.success
    assert "row(s) of the new version's study break the foreign key study_kind_fkey" \
        in _error(refused), _error(refused)
    assert _counts(url)[3] == "Study 0 v1" and _keys_of(url, "portal") == keys

    # A version archived before keys out of it were dropped still holds one: the next switch
    # drops it (it refused the deletion of any ecosystem its old rows named). A version
    # whose study has no name any more: a DBA's key from data_object into study's name is
    # reported, not a reason to refuse every ingest from then on.
    with psycopg.connect(url, autocommit=True) as conn:
        archived = conn.execute(  # the version the rollback replaced
            "SELECT archived_as FROM maint_assets.ingest_versions ORDER BY switched_at DESC"
        ).fetchone()[0]
        conn.execute(sql.SQL(
            "ALTER TABLE {}.study ADD CONSTRAINT old_study_ecosystem_fkey FOREIGN KEY"
            " (ecosystem) REFERENCES portal.ecosystems (name)").format(sql.Identifier(archived)))
        conn.execute("ALTER TABLE portal.study ADD CONSTRAINT study_name_key UNIQUE (name)")
        conn.execute("ALTER TABLE portal.data_object ADD CONSTRAINT data_object_url_fkey"
                     " FOREIGN KEY (url) REFERENCES portal.study (name) NOT VALID")
    spec = yaml.safe_load(DEMO_TABLES_FILE.read_text())
    del spec["tables"][0]["columns"]["name"]
    spec["tables"][0]["drop_columns"] = ["name"]
    tables = source.parent / "nameless.yaml"
    tables.write_text(yaml.safe_dump(spec))
    write_source(source, version=4)
    rows = [line.split(",") for line in studies.read_text().splitlines()]
    studies.write_text("".join(f"{r[0]},{r[2]}\n" for r in rows))
    nameless = _ingest(url, source, tables=tables)
    assert nameless.success, _error(nameless)
    assert any("data_object_url_fkey" in n for n in _meta(nameless)["not_carried"])
    assert _keys_of(url, archived) == {
        "biosample.fk_biosample_study_id_study": f"{archived}.study",
        "data_object.fk_data_object_biosample": f"{archived}.biosample",
    }
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM portal.ecosystems WHERE name = 'lake'")


def test_an_extension_installed_in_production_stays_in_production(
    portal: tuple[str, Path],
) -> None:
    """nmdc-server's migration eb9d9e3f3fbc_user_model runs CREATE EXTENSION "uuid-ossp" in
    its production schema and gives the users' table user_logins the default
    uuid_generate_v4(). The switch renamed production away with the extension in it:
    production had no uuid_generate_v4() any more. One that cannot be moved refuses the
    switch before anything moves."""
    url, source = portal
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute('CREATE EXTENSION "uuid-ossp" WITH SCHEMA portal')
        # one with views of its own: they move with it, not copied as production's views
        conn.execute("CREATE EXTENSION pg_stat_statements WITH SCHEMA portal")
        conn.execute("CREATE TABLE portal.user_logins (id uuid NOT NULL"
                     " DEFAULT portal.uuid_generate_v4() PRIMARY KEY, orcid text NOT NULL)")
        conn.execute("INSERT INTO portal.user_logins (orcid) VALUES ('0000-0001')")

    def home() -> str:
        with psycopg.connect(url) as conn:
            return conn.execute(
                "SELECT extnamespace::regnamespace::text FROM pg_extension"
                " WHERE extname = 'uuid-ossp'"
            ).fetchone()[0]

    write_source(source, version=2)
    result = _ingest(url, source)
    assert result.success, _error(result)
    assert {"extension uuid-ossp", "extension pg_stat_statements"} <= set(
        _meta(result)["carried_over"])
    assert home() == "portal"
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT schemaname FROM pg_views"
                            " WHERE viewname = 'pg_stat_statements'").fetchall() == [("portal",)]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO portal.user_logins (orcid) VALUES ('0000-0002')")
        # what the application's next migration does
        conn.execute("CREATE TABLE portal.website (id uuid DEFAULT portal.uuid_generate_v4())")
    assert _rollback(url, source).success
    assert home() == "portal" and _counts(url)[3] == "Study 0 v1"

    # the ingest's least-privileged role may not move the superuser's extension: refused
    # before anything moves (it was refused under the switch's locks, with a remedy that
    # does not apply to an extension)
    role, password = f"maint_ingest_{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    needs = ROLE_TARGETS["ingest"].resolve(production_schema="portal")
    with psycopg.connect(url, autocommit=True) as conn:
        apply(conn, role, needs, maintained_relations(defs, needs.key_prefix))
        conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(  # test-only, as above
            sql.Identifier(role), sql.Literal(password)))
        admin = conn.execute("SELECT current_user").fetchone()[0]
    try:
        refused = _ingest(make_conninfo(url, user=role, password=password), source)
        assert not refused.success
        assert f"uuid-ossp (owned by {admin}) are installed in it, and only their owner may" \
            in _error(refused), _error(refused)
        assert home() == "portal" and _counts(url)[3] == "Study 0 v1"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            names = sql.Identifier(role), sql.Identifier(admin)
            conn.execute(sql.SQL("REASSIGN OWNED BY {} TO {}").format(*names))
            conn.execute(sql.SQL("DROP OWNED BY {}").format(names[0]))
            conn.execute(sql.SQL("DROP ROLE {}").format(names[0]))

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION postgis WITH SCHEMA portal")
    write_source(source, version=3)
    refused = _ingest(url, source)
    assert not refused.success
    assert "extension(s) postgis are installed in it and cannot be moved" in _error(refused)
    assert _counts(url)[3] == "Study 0 v1"

def _short_reader(url: str, stop: threading.Event, waits: list[float]) -> None:
    """A reader's plain SELECT, again and again: how long each one waited."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET statement_timeout = '20s'")
        while not stop.is_set():
            started = time.monotonic()
            conn.execute("SELECT count(*) FROM portal.submissions").fetchone()
            waits.append(time.monotonic() - started)
            time.sleep(0.02)


def _long_reader(url: str, holding: threading.Event, release: threading.Event) -> None:
    """A nightly pg_dump: ACCESS SHARE on a users' table until ``release``."""
    with psycopg.connect(url) as conn:
        conn.execute("SELECT count(*) FROM portal.submissions").fetchone()
        holding.set()
        release.wait()
        conn.rollback()


def _switch_only(
    url: str, source: Path, lock_timeout_s: float = 10, **settings
) -> dg.ExecuteInProcessResult:
    resources = _resources(url, source)
    resources["ingest_db"] = PostgresResource(url=url, lock_timeout_s=lock_timeout_s)
    resources["ingest"] = IngestSettings(
        tables_file=str(DEMO_TABLES_FILE), source_url=str(source), **settings
    )
    return dg.materialize(
        [assets.ingest_production],
        resources=resources,
        run_config={"ops": {PRODUCTION_OP: {"config": {"confirm_production": "portal"}}}},
        raise_on_error=False,
    )


def test_the_switch_never_queues_readers_behind_a_long_reader(portal: tuple[str, Path]) -> None:
    """A long reader holds a users' table the switch moves: a plain reader is never blocked
    for much longer than the switch's short lock timeout; the switch retries until the long
    reader is gone, or gives up naming it and changes nothing."""
    url, source = portal
    for version, long_read_s, attempts, switched in ((2, 4.0, 20, True), (3, None, 3, False)):
        write_source(source, version=version)
        assert dg.materialize([assets.ingest_staging], resources=_resources(url, source)).success
        stop, holding, release, waits = (threading.Event(), threading.Event(),
                                         threading.Event(), [])
        threads = [
            threading.Thread(target=_long_reader, args=(url, holding, release)),
            threading.Thread(target=_short_reader, args=(url, stop, waits)),
        ]
        threads[0].start()
        assert holding.wait(10)
        threads[1].start()
        if long_read_s:
            threading.Timer(long_read_s, release.set).start()
        started = time.monotonic()
        try:
            result = _switch_only(url, source, switch_lock_attempts=attempts)
        finally:
            elapsed = time.monotonic() - started
            release.set()
            stop.set()
            for t in threads:
                t.join()
        assert len(waits) > 20 and max(waits) < 1.0, (max(waits), len(waits), elapsed)
        assert result.success is switched, elapsed
        if switched:
            assert elapsed > long_read_s - 1  # it waited for the long reader, readers did not
            assert _counts(url)[3] == "Study 0 v2" and "submissions" in _meta(result)[
                "carried_over"]
        else:
            assert "could not lock portal.submissions" in _error(result)
            assert "held by pid" in _error(result) and "production is untouched" in _error(result)
            assert _counts(url)[3] == "Study 0 v2"
            with psycopg.connect(url) as conn:
                assert conn.execute(
                    "SELECT count(*) FROM maint_assets.ingest_versions"
                ).fetchone() == (1,)


def test_a_reader_locking_in_another_order_waits_one_short_lock_wait(
    portal: tuple[str, Path],
) -> None:
    """A reader holding study that then reads biosample, while the switch holds biosample and
    waits for study: each waits for the other, and the reader's read lasts until the switch's
    lock wait runs out (the server's deadlock check comes only after deadlock_timeout, 1 s).
    bench/ingest.py found reads of 204.6 ms so, a join of the two: the wait was 200 ms.
    Timed on the server's clock, from the switch's wait for study (pg_locks.waitstart) to the
    reader's read going on, so a watcher late to see the wait changes nothing."""
    url, source = portal
    write_source(source, version=2)
    assert dg.materialize([assets.ingest_staging], resources=_resources(url, source)).success
    outcome: list[dg.ExecuteInProcessResult] = []
    with psycopg.connect(url) as reader, psycopg.connect(url, autocommit=True) as watcher:
        reader.execute("SELECT count(*) FROM portal.study").fetchone()
        switching = threading.Thread(target=lambda: outcome.append(_switch_only(url, source)))
        switching.start()
        deadline = time.monotonic() + 60
        # the switch holds biosample (it locks in name order) and waits for study
        while not (waiting := watcher.execute(
            "SELECT waitstart FROM pg_locks WHERE NOT granted AND mode = 'AccessExclusiveLock'"
            " AND relation = 'portal.study'::regclass"
        ).fetchone()):
            assert time.monotonic() < deadline, "the switch never asked for study"
            time.sleep(0.001)
        # clock_timestamp() is read once the read has its lock
        _, read_at = reader.execute(
            "SELECT count(*), clock_timestamp() FROM portal.biosample").fetchone()
        reader.rollback()
        switching.join()
    assert outcome[0].success, _error(outcome[0])
    assert _counts(url)[3] == "Study 0 v2"
    held = (read_at - waiting[0]).total_seconds()
    # one lock wait of the switch (50 ms), well under the 200 ms of before
    assert 0.045 < held < 0.15, held


@pytest.fixture
def eager_autovacuum(pg_cluster) -> Iterator[None]:
    """Autovacuum looks at each database every second instead of every minute (this worker's
    cluster, restored afterwards)."""
    with pg_cluster.connect("dagster", autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET autovacuum_naptime = 1")
        conn.execute("SELECT pg_reload_conf()")
        try:
            yield
        finally:
            conn.execute("ALTER SYSTEM RESET autovacuum_naptime")
            conn.execute("SELECT pg_reload_conf()")


def test_the_switch_is_not_refused_by_autovacuum_of_the_tables_it_moves(
    portal: tuple[str, Path], eager_autovacuum: None
) -> None:
    """A real autovacuum worker on the just-loaded incoming table and on production's: in a
    loaded `make test`, its ANALYZE of an incoming table held SHARE UPDATE EXCLUSIVE while
    waiting for the switch's transaction (which had granted on the table), every 200 ms
    attempt waited for it, and the switch failed after 150 s naming nobody. Slowed by the
    tables' own cost settings (our invention) so that it still runs when the switch starts;
    the switch's wait past deadlock_timeout has the server cancel it."""
    url, source = portal
    write_source(source, studies=60, version=2)  # 9 000 data objects: a longer autovacuum
    assert dg.materialize([assets.ingest_staging], resources=_resources(url, source)).success
    with psycopg.connect(url, autocommit=True) as conn:
        for table in ("portal__staging.data_object", "portal.data_object"):
            conn.execute(f"ALTER TABLE {table} SET (autovacuum_vacuum_cost_delay = 100,"
                         " autovacuum_vacuum_cost_limit = 1, autovacuum_vacuum_threshold = 0,"
                         " autovacuum_vacuum_scale_factor = 0)")
            # Due again even if autovacuum got there first: every row dead once, same values.
            conn.execute(f"UPDATE {table} SET url = url")
        deadline = time.monotonic() + 60
        while not conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
            " AND query LIKE '%portal__staging.data_object%'"
        ).fetchone()[0]:
            assert time.monotonic() < deadline, "no autovacuum of the incoming table"
            time.sleep(0.05)
    started = time.monotonic()
    result = _switch_only(url, source, switch_lock_attempts=3)
    assert result.success, _error(result)
    assert _counts(url)[3] == "Study 0 v2"
    assert time.monotonic() - started < 30


def test_the_refused_switch_names_who_held_what_it_needed(portal: tuple[str, Path]) -> None:
    """The holders of what the switch locks besides production's tables are named: a lock on
    a function it moves (ALTER FUNCTION ... SET SCHEMA), then on an incoming table, a reader's
    and one such as autovacuum's; the failure named only production's tables. The function
    is ours."""
    url, source = portal
    write_source(source, version=2)
    assert dg.materialize([assets.ingest_staging], resources=_resources(url, source)).success
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE FUNCTION portal.today() RETURNS date LANGUAGE sql"
                     " AS 'SELECT current_date'")
    with psycopg.connect(url, application_name="commenter") as holder:
        holder.execute("COMMENT ON FUNCTION portal.today() IS 'the date'")
        refused = _switch_only(url, source, switch_lock_attempts=2)
        pid = holder.info.backend_pid
    assert not refused.success
    assert (f"function portal.today() (held by pid {pid}: client backend, user postgres, "
            "application commenter, idle in transaction") in _error(refused), _error(refused)
    with psycopg.connect(url, application_name="reader") as holder:
        holder.execute("SELECT count(*) FROM portal__staging.biosample WHERE id = 'bs-0-0'")
        refused = _switch_only(url, source, switch_lock_attempts=2)
        pid = holder.info.backend_pid
    assert f"portal__staging.biosample (held by pid {pid}: " in _error(refused), _error(refused)
    assert "AccessShareLock" in _error(refused)
    # its index, locked with it, is not named on its own
    assert "biosample_pkey (held" not in _error(refused), _error(refused)
    with psycopg.connect(url, application_name="vacuum-like") as holder:
        holder.execute("LOCK TABLE portal__staging.biosample IN SHARE UPDATE EXCLUSIVE MODE")
        # held until the switch gives up: it waits the step's whole lock timeout, whatever it
        # is (10 s before); 2 s stays past deadlock_timeout (1 s), where the server would
        # cancel a real autovacuum in the way
        refused = _switch_only(url, source, lock_timeout_s=2)
        pid = holder.info.backend_pid
    assert not refused.success
    # (a real autovacuum of a production table at that moment is named too, first)
    assert "could not keep vacuum out of " in _error(refused)
    assert (f"portal__staging.biosample (held by pid {pid}: client backend, user postgres, "
            "application vacuum-like") in _error(refused), _error(refused)
    assert "ShareUpdateExclusiveLock" in _error(refused)
    assert "production is untouched" in _error(refused)
    assert _counts(url)[3] == "Study 0 v1"
    assert _switch_only(url, source).success
    assert _counts(url)[3] == "Study 0 v2"


def test_a_reader_of_a_loaded_table_never_reads_the_next_version_in_its_snapshot(
    portal: tuple[str, Path],
) -> None:
    """A transaction that has read production's study (a pg_dump, which locks every table
    first, or a report) then reads biosample: the switch renamed the new version in between,
    and the reader, in its old snapshot, read the new version's tables empty (an independent
    trial: 0 rows of 20, 1 000 and 3 000 in a dump). The switch now waits for it."""
    url, source = portal
    before = _counts(url)
    write_source(source, version=2)
    assert dg.materialize([assets.ingest_staging], resources=_resources(url, source)).success
    with psycopg.connect(url) as reader:
        reader.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        assert reader.execute("SELECT count(*) FROM portal.study").fetchone()[0] == before[0]
        refused = _switch_only(url, source, switch_lock_attempts=2)
        assert not refused.success
        assert "could not lock portal.study" in _error(refused), _error(refused)
        assert reader.execute("SELECT count(*) FROM portal.biosample").fetchone()[0] == before[1]
    assert _counts(url) == before  # production untouched
    assert _switch_only(url, source).success
    assert _counts(url)[3] == "Study 0 v2"


def test_a_version_a_session_still_reads_is_kept_not_waited_for(
    portal: tuple[str, Path], tmp_path: Path
) -> None:
    """Expiry dropped a version a session still read: its DROP waited without limit, every new
    reader of that version queued behind it, and cancelling it failed a run whose switch had
    committed (an independent trial). Now it is kept, named, and dropped by a later run."""
    url, source = portal
    tables = tmp_path / "tables.yaml"
    tables.write_text(DEMO_TABLES_FILE.read_text().replace("keep_versions: 3", "keep_versions: 1"))
    write_source(source, version=2)
    first = _ingest(url, source, tables=tables)
    assert first.success, _error(first)
    oldest = _meta(first)["previous_version"]
    with psycopg.connect(url) as reader:
        reader.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(oldest, "study")))
        write_source(source, version=3)
        kept = _ingest(url, source, tables=tables)
        assert kept.success, _error(kept)
        assert oldest not in _meta(kept)["dropped_versions"]
        assert "a session reading it" in str(_meta(kept)["kept_with_dependents"][oldest])
        assert _counts(url)[3] == "Study 0 v3"
    write_source(source, version=4)
    later = _ingest(url, source, tables=tables)
    assert later.success, _error(later)
    assert oldest in _meta(later)["dropped_versions"]


@pytest.fixture
def reporting_role(empty_db: str) -> Iterator[str]:
    """A role that owns the reporting views made in production, dropped afterwards."""
    name = f"reporting_{secrets.token_hex(3)}"
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("GRANT USAGE, CREATE ON SCHEMA portal TO {}").format(
            sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(empty_db, autocommit=True) as conn:
            # CASCADE: a reader's view elsewhere reads one of its views
            conn.execute(sql.SQL("DROP OWNED BY {} CASCADE").format(sql.Identifier(name)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def _reporting_views(url: str) -> dict[str, tuple]:
    """Production's views and materialized views: kind, owner, ACL, comment, options,
    indexes, triggers, column comments and what they read."""
    with psycopg.connect(url) as conn:
        return {
            name: rest
            for name, *rest in conn.execute(
                "SELECT c.relname, c.relkind, pg_get_userbyid(c.relowner), c.relacl::text[],"
                " obj_description(c.oid, 'pg_class'), c.reloptions,"
                " (SELECT array_agg(pg_get_indexdef(indexrelid)) FROM pg_index"
                "  WHERE indrelid = c.oid),"
                " (SELECT array_agg(pg_get_triggerdef(t.oid)) FROM pg_trigger t"
                "  WHERE t.tgrelid = c.oid),"
                " (SELECT array_agg(col_description(c.oid, a.attnum) ORDER BY a.attnum)"
                "  FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0),"
                " (SELECT array_agg(DISTINCT format('%I.%I', rn.nspname, rc.relname)"
                "  ORDER BY format('%I.%I', rn.nspname, rc.relname))"
                "  FROM pg_rewrite r JOIN pg_depend d ON d.objid = r.oid"
                "  AND d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass"
                "  JOIN pg_class rc ON rc.oid = d.refobjid AND rc.oid <> c.oid"
                "  JOIN pg_namespace rn ON rn.oid = rc.relnamespace WHERE r.ev_class = c.oid)"
                " FROM pg_class c WHERE c.relnamespace = 'portal'::regnamespace"
                " AND c.relkind IN ('v', 'm') ORDER BY 1"
            )
        }


def test_views_in_production_follow_the_switch_and_the_rollback(
    portal: tuple[str, Path], reporting_role: str, tmp_path: Path
) -> None:
    """Reporting views made in production after an ingest (over nmdc-server's
    bulk_download_data_object, a carried users' table, and the loaded data_object; a chain of
    views; a materialized view with the unique index REFRESH … CONCURRENTLY needs) are in
    production after a switch, over the new version, with their owner, grants and comments;
    a version lacking a column one of them uses is refused naming both; a rollback brings
    them back on the restored version. Views of our invention, over the real tables."""
    url, source = portal
    role = sql.Identifier(reporting_role)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE portal.bulk_download_data_object (bulk_download_id int NOT NULL,"
            " data_object_id text NOT NULL REFERENCES portal.data_object (id),"
            " PRIMARY KEY (bulk_download_id, data_object_id))"
        )
        conn.execute("INSERT INTO portal.bulk_download_data_object VALUES (1, 'do-0-0-0')")
        conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA portal TO {}").format(role))
        conn.execute(sql.SQL("SET ROLE {}").format(role))
        conn.execute(
            "CREATE VIEW portal.data_object_downloads WITH (security_barrier) AS"
            " SELECT d.id, d.biosample_id, d.url, count(b.*) AS downloads"
            " FROM portal.data_object d LEFT JOIN portal.bulk_download_data_object b"
            " ON b.data_object_id = d.id GROUP BY d.id"
        )
        conn.execute(
            "CREATE VIEW portal.study_downloads AS SELECT s.id, s.name,"
            " sum(o.downloads) AS downloads FROM portal.study s"
            " JOIN portal.biosample b ON b.study_id = s.id"
            " JOIN portal.data_object_downloads o ON o.biosample_id = b.id GROUP BY s.id"
        )
        conn.execute(
            "CREATE MATERIALIZED VIEW portal.study_sizes AS SELECT s.id, s.name,"
            " sum(d.size_bytes) AS bytes FROM portal.study s"
            " JOIN portal.biosample b ON b.study_id = s.id"
            " JOIN portal.data_object d ON d.biosample_id = b.id GROUP BY s.id"
        )
        conn.execute("CREATE UNIQUE INDEX study_sizes_id ON portal.study_sizes (id)")
        conn.execute("COMMENT ON VIEW portal.study_downloads IS 'downloads per study'")
        conn.execute("COMMENT ON MATERIALIZED VIEW portal.study_sizes IS 'bytes per study'")
        conn.execute("COMMENT ON COLUMN portal.study_sizes.bytes IS 'sum of size_bytes'")
        conn.execute("GRANT SELECT ON portal.study_downloads, portal.study_sizes TO PUBLIC")
        conn.execute("RESET ROLE")
        conn.execute("CREATE SCHEMA reports")  # a reader's view over the chain's end
        conn.execute(
            "CREATE FUNCTION reports.read_only() RETURNS trigger LANGUAGE plpgsql"
            " AS $$BEGIN RAISE EXCEPTION 'read only'; END$$"
        )
        conn.execute(
            "CREATE TRIGGER read_only INSTEAD OF DELETE ON portal.study_downloads"
            " FOR EACH ROW EXECUTE FUNCTION reports.read_only()"
        )
        conn.execute(
            "CREATE VIEW reports.top_study AS SELECT name FROM portal.study_downloads"
            " ORDER BY downloads DESC, id LIMIT 1"
        )
    views = _reporting_views(url)
    assert list(views) == ["data_object_downloads", "study_downloads", "study_sizes"]
    assert views["study_sizes"][5] and views["study_downloads"][6]  # an index, a trigger

    def reports() -> tuple:
        with psycopg.connect(url) as conn:
            return conn.execute(
                "SELECT (SELECT downloads FROM portal.study_downloads WHERE id = 'st-0'),"
                " (SELECT name FROM reports.top_study),"
                " (SELECT bytes FROM portal.study_sizes WHERE id = 'st-0')"
            ).fetchone()

    assert reports() == (1, "Study 0 v1", 50 * (1001 + 2001 + 3001))
    write_source(source, objects=4, version=2)
    result = _ingest(url, source)
    assert result.success, _error(result)
    assert _reporting_views(url) == views  # owner, grants, comment, index: all in production
    assert reports() == (1, "Study 0 v2", 50 * (1002 + 2002 + 3002 + 4002))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO portal.bulk_download_data_object VALUES (2, 'do-0-0-3')")
        conn.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY portal.study_sizes")
        conn.execute("COMMENT ON VIEW portal.study_downloads IS 'downloads per study, v2'")
    assert reports()[0] == 2
    assert _meta(result)["left_on_previous_version"] == []

    # a version without data_object.url, which data_object_downloads reads: refused
    tables = tmp_path / "tables.yaml"
    tables.write_text(DEMO_TABLES_FILE.read_text().replace(
        ", url: text}", "}\n    drop_columns: [url]"))
    write_source(source, objects=4, version=3)
    objects = source / "data_object.csv"
    objects.write_text("".join(
        line.rsplit(",", 1)[0] + "\n" for line in objects.read_text().splitlines()
    ))
    before = (_counts(url), reports(), _reporting_views(url))
    refused = _ingest(url, source, tables=tables)
    assert not refused.success
    assert "portal.data_object_downloads" in _error(refused) and "url" in _error(refused)
    assert "production is untouched" in _error(refused)
    assert (_counts(url), reports(), _reporting_views(url)) == before

    with psycopg.connect(url, autocommit=True) as conn:  # else version 1 breaks the key
        conn.execute("DELETE FROM portal.bulk_download_data_object WHERE bulk_download_id = 2")
    assert _rollback(url, source).success  # to version 1, with the views as production has them
    assert _counts(url)[3] == "Study 0 v1"
    restored = _reporting_views(url)
    assert restored["study_downloads"][3] == "downloads per study, v2"
    assert {k: v[:3] + v[4:] for k, v in restored.items()} == {
        k: v[:3] + v[4:] for k, v in views.items()
    }
    assert reports() == (1, "Study 0 v1", 50 * (1001 + 2001 + 3001))

    for version in (4, 5, 6, 7):  # keep_versions 3: the versions they were made on are dropped
        write_source(source, objects=4, version=version)
        assert _ingest(url, source).success
    assert reports() == (1, "Study 0 v7", 50 * (1007 + 2007 + 3007 + 4007))


@pytest.fixture
def roles(empty_db: str) -> Iterator[tuple[str, str]]:
    """A restricted reader and a data steward who owns a loaded table, dropped afterwards."""
    with scratch_roles(empty_db, "reader", "steward") as names:
        yield names


def _as(url: str, reader: str, query: str) -> object:
    with psycopg.connect(url) as conn:
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(reader)))
        return conn.execute(query).fetchone()[0]


def _attachments(url: str) -> dict[str, object]:
    """What a DBA set on production's loaded tables and schema, as the catalogue has it."""
    with psycopg.connect(url) as conn:
        def one(query: str) -> object:
            return conn.execute(query).fetchone()[0]

        return {
            "rls": one(
                "SELECT array_agg(ARRAY[relname, relrowsecurity::text,"
                " relforcerowsecurity::text] ORDER BY relname) FROM pg_class"
                " WHERE relnamespace = 'portal'::regnamespace"
                " AND relname IN ('study', 'biosample', 'data_object')"
            ),
            "policies": one(
                "SELECT array_agg(ARRAY[tablename, policyname, permissive, cmd,"
                " roles::text, qual, with_check] ORDER BY policyname) FROM pg_policies"
                " WHERE schemaname = 'portal'"
            ),
            "owner": one(
                "SELECT pg_get_userbyid(relowner) FROM pg_class"
                " WHERE oid = 'portal.data_object'::regclass"
            ),
            "column_acl": one(
                "SELECT array_agg(attacl::text ORDER BY attnum) FROM pg_attribute"
                " WHERE attrelid = 'portal.data_object'::regclass AND attacl IS NOT NULL"
            ),
            "indexes": one(
                "SELECT array_agg(indexdef ORDER BY indexname) FROM pg_indexes"
                " WHERE schemaname = 'portal' AND indexname IN ('data_object_url',"
                " 'study_lower_name')"
            ),
            "comments": one(
                "SELECT ARRAY[obj_description('portal.study'::regclass, 'pg_class'),"
                " col_description('portal.study'::regclass, 2)]"
            ),
            "triggers": one(
                "SELECT array_agg(ARRAY[pg_get_triggerdef(oid), tgenabled::text]"
                " ORDER BY tgname) FROM pg_trigger WHERE NOT tgisinternal"
                " AND tgrelid = 'portal.study'::regclass"
            ),
            "in_schema": one(
                "SELECT ARRAY[to_regprocedure('portal.no_delete()')::text,"
                " to_regtype('portal.mood')::text, to_regclass('portal.ticket')::text]"
            ),
        }


def test_the_switch_carries_what_production_set_on_the_loaded_tables(
    portal: tuple[str, Path], roles: tuple[str, str], tmp_path: Path
) -> None:
    """A DBA's row-level security (a reader sees soil studies and their biosamples only),
    column privileges, owner, indexes, comments, triggers, functions, types, sequences and
    default privileges of production hold on each version switched in and rolled back to
    (an independent trial: after the switch the restricted reader saw every row); a policy
    on a column the new version lacks refuses the switch, an index on it is reported. The
    DBA's objects are of our invention, on the real tables."""
    url, source = portal
    reader, steward = roles
    r, s = sql.Identifier(reader), sql.Identifier(steward)
    with psycopg.connect(url, autocommit=True) as conn:
        for statement_ in (
            "GRANT USAGE ON SCHEMA portal TO {r}",
            "GRANT SELECT ON portal.study, portal.biosample TO {r}",
            "GRANT SELECT (id, url) ON portal.data_object TO {r}",
            "ALTER TABLE portal.data_object OWNER TO {s}",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA portal GRANT SELECT ON TABLES TO {r}",
        ):
            conn.execute(sql.SQL(statement_).format(r=r, s=s))
        conn.execute("ALTER TABLE portal.study ENABLE ROW LEVEL SECURITY")
        conn.execute("ALTER TABLE portal.study FORCE ROW LEVEL SECURITY")
        conn.execute("ALTER TABLE portal.biosample ENABLE ROW LEVEL SECURITY")
        conn.execute(sql.SQL(
            "CREATE POLICY soil_studies ON portal.study FOR SELECT TO {r}"
            " USING (ecosystem = 'soil')").format(r=r))
        conn.execute("CREATE POLICY writers ON portal.study AS RESTRICTIVE TO PUBLIC USING (true)"
                     " WITH CHECK (name <> '')")
        conn.execute(sql.SQL(
            "CREATE POLICY soil_samples ON portal.biosample AS PERMISSIVE FOR SELECT TO {r}"
            " USING (study_id IN (SELECT id FROM portal.study))").format(r=r))
        conn.execute("CREATE INDEX data_object_url ON portal.data_object"
                     " (url text_pattern_ops) WHERE size_bytes > 0")
        conn.execute("CREATE UNIQUE INDEX study_lower_name ON portal.study (lower(name))")
        conn.execute("COMMENT ON TABLE portal.study IS 'studies of the portal'")
        conn.execute("COMMENT ON COLUMN portal.study.name IS 'title'")
        conn.execute(
            "CREATE FUNCTION portal.no_delete() RETURNS trigger LANGUAGE plpgsql"
            " AS $$BEGIN RAISE EXCEPTION 'studies are never deleted'; END$$"
        )
        conn.execute("CREATE TRIGGER no_delete BEFORE DELETE ON portal.study"
                     " FOR EACH ROW EXECUTE FUNCTION portal.no_delete()")
        conn.execute("CREATE TRIGGER paused BEFORE UPDATE OF name ON portal.study"
                     " FOR EACH ROW EXECUTE FUNCTION portal.no_delete()")
        conn.execute("ALTER TABLE portal.study DISABLE TRIGGER paused")
        conn.execute("CREATE TYPE portal.mood AS ENUM ('ok', 'bad')")
        conn.execute("CREATE SEQUENCE portal.ticket")
        assert conn.execute("SELECT nextval('portal.ticket')").fetchone() == (1,)
    set_up = _attachments(url)
    assert _as(url, reader, "SELECT count(*) FROM portal.study") == 7  # of 20: s % 3 == 0

    def holds(version: str) -> None:
        assert _as(url, reader, "SELECT count(*) FROM portal.study") == 7
        assert _attachments(url) == set_up
        assert _counts(url)[3] == f"Study 0 {version}"
        assert _as(url, reader, "SELECT count(*) FROM portal.biosample") == 350
        assert _as(url, reader, "SELECT count(url) FROM portal.data_object") == 3000
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _as(url, reader, "SELECT count(size_bytes) FROM portal.data_object")
        with psycopg.connect(url) as conn, pytest.raises(psycopg.errors.RaiseException):
            conn.execute("DELETE FROM portal.study WHERE id = 'st-1'")

    write_source(source, version=2)
    result = _ingest(url, source)
    assert result.success, _error(result)
    holds("v2")
    assert _meta(result)["not_carried"] == []
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT nextval('portal.ticket')").fetchone() == (2,)
        conn.execute("CREATE TABLE portal.notes (id int)")  # default privileges still hold
    assert _as(url, reader, "SELECT count(*) FROM portal.notes") == 0

    assert _rollback(url, source).success  # the restored version gets production's, once
    holds("v1")

    # a version without data_object.url: a policy reading it refuses the switch; without
    # the policy, its index and column privilege are reported, the rest carried
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE POLICY https ON portal.data_object USING (url LIKE 'https:%')")
    tables = tmp_path / "tables.yaml"
    tables.write_text(DEMO_TABLES_FILE.read_text().replace(
        ", url: text}", "}\n    drop_columns: [url]"))
    write_source(source, version=3)
    objects = source / "data_object.csv"
    objects.write_text("".join(
        line.rsplit(",", 1)[0] + "\n" for line in objects.read_text().splitlines()
    ))
    refused = _ingest(url, source, tables=tables)
    assert not refused.success
    assert "the policy https on portal.data_object uses url" in _error(refused), _error(refused)
    assert "production is untouched" in _error(refused)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP POLICY https ON portal.data_object")
    holds("v1")
    result = _ingest(url, source, tables=tables)
    assert result.success, _error(result)
    assert _meta(result)["not_carried"] == [
        "column portal.data_object.url (text): not in the new version, its values left on "
        + _meta(result)["previous_version"],
        "column privilege on portal.data_object: url is not in the new version",
        "index data_object_url on portal.data_object: url is not in the new version",
    ]
    assert _as(url, reader, "SELECT count(*) FROM portal.study") == 7
    assert _attachments(url)["triggers"] == set_up["triggers"]


def _constraints_and_statistics(url: str) -> dict[str, object]:
    """The loaded tables' constraints (the loader's row checks and a DBA's), extended
    statistics with whether ANALYZE filled them, and the production schema's owner and ACL."""
    with psycopg.connect(url) as conn:
        def one(query: str) -> object:
            return conn.execute(query).fetchone()[0]

        return {
            "constraints": one(
                "SELECT array_agg(ARRAY[c.relname::text, k.conname::text,"
                " pg_get_constraintdef(k.oid)] ORDER BY c.relname, k.conname)"
                " FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
                " WHERE c.relnamespace = 'portal'::regnamespace AND k.contype IN ('c', 'u', 'x')"
            ),
            "statistics": one(
                "SELECT array_agg(ARRAY[s.stxnamespace::regnamespace::text, s.stxname::text,"
                " c.relname::text, s.stxkind::text, pg_get_statisticsobjdef_columns(s.oid),"
                " s.stxstattarget::text, pg_get_userbyid(s.stxowner)::text,"
                " (SELECT count(*) FROM pg_statistic_ext_data d WHERE d.stxoid = s.oid)::text]"
                " ORDER BY s.stxname)"
                " FROM pg_statistic_ext s JOIN pg_class c ON c.oid = s.stxrelid"
                " WHERE c.relnamespace = 'portal'::regnamespace"
            ),
            "schema": one(
                "SELECT ARRAY[pg_get_userbyid(nspowner)::text, nspacl::text] FROM pg_namespace"
                " WHERE nspname = 'portal'"
            ),
        }


def test_the_switch_carries_constraints_statistics_and_the_schema_owner(
    portal: tuple[str, Path], roles: tuple[str, str]
) -> None:
    """A DBA's CHECK, UNIQUE and EXCLUDE constraints and extended statistics (one in the
    production schema, one where an unqualified CREATE STATISTICS puts it: public) hold on
    the version switched in, analyzed, the loader's row checks not doubled, and the schema
    keeps its owner and grants (independent trials: all were lost, the owner became the
    ingest's role); a constraint the new rows break refuses the switch naming it; a rollback
    keeps them all. The DBA's objects are of our invention, on the real tables."""
    url, source = portal
    reader, steward = roles
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER SCHEMA portal OWNER TO {}").format(sql.Identifier(steward)))
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA portal TO {}").format(sql.Identifier(reader)))
        conn.execute("ALTER TABLE portal.study ADD CONSTRAINT named CHECK (name <> '')")
        conn.execute("ALTER TABLE portal.data_object ADD CONSTRAINT one_url UNIQUE (url)")
        conn.execute("ALTER TABLE portal.biosample ADD CONSTRAINT one_per_depth"
                     " EXCLUDE USING btree (study_id WITH =, depth_m WITH =)")
        conn.execute("CREATE STATISTICS portal.study_kinds (dependencies) ON ecosystem, name"
                     " FROM portal.study")
        conn.execute("ALTER STATISTICS portal.study_kinds SET STATISTICS 500")
        conn.execute("CREATE STATISTICS sample_depths ON study_id, (depth_m > 10)"
                     " FROM portal.biosample")
        conn.execute("ANALYZE portal.study, portal.biosample")
    set_up = _constraints_and_statistics(url)
    assert len(set_up["constraints"]) == 6 and set_up["schema"][0] == steward

    write_source(source, version=2)
    result = _ingest(url, source)
    assert result.success, _error(result)
    assert _constraints_and_statistics(url) == set_up
    # The statistics in public went with their archived table: nothing holds that version.
    assert _meta(result)["left_on_previous_version"] == []

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE portal.study ADD CONSTRAINT not_v3 CHECK (name NOT LIKE '% v3')")
    set_up = _constraints_and_statistics(url)
    write_source(source, version=3)
    refused = _ingest(url, source)
    assert not refused.success
    assert "the constraint not_v3 on portal.study cannot be added to the new version" in _error(
        refused
    ), _error(refused)
    assert "production is untouched" in _error(refused)
    assert _counts(url)[3] == "Study 0 v2" and _constraints_and_statistics(url) == set_up

    # The restored version has its own statistics, switched out with it: production's name
    # in public is given back to them, the replaced version's go with their table.
    assert _rollback(url, source).success
    assert _counts(url)[3] == "Study 0 v1" and _constraints_and_statistics(url) == set_up


def test_a_rollback_leaves_the_privileges_production_had(
    portal: tuple[str, Path], roles: tuple[str, str]
) -> None:
    """Column and table privileges granted and revoked on production since the version
    rolled back to was switched out hold after the rollback: none of that version's own
    comes back (an independent trial: a revoked column was readable again after a rollback;
    then a revoked table)."""
    url, source = portal
    reader = sql.Identifier(roles[0])
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA portal TO {}").format(reader))
        conn.execute(sql.SQL("GRANT SELECT (id, url) ON portal.data_object TO {}").format(reader))
        conn.execute(sql.SQL("GRANT SELECT, INSERT ON portal.study TO {}").format(reader))
    write_source(source, version=2)
    assert _ingest(url, source).success
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("REVOKE SELECT (url) ON portal.data_object FROM {}").format(reader))
        conn.execute(sql.SQL("GRANT SELECT (size_bytes), UPDATE (url) ON portal.data_object"
                             " TO {}").format(reader))
        conn.execute(sql.SQL("REVOKE INSERT ON portal.study FROM {}").format(reader))
    before = _attachments(url)["column_acl"]
    assert _rollback(url, source).success
    assert _counts(url)[3] == "Study 0 v1"
    assert _attachments(url)["column_acl"] == before
    with psycopg.connect(url) as conn:
        study = conn.execute(
            "SELECT array_agg(a.privilege_type ORDER BY 1) FROM pg_class c,"
            " aclexplode(c.relacl) a WHERE c.oid = 'portal.study'::regclass"
            " AND a.grantee = %s::regrole", (roles[0],)
        ).fetchone()[0]
    assert study == ["SELECT"]


def test_the_shrink_check_counts_every_row_or_refuses(portal: tuple[str, Path]) -> None:
    """With FORCE ROW LEVEL SECURITY on a loaded table, the ingest's least-privileged role
    (`roles apply ingest`: no BYPASSRLS) sees the rows policies let it: the shrink check
    compared those, 7 of 20 studies, and let a version with 15 through (an independent
    trial). It refuses, naming the table, when it cannot count every row, and counts them
    all when it can. The policy is of our invention."""
    url, source = portal
    role, password = f"maint_ingest_{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    needs = ROLE_TARGETS["ingest"].resolve(production_schema="portal")
    with psycopg.connect(url, autocommit=True) as conn:
        apply(conn, role, needs, maintained_relations(defs, needs.key_prefix))
        # test-only: a real deployment sets it with psql's \password
        conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(password)))
        conn.execute("ALTER TABLE portal.study ENABLE ROW LEVEL SECURITY,"
                     " FORCE ROW LEVEL SECURITY")
        conn.execute("CREATE POLICY soil ON portal.study USING (ecosystem = 'soil')")
    try:
        # A quarter of the studies gone; the other tables keep their size.
        write_source(source, studies=15, samples=67, version=2)
        role_url = make_conninfo(url, user=role, password=password)
        refused = _ingest(role_url, source)
        assert not refused.success
        assert ("no_table_shrinks cannot count every row of portal.study: query would be"
                " affected by row-level security policy") in _error(refused), _error(refused)
        assert _counts(url)[3] == "Study 0 v1"

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ALTER TABLE portal.study NO FORCE ROW LEVEL SECURITY")
        shrunk = _ingest(role_url, source)
        assert not shrunk.success and _counts(url)[3] == "Study 0 v1"
        (check,) = [
            e for e in shrunk.get_asset_check_evaluations() if e.check_name == "no_table_shrinks"
        ]
        assert check.metadata["shrunk"].value == {"study": {"production": 20, "staging": 15}}
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            admin = conn.execute("SELECT current_user").fetchone()[0]
            names = sql.Identifier(role), sql.Identifier(admin)
            conn.execute(sql.SQL("REASSIGN OWNED BY {} TO {}").format(*names))
            conn.execute(sql.SQL("DROP OWNED BY {}").format(names[0]))
            conn.execute(sql.SQL("DROP ROLE {}").format(names[0]))


def test_two_ingests_at_once_never_switch_each_others_staging(
    portal: tuple[str, Path], tmp_path: Path
) -> None:
    """Two runs of staging and switch at once (two threads, as an independent trial ran them):
    the second to load rebuilt the staging schema while the first waited to switch, and the
    first switched the second's data in under its own name. Now the run whose staging was
    replaced refuses, naming the run that replaced it, and the other switches its own."""
    url, _ = portal
    sources = {version: tmp_path / f"v{version}" for version in (2, 3)}
    results: dict[int, dg.ExecuteInProcessResult] = {}
    with psycopg.connect(url, autocommit=True) as holder:
        # Both runs queue on the staging's lock before either loads: they overlap for sure.
        holder.execute("SELECT pg_advisory_lock(hashtextextended('maint_assets:ingest/portal', 0))")

        def run(version: int) -> None:
            write_source(sources[version], version=version)
            results[version] = _ingest(url, sources[version])

        threads = {v: threading.Thread(target=run, args=(v,)) for v in sources}
        for waiting, version in enumerate(sources, start=1):
            threads[version].start()
            deadline = time.monotonic() + 30
            while holder.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ).fetchone()[0] < waiting:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        holder.execute("SELECT pg_advisory_unlock_all()")
        for thread in threads.values():
            thread.join(120)
    switched = [v for v, r in results.items() if r.success]
    assert len(switched) == 1, {v: r.success for v, r in results.items()}
    (winner,) = switched
    (loser,) = set(sources) - {winner}
    assert _counts(url)[3] == f"Study 0 v{winner}"  # the data of the run that switched it in
    with psycopg.connect(url) as conn:
        assert conn.execute(
            "SELECT run_id FROM maint_assets.ingest_versions ORDER BY id DESC LIMIT 1"
        ).fetchone()[0] == results[winner].run_id
    assert results[winner].run_id in _error(results[loser])
    assert "production is untouched" in _error(results[loser])


def _bad_latin1(source: Path) -> None:
    study = source / "study.csv"
    study.write_bytes(study.read_bytes().replace(b"Study 3 v2", "Étude 3 v2".encode("latin-1")))


def _bad_array_line(source: Path) -> None:
    lines = (source / "biosample.jsonl").read_text().splitlines(keepends=True)
    lines[6] = '["bs-0-6", "st-0", 3.0, "2024-07-07"]\n'
    (source / "biosample.jsonl").write_text("".join(lines))


def _bad_nul_csv(source: Path) -> None:
    study = source / "study.csv"
    study.write_bytes(study.read_bytes().replace(b"Study 3 v2", b"Study\x003 v2"))


def _bad_nul_json(source: Path) -> None:
    lines = source / "biosample.jsonl"
    lines.write_text(lines.read_text().replace('"id": "bs-0-6"', '"id": "bs-0-6\\u0000"'))


def _bad_type_csv(source: Path) -> None:
    objects = source / "data_object.csv"
    objects.write_text(
        objects.read_text().replace("do-0-1-2,bs-0-1,3002,", "do-0-1-2,bs-0-1,3 kB,")
    )


def _bad_type_json(source: Path) -> None:
    lines = source / "biosample.jsonl"
    lines.write_text(lines.read_text().replace(
        '"id": "bs-0-6", "study_id": "st-0", "depth_m": 3.0',
        '"id": "bs-0-6", "study_id": "st-0", "depth_m": "three metres"',
    ))


def _bad_huge_value(source: Path) -> None:
    lines = (source / "biosample.jsonl").read_text().splitlines(keepends=True)
    lines[6] = lines[6].replace('"bs-0-6"', '"bs-0-6' + "x" * (200 << 20) + '"')
    (source / "biosample.jsonl").write_text("".join(lines))


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (_bad_latin1, "study.csv line 5: not UTF-8"),
        (_bad_array_line, "biosample.jsonl line 7: a JSON array, not an object"),
        (_bad_nul_csv, "study.csv line 5: a NUL character"),
        (_bad_nul_json, "biosample.jsonl line 7: a NUL character"),
        (_bad_type_csv, "data_object.csv line 7, column size_bytes: invalid input syntax for type"
                        ' bigint: "3 kB"'),
        (_bad_type_json, "biosample.jsonl line 7, column depth_m: invalid input syntax for type"
                         ' double precision: "three metres"'),
        (_bad_huge_value, "biosample.jsonl column id: a value of 209715206 bytes, too large"),
    ],
)
def test_a_bad_file_is_refused_naming_the_file_and_line(
    portal: tuple[str, Path], spoil, expected: str
) -> None:
    """Bad input an independent trial fed the ingest failed with PostgreSQL's raw error, which
    named neither the file nor the line. The spoiled values are of our invention; the files
    are UTF-8 CSV and JSON Lines of one object per line, as the portal's source writes them."""
    url, source = portal
    before = _counts(url)
    write_source(source, version=2)
    spoil(source)
    refused = _ingest(url, source)
    assert not refused.success
    assert expected in _error(refused), _error(refused)
    assert "production is untouched" in _error(refused)
    assert _counts(url) == before


def test_a_csv_with_a_byte_order_mark_and_json_lines_with_blank_lines_load(
    portal: tuple[str, Path],
) -> None:
    """A spreadsheet's "CSV UTF-8" starts with a byte-order mark (read as part of the first
    column's name, which refused the file), and a blank line in JSON Lines holds no record
    (it became a row of NULLs, refused with the server's bare message): both load."""
    url, source = portal
    write_source(source, version=2)
    study = source / "study.csv"
    study.write_bytes(b"\xef\xbb\xbf" + study.read_bytes())
    lines = source / "biosample.jsonl"
    lines.write_text(lines.read_text().replace("\n", "\n\n", 3) + "\n")
    result = _ingest(url, source)
    assert result.success, _error(result)
    assert _counts(url) == (20, 1000, 3000, "Study 0 v2")



def _mongoexport_line(n: int, **more: object) -> str:
    """A biosample_set document as mongoexport writes it (relaxed Extended JSON, one a line):
    its ObjectId as _id on every line, nested values and arrays (nmdc-schema's slots). Written
    here from those shapes."""
    return json.dumps({
        "_id": {"$oid": f"{n:024x}"},
        "id": f"nmdc:bsm-11-{n:06d}",
        "name": f"Sample {n}",
        "associated_studies": ["nmdc:sty-11-aygzgv51"],
        "env_broad_scale": {"term": {"id": "ENVO:00000446", "name": "terrestrial biome"},
                            "has_raw_value": "ENVO:00000446"},
        "depth": {"has_numeric_value": 0.5 * n, "has_unit": "m"},
        **more,
    }) + "\n"


def test_a_mongoexport_of_the_collections_loads(empty_db: str, tmp_path: Path) -> None:
    """Every line mongoexport writes carries _id, which nmdc-server's ingest leaves out
    (ingest/common.py EXCLUDED_FIELDS); a key the tables file does not know (a new optional
    slot of nmdc-schema) refuses the file naming it, or with extra_keys goes into that jsonb
    column, as nmdc-server's extract_extras puts it in annotations. The _id refused every
    real export."""
    spec = yaml.safe_load(DEMO_TABLES_FILE.read_text())
    spec["tables"][1] = {
        "name": "biosample", "file": "biosample.jsonl", "primary_key": ["id"],
        "columns": {"id": "text not null", "name": "text", "associated_studies": "text[]",
                    "env_broad_scale": "jsonb", "depth": "jsonb"},
    }
    tables = tmp_path / "tables.yaml"
    tables.write_text(yaml.safe_dump(spec))
    source = tmp_path / "source"
    write_source(source)
    lines = source / "biosample.jsonl"
    lines.write_text("".join(_mongoexport_line(n) for n in range(50)))
    result = _ingest(empty_db, source, tables=tables)
    assert result.success, _error(result)
    with psycopg.connect(empty_db) as conn:
        assert conn.execute(
            "SELECT count(*), min(associated_studies[1]), max((depth->>'has_numeric_value')::float)"
            " FROM portal.biosample"
        ).fetchone() == (50, "nmdc:sty-11-aygzgv51", 24.5)

    lines.write_text("".join(_mongoexport_line(n, **({"ph": 6.5} if n == 3 else {}))
                             for n in range(50)))
    refused = _ingest(empty_db, source, tables=tables)
    assert not refused.success
    assert "not a column: 'ph'" in _error(refused)

    spec["tables"][1]["columns"]["annotations"] = "jsonb not null"
    spec["tables"][1]["extra_keys"] = "annotations"
    tables.write_text(yaml.safe_dump(spec))
    result = _ingest(empty_db, source, tables=tables)
    assert result.success, _error(result)
    with psycopg.connect(empty_db) as conn:
        assert conn.execute(
            "SELECT annotations FROM portal.biosample ORDER BY id LIMIT 4"
        ).fetchall() == [({},), ({},), ({},), ({"ph": 6.5},)]

    spec["tables"][1]["extra_keys"] = "name"  # not a jsonb column
    tables.write_text(yaml.safe_dump(spec))
    with pytest.raises(SpecError, match="extra_keys names a jsonb column"):
        load_spec(tables)
    spec["tables"][1]["extra_keys"] = ["annotations"]
    tables.write_text(yaml.safe_dump(spec))
    with pytest.raises(SpecError, match="extra_keys names a column, not"):
        load_spec(tables)
    spec["tables"][1] |= {"extra_keys": "annotations", "ignore_keys": "_id"}  # not a list
    tables.write_text(yaml.safe_dump(spec))
    with pytest.raises(SpecError, match="ignore_keys is a list of keys, not '_id'"):
        load_spec(tables)
    spec["tables"][1] |= {"ignore_keys": ["_id"], "primary_key": "id"}  # read as i, d
    tables.write_text(yaml.safe_dump(spec))
    with pytest.raises(SpecError, match="primary_key lists column names, not 'id'"):
        load_spec(tables)
    spec["tables"][1]["primary_key"] = ["id"]
    tables.write_text(yaml.safe_dump(spec | {"keep_orphaned_rows": "false"}))  # true as a str
    with pytest.raises(SpecError, match="keep_orphaned_rows is true or false, not 'false'"):
        load_spec(tables)


def test_a_connection_the_server_ends_mid_load_is_retried_not_failed(
    portal: tuple[str, Path],
) -> None:
    """DESIGN.md 6: transient failures are retried. The server ends the ingest's connection
    once during the COPY of a file (a restart, a failover): the step runs again, after its
    transaction rolled back, and switches the version in. The run failed, and the weekly
    schedule would try again a week later."""
    url, source = portal
    write_source(source, studies=400, samples=100, objects=3, version=2)
    with copy_ended_once(url) as killed:
        result = dg.materialize(
            [assets.ingest_staging, assets.ingest_production],
            resources={
                **_resources(url, source),
                "ingest_db": PostgresResource(url=url, connection_retry_wait_s=0.5),
            },
            run_config={"ops": {PRODUCTION_OP: {"config": {"confirm_production": "portal"}}}},
            raise_on_error=False,
        )
    assert killed, "the COPY was never seen"
    assert result.success, _error(result)
    assert any(e.event_type_value == "STEP_RESTARTED" for e in result.all_events)
    assert _counts(url)[:2] == (400, 40000)

# The staging load, in a process that cannot override file permissions (root without
# CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH), as an ingest user that is not root; once per
# tables file given.
UNPRIVILEGED = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
STAGE_AS_UNPRIVILEGED = """
import json, sys
import dagster as dg
from maint_assets.core.postgres import PostgresResource
from maint_assets.ingest import assets
from maint_assets.ingest.resources import IngestSettings
db, source = sys.argv[1:3]
for tables in sys.argv[3:]:
    result = dg.materialize([assets.ingest_staging], raise_on_error=False, resources={
        "ingest_db": PostgresResource(url=db),
        "ingest": IngestSettings(tables_file=tables, source_url=source)})
    failed = result.get_step_failure_events()
    print(json.dumps({
        "error": failed[0].event_specific_data.error.message if failed else None,
        "metadata": {k: v.value for e in result.get_asset_materialization_events()
                     for k, v in e.materialization.metadata.items()
                     if isinstance(v.value, (int, str))},
    }))
"""


def test_a_folder_of_the_source_it_may_not_read_is_named_and_never_taken_as_empty(
    empty_db: str, tmp_path: Path
) -> None:
    source = tmp_path / "source"
    write_source(source, studies=2, samples=2)
    private = source / "private"
    private.mkdir()
    (private / "data_object.csv").write_text("id,biosample_id,size_bytes,url\n")
    # This test's own table list: the demo's, with one optional table's file in that folder.
    nested = tmp_path / "nested_tables.yaml"
    nested.write_text(DEMO_TABLES_FILE.read_text().replace(
        "    file: data_object.csv\n", "    file: private/data_object.csv\n    required: false\n"
    ))
    private.chmod(0)
    try:
        done = subprocess.run(
            [*UNPRIVILEGED, sys.executable, "-c", STAGE_AS_UNPRIVILEGED, empty_db, str(source),
             str(DEMO_TABLES_FILE), str(nested)],
            capture_output=True, text=True, timeout=300,
        )
    finally:
        private.chmod(0o755)
    assert done.returncode == 0, done.stderr[-3000:]
    loaded, refused = (json.loads(line) for line in done.stdout.splitlines()[-2:])
    # Its files not needed: loaded, the folder named in the metadata and the log.
    assert loaded["error"] is None
    assert loaded["metadata"]["folders_not_read"] == 1
    assert "`private/`: the listing user may not read it" in loaded["metadata"]["not_listed"]
    warned = done.stderr[done.stderr.index("1 folder(s) not listed"):]
    assert warned.split("\n", 2)[1] == "private/"
    # A table's file in it is not known to be absent: not loaded empty, refused.
    assert refused["error"].strip().endswith(
        f"Failure: not read in {source}: private/data_object.csv (under private/, a folder "
        "the listing user may not read); nothing loaded"
    )


def _study_rules(url: str) -> dict[str, list[str]]:
    """The indexes and CHECK constraints of production's study table, by name."""
    with psycopg.connect(url) as conn:
        return {
            "indexes": conn.execute(
                "SELECT array_agg(indexname::text ORDER BY indexname) FROM pg_indexes"
                " WHERE schemaname = 'portal' AND tablename = 'study'"
            ).fetchone()[0],
            "checks": conn.execute(
                "SELECT array_agg(conname::text ORDER BY conname) FROM pg_constraint"
                " WHERE conrelid = 'portal.study'::regclass AND contype = 'c'"
            ).fetchone()[0],
        }


def test_a_rule_the_tables_file_no_longer_declares_is_dropped_a_dbas_is_carried(
    portal: tuple[str, Path], tmp_path: Path
) -> None:
    """An index and a row check removed from the tables file are gone from the version
    switched in, and reported, while a DBA's index and CHECK on the same table are carried,
    though PostgreSQL gave them the same kind of default name the loader's have (an
    independent trial: the removed rules were carried as a DBA's, so removing one never
    removed it); declared again, they are made again by the load. The DBA's objects are
    this test's invention, on the real tables."""
    url, source = portal
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE INDEX ON portal.study (name)")  # study_name_idx
        conn.execute("ALTER TABLE portal.study ADD CHECK (name <> '')")  # study_name_check
    assert _study_rules(url) == {
        "indexes": ["study_ecosystem_idx", "study_name_idx", "study_pkey"],
        "checks": ["study_id_check", "study_name_check"],
    }
    tables = tmp_path / "tables.yaml"
    declared = DEMO_TABLES_FILE.read_text()
    rules = (
        "    indexes: [[ecosystem]]\n    checks: [{column: id, operator: min_length, value: 1}]\n"
    )
    assert rules in declared
    tables.write_text(declared.replace(rules, ""))

    write_source(source, version=2)
    result = _ingest(url, source, tables=tables)
    assert result.success, _error(result)
    assert _counts(url)[3] == "Study 0 v2"
    assert _study_rules(url) == {
        "indexes": ["study_name_idx", "study_pkey"], "checks": ["study_name_check"]
    }
    assert _meta(result)["dropped_no_longer_declared"] == [
        "index study_ecosystem_idx on portal.study",
        "constraint study_id_check on portal.study",
    ]

    write_source(source, version=3)
    result = _ingest(url, source)
    assert result.success, _error(result)
    assert _study_rules(url) == {
        "indexes": ["study_ecosystem_idx", "study_name_idx", "study_pkey"],
        "checks": ["study_id_check", "study_name_check"],
    }
    assert _meta(result)["dropped_no_longer_declared"] == []


def _privileges_and_comments(url: str) -> dict[str, object]:
    """Production's loaded tables' privileges (table and column level, with the grant
    option, the owner's left out) and the comments on their constraints, extended
    statistics and indexes."""
    with psycopg.connect(url) as conn:
        def rows(query: str) -> list[tuple]:
            return conn.execute(query).fetchall()

        loaded = "c.relnamespace = 'portal'::regnamespace AND c.relkind = 'r'"
        return {
            "table": rows(
                "SELECT DISTINCT c.relname, a.grantee::regrole::text, a.privilege_type,"
                " a.is_grantable FROM pg_class c, aclexplode(c.relacl) a"
                f" WHERE {loaded} AND a.grantee <> c.relowner ORDER BY 1, 2, 3, 4"
            ),
            "column": rows(
                "SELECT DISTINCT c.relname, t.attname, a.grantee::regrole::text,"
                " a.privilege_type, a.is_grantable FROM pg_class c"
                " JOIN pg_attribute t ON t.attrelid = c.oid, aclexplode(t.attacl) a"
                f" WHERE {loaded} ORDER BY 1, 2, 3, 4, 5"
            ),
            "constraints": rows(
                "SELECT c.relname, k.conname, obj_description(k.oid, 'pg_constraint')"
                f" FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE {loaded}"
                " AND obj_description(k.oid, 'pg_constraint') IS NOT NULL ORDER BY 1, 2"
            ),
            "statistics": rows(
                "SELECT s.stxname, obj_description(s.oid, 'pg_statistic_ext')"
                " FROM pg_statistic_ext s JOIN pg_class c ON c.oid = s.stxrelid"
                f" WHERE {loaded} ORDER BY 1"
            ),
            "indexes": rows(
                "SELECT i.relname, obj_description(i.oid, 'pg_class') FROM pg_index x"
                " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid"
                f" WHERE {loaded} AND obj_description(i.oid, 'pg_class') IS NOT NULL"
                " ORDER BY 1"
            ),
        }


def test_grant_options_and_the_comments_of_constraints_and_statistics_are_carried(
    portal: tuple[str, Path], roles: tuple[str, str]
) -> None:
    """Table and column privileges granted WITH GRANT OPTION keep it on the version switched
    in and plain ones do not gain it; the comments on a DBA's constraint, statistics and
    index and a DBA's comment on a row check of the tables file hold; a rollback leaves
    exactly production's, changed since (an independent trial: the grant options and these
    comments were lost). The DBA's objects are this test's invention, on the real tables."""
    url, source = portal
    r, s = (sql.Identifier(n) for n in roles)
    with psycopg.connect(url, autocommit=True) as conn:
        for statement_ in (
            "GRANT USAGE ON SCHEMA portal TO {r}, {s}",
            "GRANT SELECT ON portal.study TO {r} WITH GRANT OPTION",
            "GRANT INSERT ON portal.study TO {r}",
            "GRANT SELECT ON portal.biosample TO {s}",
            "GRANT SELECT (id, url) ON portal.data_object TO {r} WITH GRANT OPTION",
            "GRANT UPDATE (url) ON portal.data_object TO {r}",
            "GRANT SELECT (id) ON portal.data_object TO {s}",
        ):
            conn.execute(sql.SQL(statement_).format(r=r, s=s))
        conn.execute("ALTER TABLE portal.study ADD CONSTRAINT named CHECK (name <> '')")
        conn.execute("COMMENT ON CONSTRAINT named ON portal.study IS 'a DBA''s rule'")
        conn.execute("COMMENT ON CONSTRAINT study_id_check ON portal.study"
                     " IS 'the tables file''s rule, as a DBA describes it'")
        conn.execute("CREATE STATISTICS portal.study_kinds ON ecosystem, name FROM portal.study")
        conn.execute("COMMENT ON STATISTICS portal.study_kinds IS 'for the planner'")
        conn.execute("CREATE INDEX data_object_url ON portal.data_object (url)")
        conn.execute("COMMENT ON INDEX portal.data_object_url IS 'for the downloads'")
    set_up = _privileges_and_comments(url)
    assert (("study", roles[0], "SELECT", True) in set_up["table"]
            and ("study", roles[0], "INSERT", False) in set_up["table"])
    assert len(set_up["constraints"]) == 2 and set_up["statistics"][0][1] is not None

    write_source(source, version=2)
    result = _ingest(url, source)
    assert result.success, _error(result)
    assert _counts(url)[3] == "Study 0 v2"
    assert _privileges_and_comments(url) == set_up

    with psycopg.connect(url, autocommit=True) as conn:
        for statement_ in (
            "REVOKE GRANT OPTION FOR SELECT ON portal.study FROM {r}",
            "GRANT INSERT ON portal.study TO {r} WITH GRANT OPTION",
            "REVOKE GRANT OPTION FOR SELECT (url) ON portal.data_object FROM {r}",
            "GRANT UPDATE (url) ON portal.data_object TO {r} WITH GRANT OPTION",
            "REVOKE SELECT ON portal.biosample FROM {s}",
        ):
            conn.execute(sql.SQL(statement_).format(r=r, s=s))
        conn.execute("COMMENT ON CONSTRAINT named ON portal.study IS 'reworded'")
        conn.execute("COMMENT ON STATISTICS portal.study_kinds IS NULL")
        conn.execute("COMMENT ON INDEX portal.data_object_url IS 'reworded too'")
    before = _privileges_and_comments(url)
    assert before != set_up
    assert _rollback(url, source).success
    assert _counts(url)[3] == "Study 0 v1"
    assert _privileges_and_comments(url) == before


def _ecosystem_key_into(url: str, schema: str) -> None:
    """A users' table of ecosystems in ``schema`` and a key from study.ecosystem into it."""
    with psycopg.connect(url, autocommit=True) as conn:
        if schema != "portal":
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("CREATE TABLE {} (name text PRIMARY KEY)").format(
            sql.Identifier(schema, "ecosystems")))
        conn.execute(sql.SQL("INSERT INTO {} VALUES ('soil'), ('marine'), ('host')").format(
            sql.Identifier(schema, "ecosystems")))
        conn.execute(sql.SQL("ALTER TABLE portal.study ADD CONSTRAINT study_ecosystem_fkey"
                             " FOREIGN KEY (ecosystem) REFERENCES {} (name)").format(
            sql.Identifier(schema, "ecosystems")))


def _without_ecosystem(source: Path, version: int) -> Path:
    """The source's next version without study.ecosystem; returns its tables file."""
    spec = yaml.safe_load(DEMO_TABLES_FILE.read_text())
    del spec["tables"][0]["columns"]["ecosystem"]
    del spec["tables"][0]["indexes"]
    spec["tables"][0]["drop_columns"] = ["ecosystem"]
    tables = source.parent / "no_ecosystem.yaml"
    tables.write_text(yaml.safe_dump(spec))
    write_source(source, version=version)
    studies = source / "study.csv"
    rows = [line.split(",") for line in studies.read_text().splitlines()]
    studies.write_text("".join(f"{r[0]},{r[1]}\n" for r in rows))
    return tables


def test_keys_into_another_schemas_busy_table_wait_for_its_writer_and_are_never_lost(
    portal: tuple[str, Path],
) -> None:
    """Dropping a key from the archived version, and making it again at a rollback, lock the
    table it references. In another schema, that table was not among the switch's locks: the
    rollback's ADD gave up after the short lock timeout while an application wrote there, and
    the key was lost with its record. Both now wait for the writer, under the switch's retries."""
    url, source = portal
    _ecosystem_key_into(url, "ref")
    tables = _without_ecosystem(source, version=2)

    def while_a_writer_holds_ref(action: Callable[[], dg.ExecuteInProcessResult]
                                 ) -> dg.ExecuteInProcessResult:
        with psycopg.connect(url) as writer:  # an application's open transaction
            writer.execute("INSERT INTO ref.ecosystems VALUES (%s)", [secrets.token_hex(4)])
            later = threading.Timer(1.5, writer.commit)
            later.start()
            try:
                return action()
            finally:
                later.join()

    switched = while_a_writer_holds_ref(lambda: _ingest(url, source, tables=tables))
    assert switched.success, _error(switched)
    with dg.instance_for_test() as instance:
        rolled_back = while_a_writer_holds_ref(
            lambda: _rollback(url, source, instance=instance))
        assert rolled_back.success, _error(rolled_back)
        logs = " | ".join(e.user_message for e in instance.all_logs(rolled_back.run_id))
    assert "not made again" not in logs, logs
    with psycopg.connect(url) as conn:
        assert conn.execute(
            "SELECT pg_get_constraintdef(oid), convalidated FROM pg_constraint"
            " WHERE conname = 'study_ecosystem_fkey'").fetchall() == [
            ("FOREIGN KEY (ecosystem) REFERENCES ref.ecosystems(name)", True)]


def test_partitions_go_with_their_parent_loaded_or_carried(portal: tuple[str, Path]) -> None:
    """A production made by the application may partition a table the ingest loads (its
    partitions are archived with it, never carried into the new version) and a users' table
    (carried whole: a partition left behind would be dropped with the archived version)."""
    url, source = portal
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE portal.data_object RENAME TO data_object_plain")
        conn.execute(
            "CREATE TABLE portal.data_object (LIKE portal.data_object_plain)"
            " PARTITION BY HASH (id)"
        )
        for r in (0, 1):
            conn.execute(
                f"CREATE TABLE portal.data_object_{r} PARTITION OF portal.data_object"
                f" FOR VALUES WITH (MODULUS 2, REMAINDER {r})"
            )
        conn.execute("INSERT INTO portal.data_object SELECT * FROM portal.data_object_plain")
        conn.execute("DROP TABLE portal.data_object_plain")
        conn.execute(
            "CREATE TABLE portal.events (id int, year int, what text) PARTITION BY RANGE (year)"
        )
        conn.execute(
            "CREATE TABLE portal.events_old PARTITION OF portal.events"
            " FOR VALUES FROM (0) TO (2000)"
        )
        conn.execute(
            "CREATE TABLE portal.events_new PARTITION OF portal.events"
            " FOR VALUES FROM (2000) TO (3000)"
        )
        conn.execute("INSERT INTO portal.events VALUES (1, 1999, 'a'), (2, 2024, 'b')")
    write_source(source, version=2)
    result = _ingest(url, source)
    assert result.success, result.get_step_failure_events()

    def where(table: str) -> tuple[str, str | None]:
        return conn.execute(
            "SELECT n.nspname, (SELECT p.relname FROM pg_inherits i JOIN pg_class p"
            " ON p.oid = i.inhparent WHERE i.inhrelid = c.oid)"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relname = %s",
            [table],
        ).fetchone()

    with psycopg.connect(url) as conn:
        archived = conn.execute(
            "SELECT archived_as FROM maint_assets.ingest_versions ORDER BY switched_at DESC"
        ).fetchone()[0]
        assert where("data_object_0") == (archived, "data_object")
        assert where("data_object_1") == (archived, "data_object")
        assert where("events_old") == ("portal", "events")
        assert where("events_new") == ("portal", "events")
        assert conn.execute("SELECT count(*) FROM portal.events").fetchone()[0] == 2
        assert conn.execute(
            "SELECT relkind FROM pg_class WHERE oid = 'portal.data_object'::regclass"
        ).fetchone()[0] == "r"
    assert _counts(url)[:3] == (20, 1000, 3000)
    assert _rollback(url, source).success
    with psycopg.connect(url) as conn:
        assert where("data_object_0") == ("portal", "data_object")
        assert where("events_new") == ("portal", "events")
        assert conn.execute("SELECT count(*) FROM portal.events").fetchone()[0] == 2


def test_a_rollback_brings_back_the_keys_the_version_lost_when_archived(
    portal: tuple[str, Path],
) -> None:
    """A key from a loaded table into a users' table, on a column the next version drops,
    cannot be carried onto it, and is dropped from the archived version (its old rows would
    hold back the users' deletes). A rollback to that version makes it again: checked when
    its rows still hold, NOT VALID (checking new rows) when the users deleted a referenced
    row meanwhile. It was lost for good, and the log said it was left on the old version."""
    url, source = portal
    _ecosystem_key_into(url, "portal")

    def without_ecosystem(version: int) -> dg.ExecuteInProcessResult:
        tables = _without_ecosystem(source, version)
        result = _ingest(url, source, tables=tables)
        assert result.success, _error(result)
        return result

    def key() -> tuple[bool, str] | None:
        with psycopg.connect(url) as conn:
            return conn.execute(
                "SELECT convalidated, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conname = 'study_ecosystem_fkey'").fetchone()

    switched = without_ecosystem(2)
    assert [n for n in _meta(switched)["not_carried"] if "study_ecosystem_fkey" in n]
    assert key() is None  # neither on production nor on the archived version
    rolled_back = _rollback(url, source)
    assert rolled_back.success
    assert _counts(url)[3] == "Study 0 v1"
    assert key() == (True, "FOREIGN KEY (ecosystem) REFERENCES portal.ecosystems(name)")
    with (
        psycopg.connect(url, autocommit=True) as conn,
        pytest.raises(psycopg.errors.ForeignKeyViolation),
    ):
        conn.execute("DELETE FROM portal.ecosystems WHERE name = 'host'")

    without_ecosystem(3)
    with psycopg.connect(url, autocommit=True) as conn:  # no key holds it back now
        conn.execute("DELETE FROM portal.ecosystems WHERE name = 'host'")
    with dg.instance_for_test() as instance:
        rolled_back = _rollback(url, source, instance=instance)
        assert rolled_back.success
        logs = [e.user_message for e in instance.all_logs(rolled_back.run_id)]
    assert key() == (
        False, "FOREIGN KEY (ecosystem) REFERENCES portal.ecosystems(name) NOT VALID"
    )
    assert any(
        "portal.study.study_ecosystem_fkey: 6 row(s) reference a missing row" in m for m in logs
    ), logs
    with (  # new rows are checked
        psycopg.connect(url, autocommit=True) as conn,
        pytest.raises(psycopg.errors.ForeignKeyViolation),
    ):
        conn.execute("UPDATE portal.study SET ecosystem = 'cave' WHERE id = 'st-0'")

def test_a_users_key_into_a_loaded_table_is_not_validated_under_the_switchs_locks(
    portal: tuple[str, Path],
) -> None:
    """A key from a carried users' table into a loaded table (nmdc-server's
    bulk_download_data_object.data_object_id REFERENCES data_object) is dropped and added
    again, validated, under the switch's ACCESS EXCLUSIVE locks (switching.py
    _switch_locked: add_foreign_key(conn, table, name, validated)). Validation scans the whole
    users' table, so every reader of production waits for it: with 7 M rows in
    bulk_download_data_object on nmdc-server's own schema, locks held 2 066 ms and a reader of
    data_object waited 2.17 s. The keys from loaded tables are already checked before the
    locks and validated after the commit; these are not."""
    url, source = portal
    with psycopg.connect(url, autocommit=True) as conn:
        # The same table, key and rows as declared with them, made faster: the 4.5 M rows
        # loaded first, then the primary key built and the foreign key validated in one scan
        # each (row by row, the key's trigger and the index cost most of this test's time).
        conn.execute(
            "CREATE TABLE portal.bulk_download_data_object (bulk_download_id int,"
            " data_object_id text, path text)"
        )
        conn.execute(
            "INSERT INTO portal.bulk_download_data_object"
            " SELECT b, d.id, 'p' FROM generate_series(1, 1500) b, portal.data_object d"
        )
        conn.execute(
            "ALTER TABLE portal.bulk_download_data_object"
            " ADD PRIMARY KEY (bulk_download_id, data_object_id),"
            " ADD CONSTRAINT bulk_download_data_object_data_object_id_fkey"
            " FOREIGN KEY (data_object_id) REFERENCES portal.data_object (id)"
        )
        conn.execute("VACUUM ANALYZE portal.bulk_download_data_object")
    write_source(source, version=2)
    stop, waits = threading.Event(), []

    def read() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            while not stop.is_set():
                started = time.perf_counter()
                conn.execute("SELECT url FROM portal.data_object WHERE id = 'do-1-1-1'").fetchall()
                waits.append(time.perf_counter() - started)
                time.sleep(0.005)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        result = _ingest(url, source)
    finally:
        stop.set()
        reader.join()
    assert result.success, _error(result)
    held = _meta(result)["locks_held_ms"]
    # 4.5 M rows: the key's validation alone took ~0.8 s under the locks here
    assert held < 300 and max(waits) < 1.0, (held, max(waits))


def test_an_object_for_a_text_column_is_refused_naming_the_line_and_column(
    empty_db: str, tmp_path: Path
) -> None:
    """nmdc-schema's slots are often objects (TextValue, QuantityValue: `geo_loc_name:
    {"has_raw_value": …}`). A JSON line whose value for a text column is an object or an
    array is loaded as that JSON's text (jsonb_populate_record, sql/ingest/ingest_staging.sql
    insert_lines) and switched into production without a word; a numeric or date column
    refuses the same value, naming the line and column. nmdc-server's own ingest validates
    each document with its pydantic schemas (schemas.py BiosampleBase: `ecosystem:
    Optional[str]`), which refuse an object for a str."""
    spec = yaml.safe_load(DEMO_TABLES_FILE.read_text())
    spec["tables"][1]["columns"]["geo_loc_name"] = "text"
    tables = tmp_path / "tables.yaml"
    tables.write_text(yaml.safe_dump(spec))
    source = tmp_path / "source"
    write_source(source)
    lines = (source / "biosample.jsonl").read_text().splitlines()
    lines = [line[:-1] + ', "geo_loc_name": "USA: Oregon"}' for line in lines]
    lines[6] = lines[6].replace(
        '"geo_loc_name": "USA: Oregon"',
        '"geo_loc_name": {"has_raw_value": "USA: Oregon", "type": "nmdc:TextValue"}',
    )
    (source / "biosample.jsonl").write_text("\n".join(lines) + "\n")
    result = _ingest(empty_db, source, tables=tables)
    stored = None
    if result.success:
        with psycopg.connect(empty_db) as conn:
            stored = conn.execute(
                "SELECT geo_loc_name FROM portal.biosample WHERE geo_loc_name LIKE '{%'"
            ).fetchall()
    assert not result.success, f"switched in: {stored}"
    assert "biosample.jsonl line 7, column geo_loc_name" in _error(result)


def test_a_duplicate_key_is_named_in_the_refusal(portal: tuple[str, Path]) -> None:
    """A file that repeats a primary key is refused as `breaks PRIMARY KEY ("id"): could not
    create unique index "data_object_pkey"` (loading.py constrain: the first line of the
    server's message, whose DETAIL `Key (id)=(…) is duplicated.` is dropped): in a file of
    millions of lines the operator is not told which key, nor where."""
    url, source = portal
    write_source(source, version=2)
    with (source / "data_object.csv").open("a") as f:
        f.write("do-7-7-1,bs-7-7,5,https://data.example.org/again\r\n")  # csv.writer's endings
    result = _ingest(url, source)
    assert not result.success
    assert "do-7-7-1" in _error(result)


def test_a_failure_expiring_old_versions_does_not_fail_a_committed_switch(
    portal: tuple[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Once the switch has committed, expire() drops the versions beyond keep_versions in its
    own connection (assets.py, after log_switched). If the server ends that connection (a
    restart, a failover; here pg_terminate_backend before its DROP SCHEMA) the run fails with
    the bare AdminShutdown, no metadata is recorded, and nothing says production was switched,
    though it was. Switched.validated() treats the same failure after the commit as a warning
    ("never failing the committed switch"); expire() does not."""
    url, source = portal
    spec = yaml.safe_load(DEMO_TABLES_FILE.read_text()) | {"keep_versions": 1}
    tables = tmp_path / "tables.yaml"
    tables.write_text(yaml.safe_dump(spec))
    write_source(source, version=2)
    assert _ingest(url, source, tables=tables).success
    write_source(source, version=3)
    execute = psycopg.Cursor.execute

    def cut_before_drop(self: psycopg.Cursor, query: object, *args: object, **kw: object):
        text = query.as_string(self.connection) if hasattr(query, "as_string") else str(query)
        if text.startswith("DROP SCHEMA") and "portal__v" in text:
            with psycopg.connect(url, autocommit=True) as killer:
                killer.execute(
                    "SELECT pg_terminate_backend(%s)", (self.connection.info.backend_pid,)
                )
        return execute(self, query, *args, **kw)

    monkeypatch.setattr(psycopg.Cursor, "execute", cut_before_drop)
    result = _ingest(url, source, tables=tables)
    monkeypatch.undo()
    with psycopg.connect(url) as conn:
        name = conn.execute("SELECT min(name) FROM portal.study").fetchone()[0]
    assert name == "Study 0 v3"  # the switch committed
    assert result.success, _error(result)[-300:]


def test_a_repeatable_read_reader_older_than_the_load_never_reads_the_new_version_empty(
    portal: tuple[str, Path],
) -> None:
    """A REPEATABLE READ transaction that took its snapshot before the staging load (a report,
    nmdc-server's own get_study in such a session: trial s34) and had not read production yet
    holds no lock the switch waits for: after the switch it read the new version's tables
    under production's names in its old snapshot, empty (0 studies, 0 biosamples). The
    switch waits for it, and refuses naming it if it stays."""
    url, source = portal
    before = _counts(url)
    with psycopg.connect(url, application_name="old report") as reader:
        reader.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        reader.execute("SELECT 1").fetchone()  # its snapshot, older than the load
        write_source(source, version=2)
        assert dg.materialize([assets.ingest_staging], resources=_resources(url, source)).success
        switched = _switch_only(url, source, switch_lock_attempts=2)
        seen = reader.execute(
            "SELECT (SELECT count(*) FROM portal.study), (SELECT count(*) FROM portal.biosample)"
        ).fetchone()
        assert seen == before[:2], (seen, before, _counts(url))
        assert not switched.success
        assert "snapshot predates the load of portal__staging" in _error(switched)
        assert f"pid {reader.info.backend_pid} (client backend" in _error(switched)
        assert "application old report" in _error(switched), _error(switched)
    assert _counts(url) == before  # production untouched
    assert _switch_only(url, source).success
    assert _counts(url)[3] == "Study 0 v2"


def test_expiry_keeps_keep_versions_a_rollback_can_reach_before_a_rolled_back_one(
    portal: tuple[str, Path], tmp_path: Path
) -> None:
    """A version a rollback replaced (state 'rolled_back') is never switched back in by a
    rollback, yet it counted among the keep_versions kept, ahead of an older 'previous' one:
    with keep_versions 2, after ingest, ingest, rollback, ingest, expiry dropped v1, which the
    second rollback needed, and kept the bad v3, which no rollback can reach (trial s34)."""
    url, source = portal
    tables = tmp_path / "tables.yaml"
    tables.write_text(DEMO_TABLES_FILE.read_text().replace("keep_versions: 3", "keep_versions: 2"))
    for version in (2, 3):
        write_source(source, version=version)
        assert _ingest(url, source, tables=tables).success
    assert _rollback(url, source).success and _counts(url)[3] == "Study 0 v2"  # v3 was bad
    write_source(source, version=4)
    fourth = _ingest(url, source, tables=tables)
    assert fourth.success, _error(fourth)
    assert _rollback(url, source).success and _counts(url)[3] == "Study 0 v2"
    second = _rollback(url, source)
    assert second.success, (_meta(fourth)["dropped_versions"], _error(second))
    assert _counts(url)[3] == "Study 0 v1"

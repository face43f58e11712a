"""What nmdc-server's real portal schema and records bring that the demo's tables file did not:
columns its migrations add to production, serial keys its Mongo documents lack, whole-number
doubles, and a tables file edited between the load and the switch."""

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import psycopg
import pytest
import yaml
from psycopg import sql

from maint_assets.demo.ingest_data import DEMO_TABLES_FILE, write_source
from maint_assets.ingest import assets
from maint_assets.ingest.automation import rollback_production_job
from maint_assets_tests.ingest.test_ingest import PRODUCTION_OP, _error, _ingest, _meta, _resources
from maint_assets_tests.login_roles import scratch_roles


def test_a_column_production_has_and_the_new_version_lacks_is_never_dropped_silently(
    portal: tuple[str, Path],
) -> None:
    """nmdc-server's deploy runs `alembic upgrade head` on production, and its migrations add
    columns to the tables the ingest reloads (b4b234bd55cf: study.homepage_website;
    a67ca461ab87: superseded_by). A tables file written before such a release lacks the
    column: the switch succeeded, said nothing (no metadata, no warning), and nmdc-server's
    ORM, which selects every mapped column, failed every query of the table afterwards
    (`crud.get_database_summary`: UndefinedColumn study.homepage_website). Here an app's
    migration adds portal.study.doi and fills it; the next ingest's tables file does not
    know it. Reported only (a warning), the switch still broke the application and left the
    values on a version that expires: now refused, unless the table's drop_columns lets the
    column go."""
    url, source = portal
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE portal.study ADD COLUMN doi text")
        conn.execute("UPDATE portal.study SET doi = '10.1/' || id")
    write_source(source, version=2)
    result = _ingest(url, source)
    assert not result.success
    assert ("portal.study.doi (text): in production, not in the version switched in"
            in _error(result)), _error(result)
    assert "drop_columns" in _error(result) and "production is untouched" in _error(result)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(doi), min(name) FROM portal.study").fetchone() == (
            20, "Study 0 v1")
    tables = source.parent / "tables.yaml"
    tables.write_text(DEMO_TABLES_FILE.read_text().replace(
        "ecosystem: text}", "ecosystem: text}\n    drop_columns: [doi]"))
    result = _ingest(url, source, tables=tables)
    assert result.success, _error(result)
    assert _meta(result)["not_carried"] == [
        "column portal.study.doi (text): not in the new version, its values left on "
        + _meta(result)["previous_version"]
    ]


def test_a_serial_key_the_files_leave_out_is_numbered_by_its_sequence(
    empty_db: str, tmp_path: Path
) -> None:
    """nmdc-server's ontology_relation (models.py: `id = Column(Integer, primary_key=True)`,
    a serial; the ETL inserts {subject, predicate, object, type} and the sequence numbers
    them, ingest/ontology.py) is filled from Mongo's ontology_relation_set, whose documents
    have no such id; so is envo_tree's surrogate `pk`. The tables file may declare the
    column `serial`, yet a file without it was refused: `missing: 'id'`."""
    source = tmp_path / "source"
    source.mkdir()
    relations = [
        {"_id": {"$oid": f"{i:024x}"}, "subject": f"ENVO:{i:08d}", "predicate": "rdfs:subClassOf",
         "object": "ENVO:00000001", "type": "nmdc:OntologyRelation"}
        for i in range(2, 12)
    ]
    (source / "ontology_relation.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in relations)
    )
    (source / "envo_tree.csv").write_text(
        "id,parent_id\nENVO:00000001,\n" + "".join(
            f"ENVO:{i:08d},ENVO:00000001\n" for i in range(2, 7)
        )
    )
    tables = tmp_path / "tables.yaml"
    tables.write_text(yaml.safe_dump({
        "production": "portal",
        "tables": [
            {"name": "ontology_relation", "file": "ontology_relation.jsonl",
             "columns": {"id": "serial", "subject": "text not null", "predicate": "text not null",
                         "object": "text not null", "type": "text not null"},
             "primary_key": ["id"]},
            {"name": "envo_tree", "file": "envo_tree.csv",
             "columns": {"pk": "serial", "id": "text not null", "parent_id": "text"},
             "primary_key": ["pk"]},
        ],
    }))
    result = dg.materialize(
        [assets.ingest_staging, assets.ingest_production],
        resources=_resources(empty_db, source, tables),
        run_config={"ops": {PRODUCTION_OP: {"config": {"confirm_production": "portal"}}}},
        raise_on_error=False,
    )
    assert result.success, _error(result)
    with psycopg.connect(empty_db) as conn:
        assert conn.execute(
            "SELECT count(DISTINCT id), min(id), max(id) FROM portal.ontology_relation"
        ).fetchone() == (10, 1, 10)
        assert conn.execute("SELECT count(DISTINCT pk) FROM portal.envo_tree").fetchone() == (6,)


def test_a_tables_file_changed_since_the_load_refuses_the_switch_naming_the_tables(
    portal: tuple[str, Path], tmp_path: Path
) -> None:
    """The switch reads the tables file again; the load may have read another (the real
    load takes hours, and the file is edited meanwhile, or a switch-only run follows a
    change). A table the list no longer has, loaded in staging, was then 'carried' from
    production into staging and the switch failed on PostgreSQL's `DuplicateTable: relation
    "data_object" already exists in schema "portal__staging"`; one the list gained failed
    on `UndefinedTable` in the checks: neither says the staging schema was loaded with
    another list, nor that production is untouched."""
    url, source = portal
    write_source(source, version=2)
    tables = tmp_path / "tables.yaml"
    spec = yaml.safe_load(DEMO_TABLES_FILE.read_text())
    tables.write_text(yaml.safe_dump(spec))
    loaded = dg.materialize([assets.ingest_staging], resources=_resources(url, source, tables),
                            raise_on_error=False)
    assert loaded.success
    switch_config = {"ops": {PRODUCTION_OP: {"config": {"confirm_production": "portal"}}}}
    for changed, named in (
        ([t for t in spec["tables"] if t["name"] != "data_object"], "data_object"),
        (spec["tables"] + [{"name": "sample_set", "file": "sample_set.csv",
                            "columns": {"id": "text"}, "primary_key": ["id"],
                            "required": False}], "sample_set"),
    ):
        tables.write_text(yaml.safe_dump(dict(spec, tables=changed)))
        result = dg.materialize([assets.ingest_production],
                                resources=_resources(url, source, tables),
                                run_config=switch_config, raise_on_error=False)
        assert not result.success
        message = _error(result)
        assert "psycopg.errors" not in message and named in message, message
        assert "production is untouched" in message, message
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT min(name) FROM portal.study").fetchone() == ("Study 0 v1",)


def test_an_integral_json_double_loads_into_an_integer_column(
    empty_db: str, tmp_path: Path
) -> None:
    """mongoexport writes a BSON double as a JSON number with a decimal point (relaxed
    Extended JSON: 1000 stored as a double is `1000.0`; Python's json.dumps of a float does
    the same). nmdc-server's ingest validates data_object_set with pydantic
    (schemas.DataObjectBase.file_size_bytes: Optional[int]), which takes 1000.0 as 1000 and
    refuses 1000.5. The loader refused the whole file: `invalid input syntax for type bigint:
    "1000.0"`."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "data_object.jsonl").write_text(
        json.dumps({"_id": {"$oid": "6" * 24}, "id": "nmdc:dobj-11-1", "file_size_bytes": 1000.0})
        + "\n" + json.dumps({"id": "nmdc:dobj-11-2", "file_size_bytes": 2048}) + "\n"
    )
    tables = tmp_path / "tables.yaml"
    tables.write_text(yaml.safe_dump({
        "production": "portal",
        "tables": [{"name": "data_object", "file": "data_object.jsonl",
                    "columns": {"id": "text not null", "file_size_bytes": "bigint"},
                    "primary_key": ["id"]}],
    }))
    result = dg.materialize(
        [assets.ingest_staging], resources=_resources(empty_db, source, tables),
        raise_on_error=False,
    )
    assert result.success, _error(result)
    with psycopg.connect(empty_db) as conn:
        assert conn.execute(
            "SELECT array_agg(file_size_bytes ORDER BY id) FROM portal__staging.data_object"
        ).fetchone() == ([1000, 2048],)
    (source / "data_object.jsonl").write_text(
        json.dumps({"id": "nmdc:dobj-11-3", "file_size_bytes": 1000.5}) + "\n"
    )
    refused = dg.materialize(
        [assets.ingest_staging], resources=_resources(empty_db, source, tables),
        raise_on_error=False,
    )
    assert not refused.success
    assert "data_object.jsonl" in _error(refused) and "line 1" in _error(refused), _error(refused)


def _ontology_tables(tmp_path: Path) -> Path:
    """nmdc-server's two serial-keyed tables (models.py: OntologyRelation.id and EnvoTree.pk,
    `Column(Integer, primary_key=True)`, made SERIAL by migration 43ce041c88cb), declared
    `serial`; envo_tree's key column named so that only a quoted identifier reaches it."""
    tables = tmp_path / "tables.yaml"
    tables.write_text(yaml.safe_dump({
        "production": "portal",
        "tables": [
            {"name": "ontology_relation", "file": "ontology_relation.jsonl",
             "columns": {"id": "serial", "subject": "text not null", "predicate": "text not null",
                         "object": "text not null", "type": "text not null"},
             "primary_key": ["id"]},
            {"name": "Envo Tree", "file": "envo_tree.csv",
             "columns": {"Row PK": "serial", "id": "text not null", "parent_id": "text"},
             "primary_key": ["Row PK"]},
        ],
    }))
    return tables


def _relation(i: int, **extra: object) -> str:
    """A line of Mongo's ontology_relation_set as mongoexport writes it (own-invented values,
    the keys of nmdc-schema's OntologyRelation that nmdc-server's ingest/ontology.py reads)."""
    return json.dumps({"_id": {"$oid": f"{i:024x}"}, "subject": f"ENVO:{i:08d}",
                       "predicate": "rdfs:subClassOf", "object": "ENVO:00000001",
                       "type": "nmdc:OntologyRelation", **extra}) + "\n"


_SWITCH = {"ops": {PRODUCTION_OP: {"config": {"confirm_production": "portal"}}}}


def _switch(db: str, source: Path, tables: Path) -> dg.ExecuteInProcessResult:
    return dg.materialize([assets.ingest_staging, assets.ingest_production],
                          resources=_resources(db, source, tables), run_config=_SWITCH,
                          raise_on_error=False)


def _ontology_source(tmp_path: Path) -> tuple[Path, Path]:
    """Ten ontology relations whose keys the file gives and one ENVO term, under the
    serial-keyed tables file: the source and that file."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "ontology_relation.jsonl").write_text(
        "".join(_relation(i, id=i - 1) for i in range(2, 12))
    )
    (source / "envo_tree.csv").write_text("id,parent_id\nENVO:00000001,\n")
    return source, _ontology_tables(tmp_path)


def _ontology_in_production(db: str, tmp_path: Path) -> tuple[Path, Path]:
    """Production switched in from ``_ontology_source``: the source and the tables file."""
    source, tables = _ontology_source(tmp_path)
    first = _switch(db, source, tables)
    assert first.success, _error(first)
    return source, tables


def test_a_serial_key_some_lines_give_keeps_theirs_and_numbers_the_others(
    empty_db: str, tmp_path: Path
) -> None:
    """A file may give the serial key on some lines only (rows exported from the portal's
    own tables, with their ids, merged with new Mongo documents, which have none; a CSV whose
    key cell is empty). The load failed the whole file on NOT NULL (`null value in column
    "id" ... violates not-null constraint`): the column list named the key, so the lines
    without it gave NULL, not the sequence's default. Each row without a value is numbered,
    past the values the others keep (so the numbers never collide with them)."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "ontology_relation.jsonl").write_text(
        _relation(2, id=7) + _relation(3) + _relation(4, id=3) + _relation(5, id=None)
        + _relation(6)
    )
    (source / "envo_tree.csv").write_text(
        "Row PK,id,parent_id\n40,ENVO:00000001,\n,ENVO:00000002,ENVO:00000001\n"
        "2,ENVO:00000003,ENVO:00000001\n,ENVO:00000004,ENVO:00000001\n"
    )
    result = dg.materialize(
        [assets.ingest_staging], resources=_resources(empty_db, source, _ontology_tables(tmp_path)),
        raise_on_error=False,
    )
    assert result.success, _error(result)
    with psycopg.connect(empty_db) as conn:
        given = dict(conn.execute(
            "SELECT subject, id FROM portal__staging.ontology_relation"
        ).fetchall())
        assert (given["ENVO:00000002"], given["ENVO:00000004"]) == (7, 3), given
        assert sorted(given[f"ENVO:0000000{i}"] for i in (3, 5, 6)) == [8, 9, 10], given
        tree = dict(conn.execute('SELECT id, "Row PK" FROM portal__staging."Envo Tree"'))
        assert (tree["ENVO:00000001"], tree["ENVO:00000003"]) == (40, 2), tree
        assert sorted((tree["ENVO:00000002"], tree["ENVO:00000004"])) == [41, 42], tree


def test_the_portal_inserts_after_the_switch_past_the_keys_the_files_gave(
    empty_db: str, tmp_path: Path
) -> None:
    """Files that give every serial key (all ids 1..10) left the new version's sequences at
    1: after the switch the portal's next insert relying on the column's default
    (nmdc-server's ingest/ontology.py `_bulk_insert_relations`: INSERT … (subject, predicate,
    object, type) ON CONFLICT (subject, predicate, object) DO NOTHING, whose conflict target
    does not cover the primary key) failed: `duplicate key value violates unique constraint
    … Key (id)=(1) already exists`. Every sequence a loaded table's column owns is set past
    the largest value the load left (read from the catalogue, not from the declared types)."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "ontology_relation.jsonl").write_text(
        "".join(_relation(i, id=i - 1) for i in range(2, 12))
    )
    (source / "envo_tree.csv").write_text(
        "Row PK,id,parent_id\n" + "".join(f"{i},ENVO:{i:08d},\n" for i in range(5, 9))
    )
    tables = _ontology_tables(tmp_path)
    for version in (1, 2):
        result = dg.materialize(
            [assets.ingest_staging, assets.ingest_production],
            resources=_resources(empty_db, source, tables),
            run_config={"ops": {PRODUCTION_OP: {"config": {"confirm_production": "portal"}}}},
            raise_on_error=False,
        )
        assert result.success, _error(result)
        if version == 1:  # production's unique key, as nmdc-server's migration 43ce041c88cb
            with psycopg.connect(empty_db, autocommit=True) as conn:  # makes it; carried over
                conn.execute(
                    "ALTER TABLE portal.ontology_relation ADD CONSTRAINT "
                    "uq_ontology_relation_subject_predicate_object "
                    "UNIQUE (subject, predicate, object)"
                )
    with psycopg.connect(empty_db) as conn:
        # nmdc-server's statement, as SQLAlchemy renders it (the id left to its default)
        inserted = conn.execute(
            "INSERT INTO portal.ontology_relation (subject, predicate, object, type) "
            "VALUES ('ENVO:00000099', 'rdfs:subClassOf', 'ENVO:00000001', "
            "'nmdc:OntologyRelation') ON CONFLICT (subject, predicate, object) DO NOTHING "
            "RETURNING id"
        ).fetchall()
        assert inserted == [(11,)]
        # nmdc-server's ingest/envo.py build_envo_trees: insert({"id": …, "parent_id": None})
        assert conn.execute(
            'INSERT INTO portal."Envo Tree" (id, parent_id) VALUES (%s, NULL) RETURNING "Row PK"',
            ("ENVO:00000099",),
        ).fetchone() == (9,)


def test_the_switch_moves_the_sequences_of_a_version_loaded_without_it(
    empty_db: str, tmp_path: Path
) -> None:
    """A switch alone (`ingest_production` without the load) switches what is in staging: a
    version loaded by a release before the load moved the sequences (or written to since)
    went in with ontology_relation's sequence at 1, the portal's next insert repeating id 1.
    Such a staging version is made here by setting the sequence back after the load."""
    source, tables = _ontology_source(tmp_path)
    loaded = dg.materialize([assets.ingest_staging],
                            resources=_resources(empty_db, source, tables), raise_on_error=False)
    assert loaded.success, _error(loaded)
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("SELECT setval(pg_get_serial_sequence("
                     "'portal__staging.ontology_relation', 'id'), 1, false)")
    switched = dg.materialize(
        [assets.ingest_production], resources=_resources(empty_db, source, tables),
        run_config={"ops": {PRODUCTION_OP: {"config": {"confirm_production": "portal"}}}},
        raise_on_error=False,
    )
    assert switched.success, _error(switched)
    with psycopg.connect(empty_db) as conn:
        assert conn.execute(
            "INSERT INTO portal.ontology_relation (subject, predicate, object, type) VALUES "
            "('ENVO:00000099', 'rdfs:subClassOf', 'ENVO:00000001', 'nmdc:OntologyRelation') "
            "RETURNING id"
        ).fetchone() == (11,)

def test_a_default_production_has_and_the_new_version_lacks_is_reported(
    empty_db: str, tmp_path: Path
) -> None:
    """nmdc-server's migration 43ce041c88cb makes ontology_relation.id `sa.Integer()` primary
    key, which SQLAlchemy creates SERIAL: production's column has a default, nextval of its
    own sequence, that the portal's inserts rely on (ingest/ontology.py, ingest/envo.py give
    no key). A tables file that copies the migration's `Integer` as `integer not null` made a
    new version without the default: the switch said nothing (not_carried: []) and the next
    insert failed on NOT NULL. The default cannot be carried (its sequence stays with the
    archived version): it is reported, as a lost column is."""
    source, tables = _ontology_in_production(empty_db, tmp_path)
    tables.write_text(tables.read_text().replace("id: serial", "id: integer not null"))
    result = _switch(empty_db, source, tables)
    assert result.success, _error(result)
    assert any("portal.ontology_relation.id" in n and "default" in n
               for n in _meta(result)["not_carried"]), _meta(result)["not_carried"]

# nmdc-server's own code, run on the switched production (opt-in, as `make test-real-schema`:
# its dependencies, nmdc-schema among them, are not the project's). NMDC_SERVER_PYTHON: a
# Python with nmdc-server's dependencies installed; NMDC_SERVER_SRC: a checkout of its source.
_NMDC_PYTHON, _NMDC_SRC = os.environ.get("NMDC_SERVER_PYTHON"), os.environ.get("NMDC_SERVER_SRC")
_NMDC_INSERTS = """
import sys
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from nmdc_server.ingest.ontology import _bulk_insert_relations
from nmdc_server.models import EnvoTree, OntologyRelation
import psycopg2
engine = create_engine("postgresql+psycopg2://", creator=lambda: psycopg2.connect(
    sys.argv[1], options="-c search_path=portal"))
with Session(engine) as db:
    _bulk_insert_relations(db, [{"subject": "ENVO:00000099", "predicate": "rdfs:subClassOf",
                                 "object": "ENVO:00000001", "type": "nmdc:OntologyRelation"}])
    tree = EnvoTree(id="ENVO:00000099", parent_id=None)
    db.add(tree)
    db.commit()
    relation = db.query(OntologyRelation).filter_by(subject="ENVO:00000099").one()
    print(relation.id, tree.pk)
"""


@pytest.mark.skipif(not (_NMDC_PYTHON and _NMDC_SRC),
                    reason="NMDC_SERVER_PYTHON and NMDC_SERVER_SRC not set")
def test_nmdc_servers_own_inserts_after_the_switch(empty_db: str, tmp_path: Path) -> None:
    """nmdc-server's own code inserting after the switch (ingest/ontology.py's
    _bulk_insert_relations, its EnvoTree model through its ORM) into the tables loaded with
    the keys the files gave: numbered past them."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "ontology_relation.jsonl").write_text(
        "".join(_relation(i, id=i - 1) for i in range(2, 12))
    )
    (source / "envo_tree.csv").write_text(
        "pk,id,parent_id\n" + "".join(f"{i},ENVO:{i:08d},\n" for i in range(5, 9))
    )
    tables = _ontology_tables(tmp_path)
    spec = yaml.safe_load(tables.read_text())
    spec["tables"][1].update(name="envo_tree", columns={
        "pk": "serial", "id": "text not null", "parent_id": "text"}, primary_key=["pk"])
    tables.write_text(yaml.safe_dump(spec))
    result = dg.materialize(
        [assets.ingest_staging, assets.ingest_production],
        resources=_resources(empty_db, source, tables),
        run_config={"ops": {PRODUCTION_OP: {"config": {"confirm_production": "portal"}}}},
        raise_on_error=False,
    )
    assert result.success, _error(result)
    with psycopg.connect(empty_db, autocommit=True) as conn:  # as its migration 43ce041c88cb
        conn.execute("ALTER TABLE portal.ontology_relation ADD CONSTRAINT "
                     "uq_ontology_relation_subject_predicate_object "
                     "UNIQUE (subject, predicate, object)")
    done = subprocess.run(
        [_NMDC_PYTHON, "-c", _NMDC_INSERTS, empty_db],
        cwd=_NMDC_SRC, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NMDC_GCS_OBJECT_NAME_PREFIX": "maint-assets-test"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["11", "9"], done.stdout


@pytest.fixture
def app_roles(empty_db: str) -> Iterator[tuple[str, str]]:
    """The portal's application role (nmdc-server inserts through it) and a reporting one,
    dropped afterwards."""
    with scratch_roles(empty_db, "app", "report") as names:
        yield names


def _sequence_acl(url: str, table: str, column: str) -> tuple[str, list[tuple[str, str, bool]]]:
    """The owner of the sequence production's ``table.column`` owns, and its grants."""
    with psycopg.connect(url) as conn:
        (sequence,) = conn.execute(
            "SELECT pg_get_serial_sequence(%s, %s)", (table, column)
        ).fetchone()
        owner = conn.execute(
            "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = %s::regclass",
            (sequence,),
        ).fetchone()[0]
        grants = conn.execute(
            "SELECT pg_get_userbyid(a.grantee), a.privilege_type, a.is_grantable"
            " FROM pg_class c, aclexplode(c.relacl) a"
            " WHERE c.oid = %s::regclass AND a.grantee <> c.relowner ORDER BY 1, 2",
            (sequence,),
        ).fetchall()
    return owner, grants


def test_the_grants_on_production_s_sequences_follow_the_switch_and_the_rollback(
    empty_db: str, tmp_path: Path, app_roles: tuple[str, str]
) -> None:
    """nmdc-server inserts into ontology_relation and envo_tree leaving the serial key to its
    sequence (ingest/ontology.py, ingest/envo.py). A role allowed to (INSERT on the table,
    USAGE on its sequence) could not after a switch: the table's grants were carried, the new
    version's sequence had none (`permission denied for sequence ontology_relation_id_seq`).
    After a rollback the sequences hold exactly production's grants, as the tables do: a
    REVOKE made since holds, the restored version's own do not come back."""
    app, report = (sql.Identifier(r) for r in app_roles)
    source, tables = _ontology_in_production(empty_db, tmp_path)
    resources = _resources(empty_db, source, tables)
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA portal TO {}").format(app))
        conn.execute(sql.SQL("GRANT SELECT, INSERT ON portal.ontology_relation, "
                             'portal."Envo Tree" TO {}').format(app))
        conn.execute(sql.SQL("GRANT USAGE ON SEQUENCE portal.ontology_relation_id_seq, "
                             'portal."Envo Tree_Row PK_seq" TO {}').format(app))
        conn.execute(sql.SQL("GRANT SELECT ON SEQUENCE portal.ontology_relation_id_seq TO {}"
                             " WITH GRANT OPTION").format(report))
        conn.execute(sql.SQL('ALTER TABLE portal."Envo Tree" OWNER TO {}').format(report))
    granted = _sequence_acl(empty_db, "portal.ontology_relation", "id")
    assert [g[0] for g in granted[1]] == [app_roles[0], app_roles[1]], granted
    second = _switch(empty_db, source, tables)
    assert second.success, _error(second)
    with psycopg.connect(empty_db) as conn:
        conn.execute(sql.SQL("SET ROLE {}").format(app))
        assert conn.execute(
            "INSERT INTO portal.ontology_relation (subject, predicate, object, type) VALUES "
            "('ENVO:00000099', 'rdfs:subClassOf', 'ENVO:00000001', 'nmdc:OntologyRelation') "
            "RETURNING id"
        ).fetchone() == (11,)
        assert conn.execute(
            'INSERT INTO portal."Envo Tree" (id) VALUES (%s) RETURNING "Row PK"',
            ("ENVO:00000099",),
        ).fetchone() == (2,)
    assert _sequence_acl(empty_db, "portal.ontology_relation", "id") == granted
    # The owner carried onto the table is its sequence's too.
    assert _sequence_acl(empty_db, 'portal."Envo Tree"', "Row PK") == (
        app_roles[1], [(app_roles[0], "USAGE", False)]
    )
    # Since the switch: the app's USAGE revoked, the report role's grant option taken away.
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute(sql.SQL("REVOKE USAGE ON SEQUENCE portal.ontology_relation_id_seq "
                             "FROM {}").format(app))
        conn.execute(sql.SQL("REVOKE GRANT OPTION FOR SELECT ON SEQUENCE "
                             "portal.ontology_relation_id_seq FROM {}").format(report))
    before = _sequence_acl(empty_db, "portal.ontology_relation", "id")
    assert before[1] == [(app_roles[1], "SELECT", False)], before
    rolled = rollback_production_job.execute_in_process(
        resources=resources,
        run_config={"ops": {"rollback_production": {"config": {"confirm_production": "portal"}}}},
        raise_on_error=False,
    )
    assert rolled.success, _error(rolled)
    assert _sequence_acl(empty_db, "portal.ontology_relation", "id") == before
    assert _sequence_acl(empty_db, 'portal."Envo Tree"', "Row PK") == (
        app_roles[1], [(app_roles[0], "USAGE", False)]
    )


def test_a_sequence_production_no_longer_has_keeps_no_grant_after_a_rollback(
    empty_db: str, tmp_path: Path, app_roles: tuple[str, str]
) -> None:
    """A tables file that declares ontology_relation.id `integer` (the files give the keys)
    leaves production's column without a sequence; a rollback to the version before brings
    back its serial's sequence with the USAGE it had, which production no longer granted
    anyone: the rollback gives exactly production's privileges, here none."""
    app = sql.Identifier(app_roles[0])
    source, serial = _ontology_in_production(empty_db, tmp_path)
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute(sql.SQL("GRANT USAGE ON SEQUENCE portal.ontology_relation_id_seq TO {}")
                     .format(app))
    numbered = tmp_path / "numbered.yaml"
    numbered.write_text(serial.read_text().replace("id: serial", "id: integer not null"))
    resources = _resources(empty_db, source, numbered)
    second = _switch(empty_db, source, numbered)
    assert second.success, _error(second)
    with psycopg.connect(empty_db) as conn:
        assert conn.execute(
            "SELECT pg_get_serial_sequence('portal.ontology_relation', 'id')").fetchone() == (None,)
    rolled = rollback_production_job.execute_in_process(
        resources=resources,
        run_config={"ops": {"rollback_production": {"config": {"confirm_production": "portal"}}}},
        raise_on_error=False,
    )
    assert rolled.success, _error(rolled)
    assert _sequence_acl(empty_db, "portal.ontology_relation", "id")[1] == []


def test_a_rollback_to_a_version_without_a_column_production_has_is_refused_unless_let_go(
    portal: tuple[str, Path],
) -> None:
    """An application's migration adds study.doi to production after the last switch (the
    tables file then learns it); a rollback to the version before, which lacks it, would take
    the column away from the application: refused, naming it, unless drop_columns lets it
    go (the column may stay declared, for the ingests to come)."""
    url, source = portal
    write_source(source, version=2)
    assert _ingest(url, source).success
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE portal.study ADD COLUMN doi text")
        conn.execute("UPDATE portal.study SET doi = '10.1/' || id")
    tables = source.parent / "tables.yaml"
    tables.write_text(DEMO_TABLES_FILE.read_text().replace(
        "ecosystem: text}", "ecosystem: text, doi: text}"))
    refused = _roll_back(url, source, tables)
    assert not refused.success
    assert ("portal.study.doi (text): in production, not in the version switched in"
            in _error(refused)), _error(refused)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(doi), min(name) FROM portal.study").fetchone() == (
            20, "Study 0 v2")
    tables.write_text(tables.read_text().replace(
        "doi: text}", "doi: text}\n    drop_columns: [doi]"))
    rolled = _roll_back(url, source, tables)
    assert rolled.success, _error(rolled)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT min(name) FROM portal.study").fetchone() == ("Study 0 v1",)


def _roll_back(url: str, source: Path, tables: Path) -> dg.ExecuteInProcessResult:
    return rollback_production_job.execute_in_process(
        resources=_resources(url, source, tables),
        run_config={"ops": {"rollback_production": {"config": {"confirm_production": "portal"}}}},
        raise_on_error=False,
    )


def test_a_rollback_to_a_version_without_a_listed_table_is_refused_unless_unlisted(
    portal: tuple[str, Path],
) -> None:
    """The tables file gained a table (notes) after version 1; a rollback to version 1,
    which has none, left production without it, its rows only on the archived version:
    refused, naming it. Taken out of the tables file, production's table is carried over to
    the version switched back in, as a users' table is. The notes table is ours."""
    url, source = portal
    tables = source.parent / "tables.yaml"
    tables.write_text(DEMO_TABLES_FILE.read_text() + (
        "  - name: notes\n    file: notes.csv\n    columns: {id: integer not null, body: text}\n"
        "    primary_key: [id]\n"))
    write_source(source, version=2)
    (source / "notes.csv").write_text("id,body\n1,first note\n")
    switched = _ingest(url, source, tables=tables)
    assert switched.success, _error(switched)
    refused = _roll_back(url, source, tables)
    assert not refused.success
    assert "portal.notes: in production, not in portal__v" in _error(refused), _error(refused)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT min(name) FROM portal.study").fetchone() == ("Study 0 v2",)
    rolled = _roll_back(url, source, DEMO_TABLES_FILE)
    assert rolled.success, _error(rolled)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT min(name) FROM portal.study").fetchone() == ("Study 0 v1",)
        assert conn.execute("SELECT body FROM portal.notes").fetchall() == [("first note",)]


def test_a_column_whose_type_the_new_version_changes_is_reported(
    portal: tuple[str, Path],
) -> None:
    """An application's migration makes study.ecosystem varchar(20) (as SQLAlchemy's
    String(20) would); the tables file still says text. The switch went through saying
    nothing, the application then reading another type: now reported (not_carried, a
    warning). The migration is ours."""
    url, source = portal
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE portal.study ALTER COLUMN ecosystem TYPE varchar(20)")
    write_source(source, version=2)
    result = _ingest(url, source)
    assert result.success, _error(result)
    assert _meta(result)["not_carried"] == [
        "type of column portal.study.ecosystem: character varying(20) in production, text in "
        "the new version"
    ]

"""What analysts made on ``public.datasets`` survives the daily swap: their views (and views
on those, a materialized view with its index) re-created over the new table with their owner,
grants and comments; the table's comment, its columns' comments, grants and owner carried. A
view that can no longer be created refuses the swap, naming it, and changes nothing.

The views and comments are this test's own invention (an analyst's reporting on the table
the Metabase dashboards read); the pages are the demo's CKAN-shaped ones."""

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from maint_assets.catalog.keys import SQL_DATASETS
from maint_assets.core import sql_files
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.stores import FileStore
from maint_assets.demo.catalog_data import write_pages
from maint_assets.demo.local_cluster import LocalCluster
from maint_assets_tests.catalog.test_catalog import _run, _run_pages
from maint_assets_tests.core.test_roles import maintenance_role
from maint_assets_tests.login_roles import scratch_roles


def _meta(result, key: str) -> dict:
    (meta,) = [
        {k: v.value for k, v in e.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == key
    ]
    return meta


@pytest.fixture
def analyst(empty_db: str) -> Iterator[tuple[str, str]]:
    """An analyst's role, owner of a ``reports`` schema, and a role owning the table (as after
    a hand-made first load); both dropped afterwards."""
    with scratch_roles(empty_db, "analyst", "catalog_owner") as names:
        with psycopg.connect(empty_db, autocommit=True) as conn:
            for name in names:
                conn.execute(sql.SQL("GRANT USAGE, CREATE ON SCHEMA public TO {}").format(
                    sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE SCHEMA reports AUTHORIZATION {}").format(
                sql.Identifier(names[0])))
        yield names


def _reports(db: str) -> dict[str, tuple]:
    """The views reading public.datasets: kind, owner, ACL, comment, column comments,
    indexes, whether populated."""
    with psycopg.connect(db) as conn:
        return {
            f"{schema}.{name}": rest
            for schema, name, *rest in conn.execute(
                "SELECT n.nspname, c.relname, c.relkind, pg_get_userbyid(c.relowner),"
                " c.relacl::text[], obj_description(c.oid, 'pg_class'),"
                " (SELECT array_agg(col_description(c.oid, a.attnum) ORDER BY a.attnum)"
                "  FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0),"
                " (SELECT array_agg(pg_get_indexdef(indexrelid)) FROM pg_index"
                "  WHERE indrelid = c.oid), c.relispopulated"
                " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind IN ('v', 'm') AND n.nspname IN ('public', 'reports')"
                " ORDER BY 1, 2"
            )
        }


def _table(db: str) -> tuple:
    with psycopg.connect(db) as conn:
        return conn.execute(
            "SELECT pg_get_userbyid(c.relowner), c.relacl::text[],"
            " obj_description(c.oid, 'pg_class'),"
            " col_description(c.oid, (SELECT attnum FROM pg_attribute WHERE attrelid = c.oid"
            "  AND attname = 'title')),"
            " col_description(c.oid, (SELECT attnum FROM pg_attribute WHERE attrelid = c.oid"
            "  AND attname = 'univers'))"
            " FROM pg_class c WHERE c.oid = 'public.datasets'::regclass"
        ).fetchone()


def test_analysts_views_comments_grants_and_owner_follow_the_swap(
    empty_db: str, tmp_path: Path, analyst: tuple[str, str]
) -> None:
    reader, owner = analyst
    write_pages(tmp_path / "pages", datasets=120, per_page=60)
    assert _run_pages(empty_db, tmp_path).success
    project_univers = _table(empty_db)[4]
    with psycopg.connect(empty_db, autocommit=True) as conn:
        ident = sql.Identifier
        conn.execute(sql.SQL("ALTER TABLE public.datasets OWNER TO {}").format(ident(owner)))
        conn.execute(sql.SQL("GRANT SELECT ON public.datasets TO {}").format(ident(reader)))
        conn.execute("COMMENT ON TABLE public.datasets IS 'the catalogue, for the dashboards'")
        conn.execute("COMMENT ON COLUMN public.datasets.title IS 'as the publisher wrote it'")
        conn.execute("COMMENT ON COLUMN public.datasets.univers IS 'an analyst''s own wording'")
        conn.execute(sql.SQL("SET ROLE {}").format(ident(reader)))
        conn.execute(
            "CREATE VIEW reports.open_datasets WITH (security_barrier) AS"
            " SELECT identifier, title, licence FROM public.datasets WHERE open_access"
        )
        conn.execute("COMMENT ON VIEW reports.open_datasets IS 'open datasets'")
        conn.execute("COMMENT ON COLUMN reports.open_datasets.licence IS 'normalised'")
        conn.execute(  # a view on the view
            "CREATE VIEW public.open_by_licence AS SELECT licence, count(*) AS n"
            " FROM reports.open_datasets GROUP BY licence"
        )
        conn.execute("GRANT SELECT ON public.open_by_licence TO PUBLIC")
        conn.execute(
            "CREATE MATERIALIZED VIEW reports.completeness AS"
            " SELECT geo_coverage, count(*) AS n, avg(completeness) AS mean"
            " FROM public.datasets GROUP BY geo_coverage"
        )
        conn.execute("CREATE UNIQUE INDEX ON reports.completeness (geo_coverage)")
        conn.execute("RESET ROLE")
    before = _reports(empty_db)
    assert list(before) == [
        "public.open_by_licence", "reports.completeness", "reports.open_datasets"
    ]

    shutil.rmtree(tmp_path / "pages")
    write_pages(tmp_path / "pages", datasets=150, per_page=60)  # the next day's dump
    result = _run_pages(empty_db, tmp_path)
    assert result.success, result.get_step_failure_events()

    assert _reports(empty_db) == before  # owner, grants, comments, index, populated
    table_owner, acl, *comments = _table(empty_db)
    assert table_owner == owner and f"{reader}=r/{owner}" in acl
    assert comments == [
        "the catalogue, for the dashboards",
        "as the publisher wrote it",
        project_univers,  # the project's description of its column wins, and is reported
    ]
    meta = _meta(result, "catalog/public/datasets")
    assert meta["views_recreated"] == [
        "reports.completeness", "reports.open_datasets", "public.open_by_licence"
    ]
    assert meta["column_comments_replaced"] == {"univers": "an analyst's own wording"}
    with psycopg.connect(empty_db) as conn:
        # Over the new table: the new day's rows, the materialized view refreshed.
        (open_rows,) = conn.execute(
            "SELECT count(*) FROM public.datasets WHERE open_access"
        ).fetchone()
        assert conn.execute(
            "SELECT (SELECT sum(n) FROM public.open_by_licence),"
            " (SELECT sum(n) FROM reports.completeness), (SELECT count(*) FROM public.datasets)"
        ).fetchone() == (open_rows, 150, 150)


def test_the_tables_comments_grants_and_owner_follow_the_swap(
    empty_db: str, tmp_path: Path, analyst: tuple[str, str]
) -> None:
    reader, owner = analyst
    write_pages(tmp_path / "pages", datasets=60, per_page=60)
    assert _run_pages(empty_db, tmp_path).success
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER TABLE public.datasets OWNER TO {}").format(
            sql.Identifier(owner)))
        conn.execute(sql.SQL("GRANT SELECT ON public.datasets TO {}").format(
            sql.Identifier(reader)))
        conn.execute("COMMENT ON TABLE public.datasets IS 'the catalogue, for the dashboards'")
        conn.execute("COMMENT ON COLUMN public.datasets.title IS 'as the publisher wrote it'")
    before = _table(empty_db)
    assert _run_pages(empty_db, tmp_path).success
    assert _table(empty_db) == before


def test_a_view_that_cannot_be_recreated_refuses_the_swap_naming_it(
    empty_db: str, tmp_path: Path
) -> None:
    write_pages(tmp_path / "pages", datasets=60, per_page=60)
    assert _run_pages(empty_db, tmp_path).success
    with psycopg.connect(empty_db, autocommit=True) as conn:
        # A column the live table has and the new one lacks (as one a release stops loading).
        conn.execute("ALTER TABLE public.datasets ADD COLUMN legacy_score integer DEFAULT 1")
        conn.execute("CREATE VIEW public.titles AS SELECT identifier, title FROM public.datasets")
        conn.execute(
            "CREATE VIEW public.scores AS SELECT t.title, d.legacy_score"
            " FROM public.titles t JOIN public.datasets d USING (identifier)"
        )
        conn.execute(
            "CREATE MATERIALIZED VIEW public.score_sum AS SELECT sum(legacy_score) AS s"
            " FROM public.scores"
        )
        before = _state(conn)
    shutil.rmtree(tmp_path / "pages")
    write_pages(tmp_path / "pages", datasets=70, per_page=60)
    result = _run_pages(empty_db, tmp_path)
    assert not result.success
    error = result.get_step_failure_events()[0].event_specific_data.error.message
    assert "public.datasets not replaced: the view public.scores cannot be re-created" in error
    assert 'column d.legacy_score does not exist' in error
    assert "the live table is unchanged" in error
    with psycopg.connect(empty_db) as conn:
        assert _state(conn) == before


def _state(conn: psycopg.Connection) -> tuple:
    """The live table's rows and the relations' oids: the same relations, not re-created."""
    return (
        conn.execute("SELECT count(*) FROM public.datasets").fetchone()[0],
        conn.execute(
            "SELECT array_agg(oid ORDER BY relname) FROM pg_class WHERE relname IN"
            " ('datasets', 'titles', 'scores', 'score_sum')"
            " AND relnamespace = 'public'::regnamespace"
        ).fetchone()[0],
    )


def _attached(db: str) -> dict[str, object]:
    """What hangs on public.datasets besides views: indexes (the project's among them),
    constraints, triggers, row-level security and policies, extended statistics (with whether
    ANALYZE filled them)."""
    with psycopg.connect(db) as conn:
        def one(query: str) -> object:
            return conn.execute(query).fetchone()[0]

        return {
            "indexes": one(
                "SELECT array_agg(pg_get_indexdef(indexrelid) ORDER BY 1) FROM pg_index"
                " WHERE indrelid = 'public.datasets'::regclass"
            ),
            "constraints": one(
                "SELECT array_agg(conname || ' ' || pg_get_constraintdef(oid) ORDER BY 1)"
                " FROM pg_constraint WHERE conrelid = 'public.datasets'::regclass"
            ),
            "triggers": one(
                "SELECT array_agg(pg_get_triggerdef(oid) ORDER BY 1) FROM pg_trigger"
                " WHERE tgrelid = 'public.datasets'::regclass AND NOT tgisinternal"
            ),
            "rls": one(
                "SELECT ARRAY[relrowsecurity, relforcerowsecurity] FROM pg_class"
                " WHERE oid = 'public.datasets'::regclass"
            ),
            "policies": one(
                "SELECT array_agg(ARRAY[policyname::text, roles::text, cmd, qual]) FROM pg_policies"
                " WHERE schemaname = 'public' AND tablename = 'datasets'"
            ),
            "statistics": one(
                "SELECT array_agg(ARRAY[s.stxnamespace::regnamespace::text, s.stxname::text,"
                " s.stxkind::text, pg_get_statisticsobjdef_columns(s.oid),"
                " (SELECT count(*) FROM pg_statistic_ext_data d WHERE d.stxoid = s.oid)::text])"
                " FROM pg_statistic_ext s WHERE s.stxrelid = 'public.datasets'::regclass"
            ),
        }


def test_the_analysts_indexes_constraints_triggers_policies_and_statistics_follow_the_swap(
    empty_db: str, tmp_path: Path, analyst: tuple[str, str]
) -> None:
    """An analyst's index, CHECK constraint, trigger, row-level security (ENABLE and FORCE, a
    reader seeing open datasets only) and extended statistics hold on the table swapped in,
    the project's own unique index once (an independent trial: all were lost, the reader saw
    every row); a constraint the new rows break refuses the swap naming it. The analyst's
    objects are this test's invention."""
    reader = analyst[0]
    write_pages(tmp_path / "pages", datasets=60, per_page=60)
    assert _run_pages(empty_db, tmp_path).success
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute(sql.SQL("GRANT SELECT ON public.datasets TO {}").format(
            sql.Identifier(reader)))
        conn.execute("CREATE INDEX datasets_lower_title ON public.datasets (lower(title))")
        conn.execute("ALTER TABLE public.datasets ADD CONSTRAINT scored"
                     " CHECK (completeness BETWEEN 0 AND 100)")
        conn.execute(
            "CREATE FUNCTION public.read_only() RETURNS trigger LANGUAGE plpgsql"
            " AS $$BEGIN RAISE EXCEPTION 'the catalogue is read-only'; END$$"
        )
        conn.execute("CREATE TRIGGER read_only BEFORE UPDATE ON public.datasets"
                     " FOR EACH ROW EXECUTE FUNCTION public.read_only()")
        conn.execute("ALTER TABLE public.datasets ENABLE ROW LEVEL SECURITY,"
                     " FORCE ROW LEVEL SECURITY")
        conn.execute(sql.SQL("CREATE POLICY open_only ON public.datasets FOR SELECT TO {}"
                             " USING (open_access)").format(sql.Identifier(reader)))
        conn.execute("CREATE STATISTICS public.licence_access (dependencies)"
                     " ON licence, open_access FROM public.datasets")
        conn.execute("ANALYZE public.datasets")
    before = _attached(empty_db)

    shutil.rmtree(tmp_path / "pages")
    write_pages(tmp_path / "pages", datasets=70, per_page=60)
    result = _run_pages(empty_db, tmp_path)
    assert result.success, result.get_step_failure_events()
    assert _attached(empty_db) == before
    assert "not_carried" not in _meta(result, "catalog/public/datasets")
    with psycopg.connect(empty_db) as conn:
        (open_rows,) = conn.execute(
            "SELECT count(*) FROM public.datasets WHERE open_access"
        ).fetchone()
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(reader)))
        assert conn.execute("SELECT count(*) FROM public.datasets").fetchone() == (open_rows,)
        conn.execute("RESET ROLE")
        with pytest.raises(psycopg.errors.RaiseException):
            conn.execute("UPDATE public.datasets SET title = 'x'")

    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("ALTER TABLE public.datasets ADD CONSTRAINT not_80"
                     " CHECK (identifier <> 'ds-0000075')")
        before = _state(conn)
    shutil.rmtree(tmp_path / "pages")
    write_pages(tmp_path / "pages", datasets=80, per_page=60)
    result = _run_pages(empty_db, tmp_path)
    assert not result.success
    error = result.get_step_failure_events()[0].event_specific_data.error.message
    assert ("public.datasets not replaced: the constraint not_80 on public.datasets cannot be"
            " added to the new version") in error, error
    assert "the live table is unchanged" in error
    with psycopg.connect(empty_db) as conn:
        assert _state(conn) == before


def _privileges_and_comments(db: str) -> dict[str, object]:
    """public.datasets' ACL and its columns' (each entry with its grant option, ``*``), and the
    comments on its constraints and extended statistics."""
    with psycopg.connect(db) as conn:
        def one(query: str) -> object:
            return conn.execute(query).fetchone()[0]

        return {
            "table": one("SELECT relacl::text FROM pg_class"
                         " WHERE oid = 'public.datasets'::regclass"),
            "columns": one(
                "SELECT array_agg(ARRAY[attname::text, attacl::text] ORDER BY attnum)"
                " FROM pg_attribute WHERE attrelid = 'public.datasets'::regclass"
                " AND attacl IS NOT NULL"
            ),
            "constraints": one(
                "SELECT array_agg(ARRAY[conname::text, obj_description(oid, 'pg_constraint')]"
                " ORDER BY conname) FROM pg_constraint"
                " WHERE conrelid = 'public.datasets'::regclass"
            ),
            "statistics": one(
                "SELECT array_agg(ARRAY[stxname::text, obj_description(oid, 'pg_statistic_ext')])"
                " FROM pg_statistic_ext WHERE stxrelid = 'public.datasets'::regclass"
            ),
        }


def test_grant_options_and_the_comments_of_constraints_and_statistics_follow_the_swap(
    empty_db: str, tmp_path: Path, analyst: tuple[str, str]
) -> None:
    """A privilege granted WITH GRANT OPTION on the table or a column keeps it on the table
    swapped in, a plain one does not gain it, and an analyst's comments on a constraint and
    on extended statistics hold (an independent trial: the grant options and the comments
    were lost). The analyst's objects are this test's invention."""
    reader, owner = (sql.Identifier(n) for n in analyst)
    write_pages(tmp_path / "pages", datasets=60, per_page=60)
    assert _run_pages(empty_db, tmp_path).success
    with psycopg.connect(empty_db, autocommit=True) as conn:
        for statement_ in (
            "GRANT SELECT ON public.datasets TO {r} WITH GRANT OPTION",
            "GRANT INSERT ON public.datasets TO {r}",
            "GRANT SELECT (title) ON public.datasets TO {o} WITH GRANT OPTION",
            "GRANT UPDATE (title) ON public.datasets TO {o}",
        ):
            conn.execute(sql.SQL(statement_).format(r=reader, o=owner))
        conn.execute("ALTER TABLE public.datasets ADD CONSTRAINT scored"
                     " CHECK (completeness BETWEEN 0 AND 100)")
        conn.execute("COMMENT ON CONSTRAINT scored ON public.datasets IS 'a percentage'")
        conn.execute("CREATE STATISTICS public.licence_access ON licence, open_access"
                     " FROM public.datasets")
        conn.execute("COMMENT ON STATISTICS public.licence_access IS 'for the dashboards'")
    before = _privileges_and_comments(empty_db)
    assert f"{analyst[0]}=ar*/" in before["table"]  # INSERT, SELECT with grant option

    shutil.rmtree(tmp_path / "pages")
    write_pages(tmp_path / "pages", datasets=70, per_page=60)
    result = _run_pages(empty_db, tmp_path)
    assert result.success, result.get_step_failure_events()
    assert _privileges_and_comments(empty_db) == before


def test_the_swap_counts_every_row_it_removes_as_the_check_does(
    pg_cluster: LocalCluster, empty_db: str, tmp_path: Path
) -> None:
    """The catalogue's least-privileged role (`roles apply catalog`: owner of the table, no
    BYPASSRLS) under an analyst's policy that shows it the open datasets only (the policy is
    our invention). With FORCE ROW LEVEL SECURITY, counting every row is refused, and so is
    the swap, naming the table. Without it, the swap's metadata counts the rows removed among
    all the live table's rows, as row_count_kept counts them."""
    write_pages(tmp_path / "pages", datasets=300, per_page=100)
    assert _run_pages(empty_db, tmp_path).success
    role = f"maint_catalog_{secrets.token_hex(3)}"
    with (
        maintenance_role(pg_cluster, empty_db, role, "catalog") as (url, done),
        psycopg.connect(empty_db, autocommit=True) as conn,
    ):
        assert "owns public.datasets" in done
        conn.execute("ALTER TABLE public.datasets ENABLE ROW LEVEL SECURITY,"
                     " FORCE ROW LEVEL SECURITY")
        conn.execute(sql.SQL("CREATE POLICY open_only ON public.datasets FOR SELECT TO {}"
                             " USING (open_access)").format(sql.Identifier(role)))
        (hidden,) = conn.execute(
            "SELECT count(*) FROM public.datasets WHERE NOT open_access").fetchone()
        assert hidden > 0
        before = _state(conn)
        shutil.rmtree(tmp_path / "pages")
        write_pages(tmp_path / "pages", datasets=250, per_page=100)
        run = ArtifactStore(directory=str(tmp_path / "artifacts"))
        pages = FileStore(url=str(tmp_path / "pages"))

        refused = _run(url, pages, run)
        assert not refused.success
        error = refused.get_step_failure_events()[0].event_specific_data.error.message
        assert ("public.datasets not replaced: row_count_kept cannot count every row of"
                " public.datasets") in error, error
        assert _state(conn) == before

        conn.execute("ALTER TABLE public.datasets NO FORCE ROW LEVEL SECURITY")
        swapped = _run(url, pages, run)
        assert swapped.success, [e.message for e in swapped.get_step_failure_events()]
        (kept,) = [e for e in swapped.get_asset_check_evaluations()
                   if e.check_name == "row_count_kept"]
        meta = _meta(swapped, "catalog/public/datasets")
        assert (kept.metadata["live_rows"].value, meta["dagster/row_count"]) == (300, 250)
        assert (meta["rows_removed"], meta["rows_added"]) == (50, 0)


def _names(db: str) -> dict[str, list[str]]:
    """The names of public.datasets' indexes and CHECK constraints."""
    with psycopg.connect(db) as conn:
        return {
            "indexes": [n for (n,) in conn.execute(
                "SELECT relname FROM pg_class WHERE oid IN (SELECT indexrelid FROM pg_index"
                " WHERE indrelid = 'public.datasets'::regclass) ORDER BY 1")],
            "checks": [n for (n,) in conn.execute(
                "SELECT conname FROM pg_constraint WHERE contype = 'c'"
                " AND conrelid = 'public.datasets'::regclass ORDER BY 1")],
        }


def test_an_index_the_projects_sql_no_longer_declares_is_dropped_an_analysts_is_carried(
    empty_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catalogue's SQL of an earlier version declared an index on publisher and a CHECK
    on distributions (simulated: its ``indexes`` statement with both added; they are this
    test's invention, as are the analyst's). An analyst made an index and a CHECK of the same
    shape, with PostgreSQL's default names as the project's have. After an upgrade whose SQL
    no longer declares them, the swap drops the project's with the old table and reports them,
    while the analyst's are carried (an independent trial: the project's were carried as an
    analyst's, forever)."""
    real = sql_files.statements

    def earlier_version(group: str) -> dict[str, str]:
        found = real(group)
        if group != SQL_DATASETS:
            return found
        return {**found, "indexes": found["indexes"] + "\nCREATE INDEX ON {table} (publisher);"
                "\nALTER TABLE {table} ADD CHECK (distributions >= 0);"}

    monkeypatch.setattr(sql_files, "statements", earlier_version)
    write_pages(tmp_path / "pages", datasets=60, per_page=60)
    assert _run_pages(empty_db, tmp_path).success
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("CREATE INDEX ON public.datasets (licence)")  # datasets_licence_idx
        conn.execute("ALTER TABLE public.datasets ADD CHECK (completeness >= 0)")
    both = {
        "indexes": ["datasets_identifier_idx", "datasets_licence_idx", "datasets_publisher_idx"],
        "checks": ["datasets_completeness_check", "datasets_distributions_check"],
    }
    assert _names(empty_db) == both
    # A swap by the same version: the analyst's carried, the project's made once by the build
    # (and recorded as the project's before the analyst's are carried onto it).
    result = _run_pages(empty_db, tmp_path)
    assert result.success, result.get_step_failure_events()
    assert _names(empty_db) == both
    assert "dropped_no_longer_declared" not in _meta(result, "catalog/public/datasets")

    monkeypatch.undo()
    result = _run_pages(empty_db, tmp_path)
    assert result.success, result.get_step_failure_events()
    assert _names(empty_db) == {
        "indexes": ["datasets_identifier_idx", "datasets_licence_idx"],
        "checks": ["datasets_completeness_check"],
    }
    assert _meta(result, "catalog/public/datasets")["dropped_no_longer_declared"] == [
        "index datasets_publisher_idx on public.datasets",
        "constraint datasets_distributions_check on public.datasets",
    ]

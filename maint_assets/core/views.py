"""Views re-created over a relation's replacement, with their owner, grants and comments.

A view reads the relation it was created on, not a name: a table swapped in for another (the
catalogue's rebuilt ``public.datasets``) or a schema switched in for another (the ingest's
production) leaves the views on the old one, and dropping the old one fails on them. So each
view is read before the swap (query, options, owner, grants, comments, what hangs on it),
dropped, and re-created after it from its own definition, over the new relation, in the swap's
transaction: a view that can no longer be created fails the swap, which changes nothing.

A materialized view is re-created with its data (if it had any): computed from the new
relation in the swap's transaction, which is its refresh; its indexes are re-created with it.
"""

from dataclasses import dataclass

import dagster as dg
import psycopg
from psycopg import errors, sql

from maint_assets.core.grants import Grants, grant_on_table, table_grants
from maint_assets.core.search_path import search_path
from maint_assets.core.sql_files import statement

SQL = "core/views"


@dataclass(frozen=True)
class View:
    schema: str
    name: str
    materialized: bool
    definition: str
    options: list[str] | None
    populated: bool
    owner: str
    comment: str | None
    column_comments: list[list[str]]
    attached: list[str]  # CREATE INDEX / TRIGGER / RULE statements, names qualified
    grants: Grants

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Refusal:
    """How a refused swap is told: what was not done (``public.datasets not replaced``), what is
    left as it was, and the ``maint-assets roles apply`` target that gives the role its rights."""

    subject: str
    untouched: str
    roles_target: str


def read_views(conn: psycopg.Connection, rows: list[tuple]) -> list[View]:
    """Views from rows of ``views_on`` (or a query of the same columns), with their grants."""
    return [
        View(schema, name, kind == "m", definition, options, populated, owner, comment,
             columns, attached, table_grants(conn, schema, name))
        for schema, name, kind, definition, options, populated, owner, comment, columns, attached
        in rows
    ]


def views_on(conn: psycopg.Connection, schema: str, name: str) -> list[View]:
    """Every view and materialized view reading ``schema.name``, directly or through another,
    each after those it reads. Their queries are read with an empty search_path, so every name
    in them is qualified: re-created from another session, they read the same relations."""
    with search_path(conn, ""):
        rows = conn.execute(statement(SQL, "views_on"), {"schema": schema, "name": name}).fetchall()
    return read_views(conn, rows)


def drop(conn: psycopg.Connection, views: list[View], refusal: Refusal) -> None:
    """Drop ``views`` (in the order ``views_on`` gives), dependents first; never CASCADE: what
    else depends on one (a function, a table's column of its row type) fails the swap."""
    for view in reversed(views):
        try:
            conn.execute(
                sql.SQL(statement(SQL, _named("drop", view))).format(
                    view=sql.Identifier(view.schema, view.name)
                )
            )
        except errors.DependentObjectsStillExist as err:
            raise dg.Failure(
                f"{refusal.subject}: the view {view.qualified}, to be re-created on the new "
                f"version, is used by something that is not a view: "
                f"{err.diag.message_detail or err}; {refusal.untouched}"
            ) from None
        except errors.InsufficientPrivilege:
            raise dg.Failure(
                f"{refusal.subject}: the view {view.qualified} (owner {view.owner}) cannot be "
                f"dropped to be re-created on the new version: the role is not a member of "
                f"{view.owner}; GRANT {view.owner} TO the role, or run `maint-assets roles "
                f"apply {refusal.roles_target}`; {refusal.untouched}"
            ) from None


def recreate(conn: psycopg.Connection, views: list[View], refusal: Refusal) -> None:
    """Create ``views`` in their order (a materialized view that held data filled by REFRESH,
    which writes its rows frozen), then what hangs on them, then give each back to its owner
    (last: a view reads with its owner's privileges, never the role's)."""
    for view in views:
        target = sql.Identifier(view.schema, view.name)
        try:
            conn.execute(
                sql.SQL(statement(SQL, _named("create", view))).format(
                    view=target,
                    options=view_options(view.options),
                    definition=sql.SQL(view.definition.rstrip().rstrip(";")),
                )
            )
            if view.materialized and view.populated:
                conn.execute(
                    sql.SQL(statement(SQL, "fill_materialized_view")).format(view=target)
                )
        except errors.LockNotAvailable:
            raise  # the caller's retry
        except psycopg.Error as err:
            if conn.broken:  # the session lost, not the object: the caller's retry
                raise
            raise dg.Failure(
                f"{refusal.subject}: the view {view.qualified} cannot be re-created on the new "
                f"version: "
                f"{err.diag.message_primary or err}; {refusal.untouched}"
            ) from None
        grant_on_table(conn, view.grants, view.schema, view.name)
        if view.comment is not None:
            conn.execute(
                sql.SQL(statement(SQL, _named("comment_on", view))).format(
                    view=target, comment=sql.Literal(view.comment)
                )
            )
        for column, comment in view.column_comments:
            comment_on_column(conn, (view.schema, view.name, column), comment)
    for view in views:
        for definition in view.attached:
            conn.execute(sql.SQL(definition))
        try:
            conn.execute(
                sql.SQL(statement(SQL, _named("owner_of", view))).format(
                    view=sql.Identifier(view.schema, view.name),
                    owner=sql.Identifier(view.owner),
                )
            )
        except errors.InsufficientPrivilege:
            raise dg.Failure(
                f"{refusal.subject}: the view {view.qualified} cannot be given back to its owner "
                f"{view.owner}, of whom the role is not a member; run `maint-assets roles "
                f"apply {refusal.roles_target}` again (the role then owns it, {view.owner} "
                f"keeping its rights on it), or GRANT {view.owner} TO the role; "
                f"{refusal.untouched}"
            ) from None


def comment_on_column(conn: psycopg.Connection, column: tuple[str, str, str], comment: str) -> None:
    conn.execute(
        sql.SQL(statement(SQL, "comment_on_column")).format(
            column=sql.Identifier(*column), comment=sql.Literal(comment)
        )
    )


def _named(action: str, view: View) -> str:
    """The statement doing ``action`` to a view of ``view``'s kind."""
    return f"{action}_materialized_view" if view.materialized else f"{action}_view"


def view_options(options: list[str] | None) -> sql.Composable:
    """A view's ``reloptions`` as its WITH clause: CREATE (OR REPLACE) resets those it is not
    given."""
    if not options:
        return sql.SQL("")
    pairs = (option.split("=", 1) for option in options)
    return sql.SQL("WITH ({})").format(
        sql.SQL(", ").join(
            sql.SQL("{} = {}").format(sql.Identifier(key), sql.Literal(value))
            for key, value in pairs
        )
    )

"""Production's own views and materialized views, re-created in each version switched in.

Users make reporting views in the production schema itself (``portal.study_downloads``, over
a loaded table and a carried users' table). The switch renames that schema away, views
included, so each is re-created in the new version from its own definition, over the new
version's tables, with its owner, grants and comments, in the switch's transaction. nmdc-server
gets the same result by construction: what its database holds besides data (functions, indexes)
is defined in code and re-applied to the new database before its swap; a hand-made object in
the live one was never carried. The archived version keeps its copies, which a rollback to it
replaces by production's own."""

from dataclasses import dataclass

import dagster as dg
import psycopg
from psycopg import errors, sql

from maint_assets.core.grants import Grants, grant_on_table, table_grants
from maint_assets.core.sql_files import compose, statement
from maint_assets.ingest.keys import SQL_PRODUCTION


@dataclass(frozen=True)
class View:
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


def views_in(conn: psycopg.Connection, schema: str) -> list[View]:
    """The views of ``schema``, each after those it reads."""
    rows = conn.execute(statement(SQL_PRODUCTION, "views_in"), {"schema": schema}).fetchall()
    return [
        View(name, kind == "m", definition, options, populated, owner, comment, columns,
             attached, table_grants(conn, schema, name))
        for name, kind, definition, options, populated, owner, comment, columns, attached in rows
    ]


def refuse_lost_columns(
    conn: psycopg.Connection, production: str, incoming: str, loaded: list[str]
) -> None:
    """Fail, before anything moves, if a view the switch re-creates reads a column the
    incoming version's table lacks."""
    lost = conn.execute(
        statement(SQL_PRODUCTION, "columns_views_lose"),
        {"schema": production, "incoming": incoming, "loaded": loaded},
    ).fetchall()
    if lost:
        raise dg.Failure(
            f"{production} not switched: "
            + "; ".join(
                f"the view {view} reads {table}.{column}, which the new version's {table} lacks"
                for view, table, column in lost
            )
            + "; production is untouched"
        )


def drop_superseded(
    conn: psycopg.Connection, production: str, schema: str, names: set[str]
) -> None:
    """Drop the views of ``schema`` (a version being switched back in) that production's views
    of the same name replace, dependents first."""
    for view in reversed(views_in(conn, schema)):
        if view.name in names:
            try:
                conn.execute(compose(SQL_PRODUCTION, _named("drop", view),
                                     view=(schema, view.name)))
            except errors.DependentObjectsStillExist as err:
                raise dg.Failure(
                    f"{production} not switched: {schema}.{view.name}, to be replaced by "
                    f"production's view of that name, is read by something else: "
                    f"{err.diag.message_detail}; production is untouched"
                ) from None


def recreate(conn: psycopg.Connection, schema: str, views: list[View]) -> None:
    """Create ``views`` in ``schema`` in their order, then what hangs on them."""
    for view in views:
        target = sql.Identifier(schema, view.name)
        try:
            conn.execute(
                sql.SQL(statement(SQL_PRODUCTION, _named("create", view))).format(
                    view=target,
                    options=view_options(view.options),
                    definition=sql.SQL(view.definition.rstrip().rstrip(";")),
                    data=sql.SQL("WITH DATA" if view.populated else "WITH NO DATA"),
                )
            )
        except errors.LockNotAvailable:
            raise  # the switch's retry
        except psycopg.Error as err:
            raise dg.Failure(
                f"{schema} not switched: the view {schema}.{view.name} cannot be re-created on "
                f"the new version: {err.diag.message_primary or err}; production is untouched"
            ) from None
        grant_on_table(conn, view.grants, schema, view.name)
        if view.comment is not None:
            conn.execute(
                sql.SQL(statement(SQL_PRODUCTION, _named("comment_on", view))).format(
                    view=target, comment=sql.Literal(view.comment)
                )
            )
        for column, comment in view.column_comments:
            conn.execute(
                sql.SQL(statement(SQL_PRODUCTION, "comment_on_column")).format(
                    column=sql.Identifier(schema, view.name, column), comment=sql.Literal(comment)
                )
            )
    for view in views:
        for definition in view.attached:
            conn.execute(sql.SQL(definition))
        try:
            conn.execute(
                sql.SQL(statement(SQL_PRODUCTION, _named("owner_of", view))).format(
                    view=sql.Identifier(schema, view.name), owner=sql.Identifier(view.owner)
                )
            )
        except errors.InsufficientPrivilege:
            raise dg.Failure(
                f"{schema} not switched: the view {schema}.{view.name} cannot be given back to "
                f"its owner {view.owner}, of whom the ingest's role is not a member; run "
                f"`maint-assets roles apply ingest` again (the role then owns it, {view.owner} "
                f"keeping its rights on it), or GRANT {view.owner} TO the role; production is "
                "untouched"
            ) from None


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


"""Production's own views and materialized views, re-created in each version switched in.

Users make reporting views in the production schema itself (``portal.study_downloads``, over
a loaded table and a carried users' table). The switch renames that schema away, views
included, so each is re-created in the new version from its own definition, over the new
version's tables, with its owner, grants and comments, in the switch's transaction. nmdc-server
gets the same result by construction: what its database holds besides data (functions, indexes)
is defined in code and re-applied to the new database before its swap; a hand-made object in
the live one was never carried. The archived version keeps its copies, which a rollback to it
replaces by production's own. Reading, dropping and re-creating a view is
maint_assets/core/views.py, shared with the catalogue's table swap."""

import dagster as dg
import psycopg
from psycopg import errors

from maint_assets.core.sql_files import compose, statement
from maint_assets.core.views import SQL as SQL_VIEWS
from maint_assets.core.views import Refusal, View, read_views
from maint_assets.ingest.keys import SQL_PRODUCTION


def refusal(production: str) -> Refusal:
    return Refusal(f"{production} not switched", "production is untouched", "ingest")


def views_in(conn: psycopg.Connection, schema: str) -> list[View]:
    """The views of ``schema``, each after those it reads."""
    return read_views(
        conn, conn.execute(statement(SQL_PRODUCTION, "views_in"), {"schema": schema}).fetchall()
    )


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
                conn.execute(compose(SQL_VIEWS, f"drop_{_kind(view)}", view=(schema, view.name)))
            except errors.DependentObjectsStillExist as err:
                raise dg.Failure(
                    f"{production} not switched: {schema}.{view.name}, to be replaced by "
                    f"production's view of that name, is read by something else: "
                    f"{err.diag.message_detail}; production is untouched"
                ) from None


def _kind(view: View) -> str:
    return "materialized_view" if view.materialized else "view"

"""What production's versions of the loaded tables hold besides their rows, carried onto the
new version by the switch: a DBA's indexes (built before the switch's locks, on the incoming
table, which no reader sees yet), then, in the switch's transaction once the renames are done,
the owner, row-level security and its policies, column privileges, comments and users'
triggers. Without them a restricted role read every row of the new version, and a trigger or
an index a DBA made was gone after each weekly ingest.

What uses a column the new version lacks cannot be carried: a policy or a trigger (security,
or behaviour someone relies on) refuses the switch naming it; an index, a column's comment or
privilege is reported (``not_carried``) and left with the archived version. Policies and
triggers are re-created from their definitions read before the renames, so the names they give
production's relations are the new version's, as for views. A version switched back in (a
rollback) has its own copies; production's replace them."""

from dataclasses import dataclass

import dagster as dg
import psycopg
from psycopg import errors, sql

from maint_assets.core.grants import PRIVILEGES, Grants, grant_on_table, role, table_grants
from maint_assets.core.sql_files import statement
from maint_assets.ingest.keys import SQL_PRODUCTION

# pg_policy.polcmd -> the command CREATE POLICY names.
_COMMANDS = {"*": "ALL", "r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"}
# pg_trigger.tgenabled -> how ALTER TABLE … TRIGGER sets it (O, firing on origin, is the
# default of CREATE TRIGGER).
_TRIGGER_STATES = {"D": "DISABLE", "R": "ENABLE REPLICA", "A": "ENABLE ALWAYS"}


@dataclass(frozen=True)
class Policy:
    table: str
    name: str
    permissive: bool
    command: str
    roles: list[str]
    using: str | None
    check: str | None


@dataclass(frozen=True)
class Table:
    """One loaded table's attachments, as production has them."""

    name: str
    owner: str
    row_security: bool
    force_row_security: bool
    comment: str | None
    grants: Grants


@dataclass(frozen=True)
class Attachments:
    tables: list[Table]
    column_comments: list[tuple[str, str, str]]
    column_grants: list[tuple[str, str, str, str]]
    policies: list[Policy]
    triggers: list[tuple[str, str, str, str]]
    # The incoming version's own policies and triggers (a version switched back in), replaced.
    replaced_policies: list[tuple[str, str]]
    replaced_triggers: list[tuple[str, str]]


def refuse_lost_columns(
    conn: psycopg.Connection, production: str, incoming: str, loaded: list[str]
) -> tuple[set[tuple[str, str]], list[str]]:
    """Fail, before anything moves, if a policy or trigger of production's loaded tables uses
    a column the incoming version's table lacks; return the indexes (table, index) that
    cannot be carried for that reason, and every such index, column comment and column
    privilege, named, for the report."""
    lost = conn.execute(
        statement(SQL_PRODUCTION, "attachments_lose"),
        {"schema": production, "incoming": incoming, "loaded": loaded},
    ).fetchall()
    refused = [
        f"the {kind} {name} on {production}.{table} uses {column}, which the new version's "
        f"{table} lacks"
        for kind, name, table, column in lost
        if kind in ("policy", "trigger")
    ]
    if refused:
        raise dg.Failure(
            f"{production} not switched: " + "; ".join(refused) + "; production is untouched"
        )
    return {(table, name) for kind, name, table, _ in lost if kind == "index"}, [
        f"{kind}{' ' + name if name else ''} on {production}.{table}: {column} is not in the "
        "new version"
        for kind, name, table, column in lost
    ]


def build_indexes(
    conn: psycopg.Connection,
    production: str,
    incoming: str,
    loaded: list[str],
    lost: set[tuple[str, str]],
) -> list[str]:
    """Build on the incoming tables the indexes of production's that they have no like of,
    except the ``lost`` ones; return those built."""
    built = []
    rows = conn.execute(
        statement(SQL_PRODUCTION, "indexes_to_carry"),
        {"schema": production, "incoming": incoming, "loaded": loaded},
    ).fetchall()
    for table, index, readable, unique, definition in rows:
        if (table, index) in lost:
            continue
        named = f"index {index} on {production}.{table}"
        if not readable:
            raise dg.Failure(
                f"{production} not switched: the definition of the {named} cannot be read to "
                "build it on the new version; production is untouched"
            )
        try:
            with conn.transaction():
                conn.execute(
                    sql.SQL(statement(SQL_PRODUCTION, "create_index")).format(
                        unique=sql.SQL("UNIQUE" if unique else ""),
                        index=sql.Identifier(index),
                        table=sql.Identifier(incoming, table),
                        definition=sql.SQL(definition),
                    )
                )
        except psycopg.Error as err:
            detail = f" ({err.diag.message_detail})" if err.diag.message_detail else ""
            raise dg.Failure(
                f"{production} not switched: the {named} cannot be built on the new version: "
                f"{err.diag.message_primary or err}{detail}; production is untouched"
            ) from None
        built.append(named)
    return built


def read(
    conn: psycopg.Connection, production: str, incoming: str, loaded: list[str]
) -> Attachments:
    """Production's attachments of the loaded tables, read before the renames."""
    params = {"schema": production, "incoming": incoming, "loaded": loaded}
    theirs = {"schema": incoming, "incoming": incoming, "loaded": loaded}
    return Attachments(
        tables=[
            Table(name, owner, rls, force, comment, table_grants(conn, production, name))
            for name, owner, rls, force, comment in conn.execute(
                statement(SQL_PRODUCTION, "table_attachments"), params
            )
        ],
        column_comments=conn.execute(
            statement(SQL_PRODUCTION, "column_comments_of"), params
        ).fetchall(),
        column_grants=conn.execute(
            statement(SQL_PRODUCTION, "column_grants_of"), params
        ).fetchall(),
        policies=[
            Policy(*row)
            for row in conn.execute(statement(SQL_PRODUCTION, "policies_of"), params)
        ],
        triggers=conn.execute(statement(SQL_PRODUCTION, "triggers_of"), params).fetchall(),
        replaced_policies=[
            (t, p) for t, p, *_ in conn.execute(statement(SQL_PRODUCTION, "policies_of"), theirs)
        ],
        replaced_triggers=[
            (t, n) for t, n, *_ in conn.execute(statement(SQL_PRODUCTION, "triggers_of"), theirs)
        ],
    )


def apply(conn: psycopg.Connection, production: str, attachments: Attachments) -> None:
    """Give production's new tables (renamed in) what ``attachments`` holds."""

    def table(name: str) -> sql.Identifier:
        return sql.Identifier(production, name)

    def run(what: str, name: str, **parts: sql.Composable) -> None:
        run_or_refuse(conn, production, f"{what} cannot be carried onto", name, **parts)

    for t, name in attachments.replaced_triggers:
        run(f"the trigger {name} of the version switched in", "drop_trigger",
            trigger=sql.Identifier(name), table=table(t))
    for t, name in attachments.replaced_policies:
        run(f"the policy {name} of the version switched in", "drop_policy",
            policy=sql.Identifier(name), table=table(t))
    for t in attachments.tables:
        what = f"{production}.{t.name}"
        run(f"the owner {t.owner} of {what}", "owner_of_table", table=table(t.name),
            owner=sql.Identifier(t.owner))
        # Again after the owner: ALTER … OWNER hands the old owner's entries to the new one.
        grant_on_table(conn, t.grants, production, t.name)
        run(f"the comment on {what}", "comment_on_table", table=table(t.name),
            comment=sql.Literal(t.comment))
        run(f"the row-level security of {what}", "row_security", table=table(t.name),
            enable=sql.SQL("ENABLE" if t.row_security else "DISABLE"),
            force=sql.SQL("FORCE" if t.force_row_security else "NO FORCE"))
    for t, column, comment in attachments.column_comments:
        run(f"the comment on {production}.{t}.{column}", "comment_on_column",
            column=sql.Identifier(production, t, column), comment=sql.Literal(comment))
    for t, column, grantee, privilege in attachments.column_grants:
        if privilege in PRIVILEGES:
            run(f"{privilege} on {production}.{t}.{column} to {grantee}", "grant_on_column",
                privilege=sql.SQL(privilege), column=sql.Identifier(column),
                table=table(t), grantee=role(grantee))
    for p in attachments.policies:
        run(
            f"the row-level security policy {p.name} on {production}.{p.table}",
            "create_policy",
            policy=sql.Identifier(p.name),
            table=table(p.table),
            kind=sql.SQL("PERMISSIVE" if p.permissive else "RESTRICTIVE"),
            command=sql.SQL(_COMMANDS[p.command]),
            roles=sql.SQL(", ").join(role(r) for r in p.roles),
            using=sql.SQL(f"USING ({p.using})" if p.using is not None else ""),
            check=sql.SQL(f"WITH CHECK ({p.check})" if p.check is not None else ""),
        )
    for t, name, definition, enabled in attachments.triggers:
        what = f"the trigger {name} on {production}.{t}"
        try:
            conn.execute(sql.SQL(definition))
        except errors.LockNotAvailable:
            raise
        except psycopg.Error as err:
            raise dg.Failure(
                f"{production} not switched: {what} cannot be carried onto the new version: "
                f"{err.diag.message_primary or err}; production is untouched"
            ) from None
        if enabled in _TRIGGER_STATES:
            run(what, "trigger_state", table=table(t), state=sql.SQL(_TRIGGER_STATES[enabled]),
                trigger=sql.Identifier(name))


def run_or_refuse(
    conn: psycopg.Connection, production: str, failing: str, name: str, **parts: sql.Composable
) -> None:
    """Run the switch's statement ``name``; a failure (but a lock wait, which the switch
    retries) refuses the switch: "<failing> the new version: <why>"."""
    try:
        conn.execute(sql.SQL(statement(SQL_PRODUCTION, name)).format(**parts))
    except errors.LockNotAvailable:
        raise
    except psycopg.Error as err:
        raise dg.Failure(
            f"{production} not switched: {failing} the new version: "
            f"{err.diag.message_primary or err}{remedy(err)}; production is untouched"
        ) from None


def remedy(err: psycopg.Error) -> str:
    """What to do when the ingest's role may not alter something a DBA made in production."""
    if not isinstance(err, errors.InsufficientPrivilege):
        return ""
    return (
        " (`maint-assets roles apply ingest` makes the ingest's role the owner of what is in "
        "production; or GRANT the owner TO that role)"
    )

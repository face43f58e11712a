"""The attachments given in a swap's own transaction (core/attachments.py says what they are,
which are carried before the locks and why): ``read`` from the replaced tables before the swap,
``apply`` to the new ones once they have the name (foreign keys made NOT VALID, returned for
the caller to ``validate`` after its commit), ``apply_comments`` for a caller whose
replacement brings none of its own."""

from dataclasses import dataclass

import dagster as dg
import psycopg
from psycopg import errors, sql

from maint_assets.core.attachments import SQL, run_or_refuse
from maint_assets.core.grants import (
    PRIVILEGES,
    Grants,
    grant_on_table,
    grant_option_for,
    revocations,
    revoke_on_table,
    role,
    table_grants,
    with_grant_option,
)
from maint_assets.core.sql_files import statement
from maint_assets.core.views import Refusal

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
    """One replaced table's attachments."""

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
    column_grants: list[tuple[str, str, str, str, bool]]
    policies: list[Policy]
    triggers: list[tuple[str, str, str, str]]
    statistics: list[tuple[str, str, str]]  # table, name, the schema it belongs in
    # table, name, definition, the replaced table's oid
    foreign_keys: list[tuple[str, str, str, int]]
    # The replacement's own (a version switched back in), replaced.
    replaced_policies: list[tuple[str, str]]
    replaced_triggers: list[tuple[str, str]]
    replaced_column_grants: list[tuple[str, str, str, str, bool]]


def read(
    conn: psycopg.Connection, schema: str, incoming: str, loaded: list[str]
) -> Attachments:
    """The attachments of ``schema``'s ``loaded`` tables, read before the swap."""
    params = {"schema": schema, "incoming": incoming, "loaded": loaded}
    theirs = {"schema": incoming, "incoming": incoming, "loaded": loaded}
    return Attachments(
        tables=[
            Table(name, owner, rls, force, comment, table_grants(conn, schema, name))
            for name, owner, rls, force, comment in conn.execute(
                statement(SQL, "table_attachments"), params
            )
        ],
        column_comments=conn.execute(statement(SQL, "column_comments_of"), params).fetchall(),
        column_grants=conn.execute(statement(SQL, "column_grants_of"), params).fetchall(),
        policies=[Policy(*row) for row in conn.execute(statement(SQL, "policies_of"), params)],
        triggers=conn.execute(statement(SQL, "triggers_of"), params).fetchall(),
        statistics=[
            (t, name, home)
            for t, name, home, *_ in conn.execute(statement(SQL, "statistics_of"), params)
        ],
        foreign_keys=conn.execute(statement(SQL, "foreign_keys_out"), params).fetchall(),
        replaced_policies=[
            (t, p) for t, p, *_ in conn.execute(statement(SQL, "policies_of"), theirs)
        ],
        replaced_triggers=[
            (t, n) for t, n, *_ in conn.execute(statement(SQL, "triggers_of"), theirs)
        ],
        replaced_column_grants=conn.execute(
            statement(SQL, "column_grants_of"), theirs
        ).fetchall(),
    )


def apply(
    conn: psycopg.Connection, refusal: Refusal, schema: str, attachments: Attachments
) -> list[tuple[str, str, str]]:
    """Give ``schema``'s new tables (swapped in) what ``attachments`` holds, but comments;
    return the foreign keys made NOT VALID, for the caller to ``validate`` once it
    committed."""
    unvalidated: list[tuple[str, str, str]] = []

    def table(name: str) -> sql.Identifier:
        return sql.Identifier(schema, name)

    def run(what: str, name: str, **parts: sql.Composable) -> None:
        run_or_refuse(conn, refusal, f"{what} cannot be carried onto", SQL, name, **parts)

    for t, name in attachments.replaced_triggers:
        run(f"the trigger {name} of the version switched in", "drop_trigger",
            trigger=sql.Identifier(name), table=table(t))
    for t, name in attachments.replaced_policies:
        run(f"the policy {name} of the version switched in", "drop_policy",
            policy=sql.Identifier(name), table=table(t))
    # Before the owner changes, while the role that granted them still owns the table.
    for t, column, grantee, privilege, only_option in revocations(
        attachments.replaced_column_grants, attachments.column_grants
    ):
        if privilege in PRIVILEGES:
            run(f"the revocation of {privilege} on {schema}.{t}.{column} from {grantee}",
                "revoke_on_column", privilege=sql.SQL(privilege), column=sql.Identifier(column),
                table=table(t), grantee=role(grantee), option=grant_option_for(only_option))
    for t in attachments.tables:
        what = f"{schema}.{t.name}"
        run(f"the owner {t.owner} of {what}", "owner_of_table", table=table(t.name),
            owner=sql.Identifier(t.owner))
        # Again after the owner: ALTER … OWNER hands the old owner's entries to the new one.
        # A version switched back in (a rollback) has grants of its own: production's hold,
        # so a REVOKE made since the switch survives it.
        revoke_on_table(conn, table_grants(conn, schema, t.name), t.grants, schema, t.name)
        grant_on_table(conn, t.grants, schema, t.name)
        run(f"the row-level security of {what}", "row_security", table=table(t.name),
            enable=sql.SQL("ENABLE" if t.row_security else "DISABLE"),
            force=sql.SQL("FORCE" if t.force_row_security else "NO FORCE"))
    for t, column, grantee, privilege, option in attachments.column_grants:
        if privilege in PRIVILEGES:
            run(f"{privilege} on {schema}.{t}.{column} to {grantee}", "grant_on_column",
                privilege=sql.SQL(privilege), column=sql.Identifier(column),
                table=table(t), grantee=role(grantee), option=with_grant_option(option))
    for p in attachments.policies:
        run(
            f"the row-level security policy {p.name} on {schema}.{p.table}",
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
        what = f"the trigger {name} on {schema}.{t}"
        try:
            conn.execute(sql.SQL(definition))
        except errors.LockNotAvailable:
            raise
        except psycopg.Error as err:
            if conn.broken:  # the session lost, not the object: the caller's retry
                raise
            raise dg.Failure(
                f"{refusal.subject}: {what} cannot be carried onto the new version: "
                f"{err.diag.message_primary or err}; {refusal.untouched}"
            ) from None
        if enabled in _TRIGGER_STATES:
            run(what, "trigger_state", table=table(t), state=sql.SQL(_TRIGGER_STATES[enabled]),
                trigger=sql.Identifier(name))
    for t, name, home in attachments.statistics:
        _place_statistics(conn, refusal, schema, t, name, home)
    # Made NOT VALID under the swap's locks, validated once it committed (``validate``):
    # validating scans the new table, while every reader of the old one waits. prepare
    # checked the new rows against them.
    for t, name, definition, _ in attachments.foreign_keys:
        if not conn.execute(statement(SQL, "has_constraint"),
                            {"schema": schema, "table": t, "name": name}).fetchone()[0]:
            run(f"the foreign key {name} on {schema}.{t} ({definition})", "add_constraint",
                table=table(t), constraint=sql.Identifier(name),
                definition=sql.SQL(definition.removesuffix(" NOT VALID") + " NOT VALID"))
            unvalidated.append((schema, t, name))
    return unvalidated


def apply_comments(
    conn: psycopg.Connection, refusal: Refusal, schema: str, attachments: Attachments
) -> None:
    """Give ``schema``'s new tables the comments ``attachments`` holds."""
    for t in attachments.tables:
        run_or_refuse(conn, refusal, f"the comment on {schema}.{t.name} cannot be carried onto",
                      SQL, "comment_on_table", table=sql.Identifier(schema, t.name),
                      comment=sql.Literal(t.comment))
    for t, column, comment in attachments.column_comments:
        run_or_refuse(conn, refusal,
                      f"the comment on {schema}.{t}.{column} cannot be carried onto", SQL,
                      "comment_on_column", column=sql.Identifier(schema, t, column),
                      comment=sql.Literal(comment))


def _place_statistics(
    conn: psycopg.Connection, refusal: Refusal, schema: str, table: str, name: str, home: str
) -> None:
    """Move the statistics ``name`` made on the new ``schema.table`` into ``home``, the schema
    the replaced table's were in; those, if still there (on the version archived), go with
    their table."""
    found = conn.execute(
        statement(SQL, "statistics_named"),
        {"schema": schema, "table": table, "name": name, "home": home},
    ).fetchall()
    new = next((at for at, _, ours in found if ours), None)
    if new is None or new == home:  # not carried (a column lost), or made where it belongs
        return
    what = f"the statistics {name} on {schema}.{table} cannot be carried onto"
    for at, table_schema, ours in found:
        if not ours and at == home:
            run_or_refuse(conn, refusal, what, SQL, "move_statistics",
                          statistics=sql.Identifier(home, name),
                          target=sql.Identifier(table_schema))
    run_or_refuse(conn, refusal, what, SQL, "move_statistics",
                  statistics=sql.Identifier(new, name), target=sql.Identifier(home))

"""What installing or upgrading the deletion capture needs of the role running it, said when
PostgreSQL refuses it. As PostgreSQL 15 checks them (tried with a role lacking each): CREATE
OR REPLACE FUNCTION needs CREATE on the function's schema ("permission denied for schema")
and, to replace an existing function, its ownership or membership in its owner ("must be
owner of function"); CREATE TRIGGER needs USAGE on the table's schema, TRIGGER on the table
(its owner and the owner's members have it) and EXECUTE on the trigger function. TRIGGER
alone never lets a role replace a function."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from maint_assets.core.sql_files import statement
from maint_assets.vn_sync.keys import SQL_BOOKKEEPING

FIX_AS = "`maint-assets vn tables` (VN_DATABASE_URL naming that role)"


@dataclass(frozen=True)
class FunctionStep:
    """Creating (``replacing`` False) or replacing maint_assets.<name>()."""

    name: str
    replacing: bool
    why: str = ""

    def explain(self, conn: psycopg.Connection) -> str:
        role, schema_owner, may_create, owner, owns = conn.execute(
            statement(SQL_BOOKKEEPING, "function_rights"), {"function": self.name}
        ).fetchone()
        function = f"maint_assets.{self.name}()"
        lacking = []
        if self.replacing and owner is not None and not owns:
            lacking.append(f"ownership of {function} (owned by {owner}; {role} is not a "
                           "member of that role)")
        if not may_create:
            lacking.append(f"CREATE on schema maint_assets (owned by {schema_owner})")
        needs = (f"replacing {function}{self.why} needs its ownership (as its owner or a "
                 "member of it) and CREATE on schema maint_assets"
                 if self.replacing else f"creating {function} needs CREATE on schema "
                 "maint_assets")
        fix_role = owner if self.replacing and owner is not None else schema_owner
        return (f"{needs}; {role} lacks {' and '.join(lacking) or 'none of them now'}. "
                f"TRIGGER on the tables does not help: run {FIX_AS} once as {fix_role} "
                "(or a superuser); later runs as "
                f"{role} then need no such right")


@dataclass(frozen=True)
class TriggerStep:
    """Creating the trigger ``trigger`` on ``schema.table``, executing maint_assets.<function>()."""

    trigger: str
    schema: str
    table: str
    function: str

    def explain(self, conn: psycopg.Connection) -> str:
        row = conn.execute(statement(SQL_BOOKKEEPING, "trigger_rights"), {
            "schema": self.schema, "table": self.table, "function": self.function,
        }).fetchone()
        target = f"{self.schema}.{self.table}"
        if row is None:
            return f"{target} is not in the catalog"
        role, usage, trigger, owner, execute = row
        lacking = [
            right for right, held in (
                (f"USAGE on schema {self.schema}", usage),
                (f"TRIGGER on {target} (owned by {owner})", trigger),
                (f"EXECUTE on maint_assets.{self.function}()", execute),
            ) if held is False
        ]
        return (f"creating the trigger {self.trigger} on {target} needs USAGE on its schema, "
                f"TRIGGER on it and EXECUTE on maint_assets.{self.function}(); {role} lacks "
                f"{' and '.join(lacking) or 'none of them now'}. The role has them as a member "
                "of transfer_vn's db_group (see `maint-assets roles apply vn`), or run "
                f"{FIX_AS} once as {owner}")

"""The privileges on production's sequences given to the new version's: a role that inserts
into a loaded table leaving its serial or identity key to the default (nmdc-server's
ontology_relation, envo_tree) needs USAGE (or UPDATE) on the key's sequence, and the
sequences the load made (sequences.py) have no grant. Matched by the table and column that
own them; their owner is the table's, which ALTER TABLE … OWNER hands on to them.

Given before the switch's locks (``give``), and under them once the tables have their owner
(``apply``): then exactly production's, as for the tables, so a version switched back in by a
rollback keeps none of its own and a REVOKE made since holds."""

import psycopg

from maint_assets.core.grants import Grants, grant_on_sequence, revoke_on_sequence
from maint_assets.core.sql_files import statement
from maint_assets.ingest.keys import SQL_PRODUCTION

# (table, column) -> the sequence it owns (schema, name) and what others hold on it.
Owned = dict[tuple[str, str], tuple[tuple[str, str], Grants]]


def read(conn: psycopg.Connection, schema: str, loaded: list[str]) -> Owned:
    """The sequences ``schema``'s ``loaded`` tables own, with their grants."""
    owned: Owned = {}
    for table, column, seq_schema, seq_name, grantee, privilege, option in conn.execute(
        statement(SQL_PRODUCTION, "owned_sequence_grants"), {"schema": schema, "loaded": loaded}
    ):
        _, grants = owned.setdefault((table, column), ((seq_schema, seq_name), []))
        if grantee is not None:
            grants.append((grantee, privilege, option))
    return owned


def give(conn: psycopg.Connection, production: Owned, schema: str, loaded: list[str]) -> list[str]:
    """Grant on ``schema``'s owned sequences what production's of the same table and column
    hold; return, for ``not_carried``, those whose column owns no sequence there."""
    incoming = read(conn, schema, loaded)
    for key, (_, grants) in production.items():
        if key in incoming:
            grant_on_sequence(conn, grants, *incoming[key][0])
    return [
        f"privileges on sequence {'.'.join(sequence)} (of {'.'.join(key)}): the new version's "
        "column owns no sequence"
        for key, (sequence, grants) in production.items() if grants and key not in incoming
    ]


def apply(conn: psycopg.Connection, production: Owned, schema: str, loaded: list[str]) -> None:
    """Leave on ``schema``'s owned sequences exactly what production's held: what they hold
    beyond it revoked (a privilege, or only its grant option), then production's granted."""
    for key, (sequence, held) in read(conn, schema, loaded).items():
        # production's column owned none (its key no longer serial): none of it held either
        kept = production[key][1] if key in production else []
        revoke_on_sequence(conn, held, kept, *sequence)
        # under the switch's locks, only what ``give`` did not (one granted on production since)
        grant_on_sequence(conn, [g for g in kept if g not in held], *sequence)

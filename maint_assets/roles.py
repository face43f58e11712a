"""The least-privileged maintenance role, per database: which rights each domain's assets need
(statements in ``sql/roles.sql``). The relations a domain maintains come from its asset keys
(``<domain>/<schema>/<table>``), so a new asset is covered without a list to keep."""

from dataclasses import dataclass, replace

import dagster as dg
import psycopg

from maint_assets.core.sql_files import compose, statement
from maint_assets.vn_sync.keys import CHECK, WINDOW_STAGING

SQL = "roles"
BOOKKEEPING = ("maint_assets", "maint_assets_build")


@dataclass(frozen=True)
class Privileges:
    """What the role needs in one database."""

    key_prefix: str = ""  # maintained relations: materializable assets <prefix>/<schema>/<name>
    own_schemas: tuple[str, ...] = ()  # owned, with everything in them (created if missing)
    own_relations: tuple[tuple[str, str], ...] = ()
    read_all_data: bool = False  # whole-database dumps, reads of source tables
    create_schemas: bool = False  # CREATE on the database: staging schemas, schema switches
    createdb: bool = False  # a server for scratch and staging databases
    member_of: tuple[str, ...] = ()  # group roles whose objects a tool creates and owns
    use_sequences: tuple[str, ...] = ()  # schemas whose sequences a tool run as the role uses


# Each domain's database, by the variable that names it, and what its assets need there.
DOMAINS: dict[str, tuple[str, Privileges]] = {
    "atlas": ("ATLAS_DATABASE_URL", Privileges("atlas", BOOKKEEPING, read_all_data=True)),
    "atlas-staging": ("ATLAS_STAGING_SERVER_URL", Privileges(createdb=True)),
    # The Metabase and W3ACT restore checks' scratch databases: never on their own servers.
    "restore-checks": ("MAINT_RESTORE_SERVER_URL", Privileges(createdb=True)),
    "catalog": ("CATALOG_DATABASE_URL", Privileges("catalog", BOOKKEEPING)),
    # transfer_vn creates its schemas owned by the configuration's db_group and its tables owned
    # by the connecting db_user, and grants the group every right on those tables: the role
    # joins that group instead of taking them over from the live sync. It owns the window
    # download's staging schema, which only the assets write.
    "vn": (
        "VN_DATABASE_URL",
        Privileges(
            own_schemas=(*BOOKKEEPING, WINDOW_STAGING),
            own_relations=(("dbadmin", "monitoring_vn_check_to_prod"),), create_schemas=True,
            # transfer_vn's --update of the check copy, run as the role, numbers its
            # download_log rows: the group's default privileges cover tables, not sequences
            use_sequences=(CHECK,),
        ),
    ),
    "webarchive": (
        "WEBARCHIVE_DATABASE_URL", Privileges("webarchive", ("maint_assets", "webarchive"))
    ),
    "w3act": ("W3ACT_DATABASE_URL", Privileges(read_all_data=True)),
    "metabase": ("METABASE_DATABASE_URL", Privileges(read_all_data=True)),
    # The switch renames the production schema and moves every table in it: it must own them.
    "ingest": (
        "INGEST_DATABASE_URL", Privileges(own_schemas=("maint_assets",), create_schemas=True)
    ),
}


def privileges(domain: str, production_schema: str = "", vn_group: str = "") -> Privileges:
    needs = DOMAINS[domain][1]
    if domain == "ingest":
        if not production_schema:
            raise ValueError("ingest: name the production schema (the table list's 'production')")
        return replace(needs, own_schemas=(*needs.own_schemas, production_schema))
    if domain == "vn":
        if not vn_group:
            raise ValueError("vn: name transfer_vn's database.db_group (VN_TRANSFER_VN_CONFIG)")
        return replace(needs, member_of=(vn_group,))
    return needs


def maintained_relations(defs: dg.Definitions, prefix: str) -> list[tuple[str, str]]:
    graph = defs.resolve_asset_graph()
    return sorted(
        (key.path[1], key.path[2])
        for key in graph.materializable_asset_keys
        if len(key.path) == 3 and key.path[0] == prefix
    )


def apply(
    conn: psycopg.Connection, role: str, privileges: Privileges, relations: list[tuple[str, str]]
) -> list[str]:
    """Creates or restricts ``role`` and grants ``privileges`` plus ownership of ``relations``
    (those that exist here), in the caller's transaction; returns what was done."""
    done: list[str] = []
    if not conn.execute(statement(SQL, "role_exists"), {"role": role}).fetchone()[0]:
        conn.execute(compose(SQL, "create_role", role=role))
        done.append(f"created role {role}")
    conn.execute(compose(SQL, "restrict_role", role=role))
    if privileges.createdb:
        conn.execute(compose(SQL, "allow_createdb", role=role))
        done.append("CREATEDB")
    for group in privileges.member_of:
        if not conn.execute(statement(SQL, "role_exists"), {"role": group}).fetchone()[0]:
            conn.execute(compose(SQL, "create_group", role=group))
        conn.execute(compose(SQL, "member_of", role=role, group_role=group))
        done.append(f"member of {group}")
    database = conn.info.dbname
    conn.execute(compose(SQL, "connect", role=role, database=database))
    if privileges.create_schemas:
        conn.execute(compose(SQL, "create_schemas", role=role, database=database))
        done.append(f"CREATE on database {database}")
    if privileges.read_all_data:
        conn.execute(compose(SQL, "read_all_data", role=role))
        done.append("pg_read_all_data")
    for schema in privileges.own_schemas:
        conn.execute(compose(SQL, "create_owned_schema", schema=schema, role=role))
        conn.execute(compose(SQL, "own_schema", schema=schema, role=role))
        rows = conn.execute(statement(SQL, "relations_in_schema"), {"schema": schema}).fetchall()
        for name, *state in rows:
            _own(conn, role, (schema, name), *state)
        for alter in conn.execute(
            statement(SQL, "own_functions_statements"), {"schema": schema, "role": role}
        ).fetchall():
            conn.execute(alter[0])
        done.append(f"owns schema {schema} ({len(rows)} relations)")
    for schema in privileges.use_sequences:
        if conn.execute(statement(SQL, "schema_exists"), {"schema": schema}).fetchone()[0]:
            conn.execute(compose(SQL, "use_sequences", schema=schema, role=role))
            done.append(f"USAGE on the sequences of {schema}")
        else:
            done.append(f"no schema {schema} here: sequences skipped")
    for schema, name in sorted({*privileges.own_relations, *relations}):
        row = conn.execute(statement(SQL, "relation"), {"schema": schema, "name": name}).fetchone()
        if row is None:
            done.append(f"no relation {schema}.{name} here: skipped")
            continue
        conn.execute(compose(SQL, "use_schema", schema=schema, role=role))
        _own(conn, role, (schema, name), *row[1:])
        done.append(f"owns {schema}.{name}")
    return done


OWN = {"r": "own_table", "p": "own_table", "m": "own_materialized_view", "v": "own_view",
       "S": "own_sequence"}


def _own(
    conn: psycopg.Connection, role: str, relation: tuple[str, str], kind: str, owner: str,
    superuser: bool, linked: bool,
) -> None:
    """``linked``: a serial or identity column's sequence, which took its table's owner."""
    if owner == role:
        return
    if not linked:
        conn.execute(compose(SQL, OWN[kind], relation=relation, role=role))
    if not superuser:
        conn.execute(compose(SQL, "keep_access", relation=relation, owner=owner))

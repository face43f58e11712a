"""The least-privileged maintenance role, per database: each domain declares, in its
``privileges.py``, the databases its assets reach (by the variable that names them, the one its
resources read) and the rights they need there; this module applies a declaration (statements
in ``sql/core/roles.sql``). The relations a domain maintains come from its asset keys
(``<domain>/<schema>/<table>``), so a new asset is covered without a list to keep."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import dagster as dg
import psycopg
from psycopg import sql

from maint_assets.core import databases
from maint_assets.core.identifiers import check_identifier
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import compose, statement

SQL = "core/roles"
BOOKKEEPING = ("maint_assets", "maint_assets_build")


@dataclass(frozen=True)
class Template:
    """A template database an administrator prepares on a server, from which the role makes
    its databases there, with the extensions in it that only a superuser may create."""

    name: str
    extensions: tuple[str, ...]


@dataclass(frozen=True)
class Privileges:
    """What the role needs in one database."""

    key_prefix: str = ""  # maintained relations: materializable assets <prefix>/<schema>/<name>
    own_schemas: tuple[str, ...] = ()  # owned, with everything in them (created if missing)
    own_relations: tuple[tuple[str, str], ...] = ()
    read_all_data: bool = False  # whole-database dumps, reads of source tables
    create_schemas: bool = False  # CREATE on the database: staging schemas, schema switches
    createdb: bool = False  # a server for scratch and staging databases
    template: Template | None = None  # what those databases are made from
    member_of: tuple[str, ...] = ()  # group roles whose objects a tool creates and owns
    use_sequences: tuple[str, ...] = ()  # schemas whose sequences a tool run as the role uses


@dataclass(frozen=True)
class RoleTarget:
    """One database the role is applied to (``maint-assets roles apply <name>``), named by the
    environment variable ``variable`` its resource reads. ``settings`` names what the
    declaration needs from the operator (e.g. ``production_schema``) and ``complete`` adds it."""

    name: str
    variable: str
    privileges: Privileges
    settings: tuple[str, ...] = ()
    complete: Callable[..., Privileges] | None = None

    def resolve(self, **settings: str) -> Privileges:
        if self.complete is None:
            return self.privileges
        return self.complete(self.privileges, **{k: settings.get(k, "") for k in self.settings})


# The restore checks' scratch databases (Metabase, W3ACT, Shine): never on their own servers.
RESTORE_CHECKS = RoleTarget("restore-checks", "MAINT_RESTORE_SERVER_URL", Privileges(createdb=True))


def registry(*declarations: Iterable[RoleTarget]) -> dict[str, RoleTarget]:
    """The targets of every domain by name; a name declared twice is an error."""
    targets: dict[str, RoleTarget] = {}
    for target in (t for declared in declarations for t in declared):
        if target.name in targets:
            raise ValueError(f"role target {target.name!r} is declared twice")
        targets[target.name] = target
    return targets


def with_schema(needs: Privileges, schema: str, what: str) -> Privileges:
    """``needs`` plus ownership of ``schema``, which the operator must name (``what``)."""
    if not schema:
        raise ValueError(f"name {what}")
    return replace(needs, own_schemas=(*needs.own_schemas, schema))


def with_group(needs: Privileges, group: str, what: str) -> Privileges:
    """``needs`` plus membership of the group role ``group`` (``what``)."""
    if not group:
        raise ValueError(f"name {what}")
    return replace(needs, member_of=(group,))


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


def prepare_template(server: PostgresResource, template: Template) -> list[str]:
    """As an administrator, outside a transaction (CREATE DATABASE): create ``template`` if
    missing, marked as maint_assets' own (one of that name it did not create is refused), add
    its extensions, and make it a template that any role with CREATEDB may copy and none but
    an administrator may connect to (to change it). Returns what was done."""
    done = []
    name = check_identifier(template.name, "database name")
    databases.refuse_unless_owned(server, name)
    with server.connect() as conn:
        if conn.execute(statement(databases.GROUP, "database_comment"), {"name": name}).fetchone():
            done.append(f"template database {name} kept")
        else:
            conn.execute(compose(SQL, "create_template", database=name))
            conn.execute(
                sql.SQL(statement(SQL, "mark_template")).format(
                    database=sql.Identifier(name),
                    marker=sql.Literal(f"{databases.MARKER} template (roles apply)"),
                )
            )
            done.append(f"created template database {name}")
    with psycopg.connect(databases.database_url(server, name), autocommit=True) as conn:
        for extension in template.extensions:
            conn.execute(compose(SQL, "template_extension", extension=extension))
            conn.execute(compose(SQL, "update_template_extension", extension=extension))
            done.append(f"extension {extension} in {name}")
    with server.connect() as conn:
        conn.execute(compose(SQL, "seal_template", database=name))
        conn.execute(compose(SQL, "template_connect", database=name))
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

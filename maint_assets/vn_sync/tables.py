"""Client-API-VN's tables, created by transfer_vn itself (``--json_tables_create``, and
``--col_tables_create`` with its row triggers where asked), so that their layout is always the
installed Client-API-VN's: ``maint-assets vn tables`` on a new server."""

from maint_assets.core import roles
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import compose, statement
from maint_assets.vn_sync.client_api_vn import ClientApiVn


def create_tables(
    tool: ClientApiVn, db: PostgresResource, schemas: tuple[str, ...],
    column_schemas: dict[str, str] | None = None,
) -> None:
    """transfer_vn --json_tables_create for each schema (idempotent: existing tables are
    kept), then --col_tables_create for those of ``column_schemas`` (schema -> its column
    schema, which transfer_vn drops and rebuilds: never an operator's). The role of
    ``database.db_group`` is created first when missing: transfer_vn gives the schemas to it."""
    group = tool.user_config().get("database", {}).get("db_group")
    if group:
        with db.connect() as conn:
            if not conn.execute(statement(roles.SQL, "role_exists"), {"role": group}).fetchone()[0]:
                conn.execute(compose(roles.SQL, "create_group", role=group))
    for schema in schemas:
        with tool.generated_config(db, schema) as (path, config):
            tool.run("json_tables_create", path, config)
    for schema, column_schema in (column_schemas or {}).items():
        with tool.generated_config(db, schema, column_schema=column_schema) as (path, config):
            tool.run("col_tables_create", path, config)

-- Privileges others hold on a relation or schema, read from its ACL (visible to every role,
-- unlike information_schema, which shows only grants involving the current user), so a
-- replacement can be given the same ones.

-- name: table_grants
SELECT DISTINCT coalesce(pg_get_userbyid(nullif(a.grantee, 0)), 'PUBLIC'), a.privilege_type,
       a.is_grantable
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(c.relacl) a
WHERE n.nspname = %(schema)s AND c.relname = %(name)s AND a.grantee <> c.relowner;

-- name: schema_grants
SELECT DISTINCT coalesce(pg_get_userbyid(nullif(a.grantee, 0)), 'PUBLIC'), a.privilege_type,
       a.is_grantable
FROM pg_namespace n
CROSS JOIN LATERAL aclexplode(n.nspacl) a
WHERE n.nspname = %(schema)s AND a.grantee <> n.nspowner;

-- name: grant_on_table
GRANT {privilege} ON TABLE {relation} TO {grantee} {option};

-- name: revoke_on_table
-- CASCADE: with what the grantee passed on, which the grants that follow give back where the
-- replaced table had it.
REVOKE {option} {privilege} ON TABLE {relation} FROM {grantee} CASCADE;

-- name: grant_on_sequence
GRANT {privilege} ON SEQUENCE {relation} TO {grantee} {option};

-- name: revoke_on_sequence
-- CASCADE, as on a table.
REVOKE {option} {privilege} ON SEQUENCE {relation} FROM {grantee} CASCADE;

-- name: grant_on_schema
GRANT {privilege} ON SCHEMA {schema} TO {grantee} {option};

-- Views re-created over a relation's replacement (maint_assets/core/views.py): read before the
-- swap, dropped, and created again after it from their own definitions.

-- name: views_on
-- Every view and materialized view reading a relation, directly or through other views (in any
-- schema), each after the views it reads, with what re-creating it needs: its query, options,
-- whether a materialized view holds data, owner, comment, its columns' comments, and the
-- statements of what hangs on it (indexes, triggers, rules other than its query), run once
-- every view exists.
WITH RECURSIVE reads AS (
  SELECT DISTINCT r.ev_class AS view, d.refobjid AS read
  FROM pg_depend d
  JOIN pg_rewrite r ON r.oid = d.objid
  JOIN pg_class v ON v.oid = r.ev_class
  WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
    AND r.rulename = '_RETURN' AND v.relkind IN ('v', 'm') AND d.refobjid <> r.ev_class
), depth (oid, n) AS (
  SELECT reads.view, 1 FROM reads
  WHERE reads.read = (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname = %(schema)s AND c.relname = %(name)s)
  UNION ALL
  SELECT reads.view, depth.n + 1 FROM reads JOIN depth ON depth.oid = reads.read
)
SELECT n.nspname, c.relname, c.relkind, pg_get_viewdef(c.oid), c.reloptions, c.relispopulated,
       pg_get_userbyid(c.relowner), obj_description(c.oid, 'pg_class'),
       ARRAY(SELECT ARRAY[a.attname::text, ds.description]
             FROM pg_attribute a
             JOIN pg_description ds ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass
                                   AND ds.objsubid = a.attnum
             WHERE a.attrelid = c.oid AND a.attnum > 0 ORDER BY a.attnum),
       ARRAY(SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = c.oid
             ORDER BY i.indexrelid)
       || ARRAY(SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
                WHERE t.tgrelid = c.oid AND NOT t.tgisinternal ORDER BY t.tgname)
       || ARRAY(SELECT pg_get_ruledef(r.oid) FROM pg_rewrite r
                WHERE r.ev_class = c.oid AND r.rulename <> '_RETURN' ORDER BY r.rulename)
FROM (SELECT oid, max(n) AS n FROM depth GROUP BY oid) o
JOIN pg_class c ON c.oid = o.oid
JOIN pg_namespace n ON n.oid = c.relnamespace
ORDER BY o.n, n.nspname, c.relname;

-- name: create_view
CREATE VIEW {view} {options} AS {definition};

-- name: create_materialized_view
-- Empty: filled by fill_materialized_view when the old one held data.
CREATE MATERIALIZED VIEW {view} {options} AS {definition} WITH NO DATA;

-- name: fill_materialized_view
-- From the new relation, in the swap's transaction. REFRESH writes its rows frozen (the
-- relation is new to the transaction), where CREATE ... WITH DATA does not: a REPEATABLE READ
-- reader whose snapshot predates the swap would read that view empty.
REFRESH MATERIALIZED VIEW {view};

-- name: comment_on_view
COMMENT ON VIEW {view} IS {comment};

-- name: comment_on_materialized_view
COMMENT ON MATERIALIZED VIEW {view} IS {comment};

-- name: comment_on_column
COMMENT ON COLUMN {column} IS {comment};

-- name: owner_of_view
-- Last, once the grants are given: a view reads its tables with its owner's privileges, so it
-- keeps its owner, never the maintenance role.
ALTER VIEW {view} OWNER TO {owner};

-- name: owner_of_materialized_view
ALTER MATERIALIZED VIEW {view} OWNER TO {owner};

-- name: drop_view
-- Not CASCADE: what else depends on the view fails the swap.
DROP VIEW {view};

-- name: drop_materialized_view
DROP MATERIALIZED VIEW {view};

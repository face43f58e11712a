-- What the access lists are generated from, read in one snapshot of the W3ACT database.

-- name: open_seeds
-- Open access: at least one licence, crawled (not NEVERCRAWL), not hidden.
SELECT t.id, t.scope, u.url
FROM target t JOIN field_url u ON u.target_id = t.id
WHERE NOT t.hidden AND t.crawl_frequency <> 'NEVERCRAWL'
  AND EXISTS (SELECT FROM license_target lt WHERE lt.target_id = t.id)
ORDER BY t.id, u.position, u.id;

-- name: annotated_seeds
-- Seeds of visible targets in at least one published collection, with those collections and
-- the target's subjects.
SELECT t.scope, u.url,
       array(SELECT c.name FROM collection_target ct JOIN collection c ON c.id = ct.collection_id
             WHERE ct.target_id = t.id AND c.publish ORDER BY c.name) AS collections,
       array(SELECT s.name FROM subject_target st JOIN subject s ON s.id = st.subject_id
             WHERE st.target_id = t.id ORDER BY s.name) AS subjects
FROM target t JOIN field_url u ON u.target_id = t.id
WHERE NOT t.hidden
  AND EXISTS (SELECT FROM collection_target ct JOIN collection c ON c.id = ct.collection_id
              WHERE ct.target_id = t.id AND c.publish)
ORDER BY t.id, u.position, u.id;

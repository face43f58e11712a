-- What the access lists and annotations are made from, read in one snapshot of the W3ACT
-- database (its real tables: sql/demo/w3act/schema/10_w3act.sql).

-- name: open_seeds
-- Open access as W3ACT says it (Target.getHasOpenAccessLicense, python-w3act's isOA): at least
-- one licence; and, as python-w3act's gen-oa-acl filters, crawled (not NEVERCRAWL) and not
-- hidden.
SELECT t.id, t.scope, u.url
FROM target t JOIN field_url u ON u.target_id = t.id
WHERE NOT coalesce(t.hidden, false)
  AND upper(coalesce(t.crawl_frequency, '')) <> 'NEVERCRAWL'
  AND EXISTS (SELECT FROM license_target lt
              JOIN taxonomy l ON l.id = lt.license_id AND l.ttype = 'licenses'
              WHERE lt.target_id = t.id)
ORDER BY t.id, u.position NULLS LAST, u.id;

-- name: blocked_seeds
-- NEVERCRAWL is "Blocked (Archivist Use Only)" (Const.CrawlFrequency): an archivist blocked
-- the site; its captures (from other crawls) are blocked too, even under an open target.
-- W3ACT writes the enum's name; python-w3act compares it lower-cased, so a legacy row's
-- 'nevercrawl' blocks as well.
SELECT t.id, t.scope, u.url
FROM target t JOIN field_url u ON u.target_id = t.id
WHERE upper(t.crawl_frequency) = 'NEVERCRAWL'
ORDER BY t.id, u.position NULLS LAST, u.id;

-- name: collections
-- Published collections by their full names (parent|child, as webarchive-discovery matches
-- them against collectionDateRanges); a collection under an unpublished one is not published
-- (python-w3act's clear_unpublished_collections). No flag is not published: W3ACT saves a
-- missing flag as false and shows only `publish != null && publish` as published, and
-- python-w3act reads anything but 't' as false.
WITH RECURSIVE tree AS (
    SELECT id, name::text AS full_name, start_date, end_date
    FROM taxonomy
    WHERE ttype = 'collections' AND parent_id IS NULL AND coalesce(publish, false)
    UNION ALL
    SELECT c.id, tree.full_name || '|' || c.name, c.start_date, c.end_date
    FROM taxonomy c JOIN tree ON c.parent_id = tree.id
    WHERE c.ttype = 'collections' AND coalesce(c.publish, false)
)
SELECT id, full_name, start_date, end_date FROM tree ORDER BY full_name;

-- name: collection_seeds
SELECT ct.collection_id, t.id, t.scope, u.url
FROM collection_target ct
JOIN target t ON t.id = ct.target_id
JOIN field_url u ON u.target_id = t.id
WHERE NOT coalesce(t.hidden, false)
ORDER BY t.id, u.position NULLS LAST, u.id;

-- name: target_subjects
SELECT st.target_id, s.name
FROM subject_target st JOIN taxonomy s ON s.id = st.subject_id AND s.ttype = 'subject'
ORDER BY st.target_id, s.name;

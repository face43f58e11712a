-- A small W3ACT dataset in W3ACT's own tables: a target of every scope, open (licensed),
-- closed, hidden, blocked (NEVERCRAWL, one of them inside an open target), one with no scope;
-- licences, subjects and collections from W3ACT's own vocabulary (conf/testdata-*.yml and the
-- subject names UKWA publishes), a collection tree with date ranges and an unpublished branch.
-- Most seeds are sites captured in the real WARC/ARC files of maint_assets_tests/data.

-- name: reset
-- The demo's own database only: tables of an older demo shape are replaced.
DROP TABLE IF EXISTS target, field_url, taxonomy, license_target, subject_target,
    collection_target, license, collection, subject CASCADE;

-- name: load
INSERT INTO taxonomy (ttype, id, name, publish, parent_id, start_date, end_date, updated_at) VALUES
    ('licenses', 1, 'Open UKWA Licence (2014-)', NULL, NULL, NULL, NULL, now()),
    ('licenses', 2, 'Joint LDL Web Archiving Licence (2016-)', NULL, NULL, NULL, NULL, now()),
    ('collections', 10, 'Government', true, NULL, '2010-01-01', NULL, now()),
    ('collections', 11, 'Open Data', true, 10, '2013-01-01', '2016-12-31 23:59:59', now()),
    ('collections', 12, 'Web Archiving', true, NULL, NULL, NULL, now()),
    ('collections', 13, 'Curators'' drafts', false, NULL, NULL, NULL, now()),
    ('collections', 14, 'Draft topic', true, 13, NULL, NULL, now()),
    ('subject', 20, 'Government, Politics & Law', NULL, NULL, NULL, NULL, now()),
    ('subject', 21, 'Computer Science, Information Technology & Web Technology', NULL, NULL,
     NULL, NULL, now());
INSERT INTO target (id, title, scope, crawl_frequency, hidden, is_top_level_domain,
                    license_status, updated_at) VALUES
    (1, 'data.gov.uk', 'subdomains', 'DAILY', false, true, 'GRANTED', now()),
    (2, 'Internet Archive images', 'resource', 'MONTHLY', false, false, 'GRANTED', now()),
    (3, 'IANA', 'root', 'WEEKLY', false, false, 'GRANTED', now()),
    (4, 'GNU Wget WARC documentation', 'root', 'ANNUAL', false, false, 'GRANTED', now()),
    (5, 'Example Domain', 'plus1', 'QUARTERLY', false, false, 'GRANTED', now()),
    (6, 'httpbin POST endpoint', 'resource', 'MONTHLY', false, false, 'GRANTED', now()),
    (7, 'Common Crawl', 'root', 'MONTHLY', false, false, 'NOT_INITIATED', now()),
    (8, 'Hidden open site', 'root', 'MONTHLY', true, false, 'GRANTED', now()),
    (9, 'data.gov.uk forum (blocked)', 'root', 'NEVERCRAWL', false, true, NULL, now()),
    (10, 'Licensed but never crawled', 'root', 'NEVERCRAWL', false, false, 'GRANTED', now()),
    (11, 'No scope set', NULL, 'MONTHLY', false, false, 'GRANTED', now());
INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
    (1, 1, 'http://data.gov.uk/', 0, now()),
    (2, 2, 'http://archive.org/images/', 0, now()),
    (3, 3, 'https://www.iana.org/', 0, now()),
    (4, 4, 'http://www.gnu.org/software/wget/warc/', 0, now()),
    (5, 5, 'http://example.com/', 0, now()),
    (6, 6, 'http://httpbin.org/post', 0, now()),
    (7, 7, 'http://commoncrawl.org/', 0, now()),
    (8, 8, 'https://hidden.example.org/', 0, now()),
    (9, 9, 'http://data.gov.uk/forum', 0, now()),
    (10, 10, 'https://never.example.org/', 0, now()),
    (11, 11, 'https://unscoped.example.org/', 0, now()),
    (12, 3, 'http://iana.org/domains/', 1, now());
INSERT INTO license_target (target_id, license_id) VALUES
    (1, 1), (2, 1), (3, 2), (4, 1), (5, 2), (6, 1), (8, 1), (10, 1), (11, 1);
INSERT INTO collection_target (target_id, collection_id) VALUES
    (1, 10), (1, 11), (9, 11), (2, 12), (4, 12), (3, 13), (3, 14), (8, 12);
INSERT INTO subject_target (target_id, subject_id) VALUES
    (1, 20), (2, 21), (4, 21), (9, 20);

-- A few rows of Shine's database as its Ebean models write them (ids from the evolutions'
-- sequences): a curator's account, a saved search and a corpus of resources
-- (models/Account.java, SavedSearch.java, Corpus.java, Resource.java of ukwa/shine). Our own
-- rows; the schema is Shine's (shine_schema.sql).

-- name: reset
-- The demo's own database only: Shine's tables and sequences, for its schema to load again.
DROP TABLE IF EXISTS permission, role, account, saved_search, role_permissions, user_roles,
    corpus, resource CASCADE;
DROP SEQUENCE IF EXISTS saved_search_seq, account_seq, permission_seq, role_seq, corpus_seq,
    resource_seq;

-- name: load
INSERT INTO account (id, email, password, last_update)
    VALUES (nextval('account_seq'), 'curator@example.org', '$2a$10$abcdefghijklmnopqrstuv', now());
INSERT INTO role (id, name, description, last_update)
    VALUES (nextval('role_seq'), 'user', '', now());
INSERT INTO user_roles (user_id, role_id) VALUES (1, 1);
INSERT INTO saved_search (id, name, url, last_update, user_id, description, summary)
    VALUES (nextval('saved_search_seq'), 'Référendum',
            '/search?query="brexit"&facet.in.crawl_year=2016', now(), 1,
            E'two\nlines, "quoted"', NULL);
INSERT INTO corpus (id, name, metadata, last_update, user_id, description, tags, justification)
    VALUES (nextval('corpus_seq'), 'EU referendum', NULL, now(), 1, 'd', 'eu,vote', 'j');
INSERT INTO resource (resource_id, corpus_id, last_update, id, title, url, waybackdate)
    SELECT 'sha1:' || g, 1, now(), nextval('resource_seq'), 'page ' || g,
           'http://www.bbc.co.uk/news/' || g, '2016-06-23 10:00'
    FROM generate_series(1, 50) g;

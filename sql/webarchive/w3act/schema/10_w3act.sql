-- A minimal W3ACT database (the curation tool of the web archive): targets with their seed
-- URLs and crawl scope, the licences that make a target open access, collections and subjects.
-- The demo and the tests create it; a real W3ACT database has these tables among others.
CREATE TABLE IF NOT EXISTS target (
    id bigint PRIMARY KEY,
    title text NOT NULL,
    -- resource: the seed URL and below; root: its whole host; subdomains: the host and its
    -- subdomains; plus1: the host and the pages it links to
    scope text NOT NULL DEFAULT 'root' CHECK (scope IN ('resource', 'root', 'subdomains', 'plus1')),
    crawl_frequency text NOT NULL DEFAULT 'MONTHLY',
    hidden boolean NOT NULL DEFAULT false
);
CREATE TABLE IF NOT EXISTS field_url (
    id bigint PRIMARY KEY,
    target_id bigint NOT NULL REFERENCES target,
    url text NOT NULL,
    position integer NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS license (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE IF NOT EXISTS license_target (
    license_id bigint NOT NULL REFERENCES license,
    target_id bigint NOT NULL REFERENCES target,
    PRIMARY KEY (license_id, target_id)
);
CREATE TABLE IF NOT EXISTS collection (
    id bigint PRIMARY KEY, name text NOT NULL, publish boolean NOT NULL DEFAULT true
);
CREATE TABLE IF NOT EXISTS collection_target (
    collection_id bigint NOT NULL REFERENCES collection,
    target_id bigint NOT NULL REFERENCES target,
    PRIMARY KEY (collection_id, target_id)
);
CREATE TABLE IF NOT EXISTS subject (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE IF NOT EXISTS subject_target (
    subject_id bigint NOT NULL REFERENCES subject,
    target_id bigint NOT NULL REFERENCES target,
    PRIMARY KEY (subject_id, target_id)
);

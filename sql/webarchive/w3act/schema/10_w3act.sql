-- The W3ACT tables the access lists and annotations are read from, with W3ACT's own names and
-- types (ukwa/w3act at e78d492: conf/evolutions/default/1.sql, 3.sql, 7.sql; the models in
-- app/models). A real W3ACT database has these among many others; the demo and the tests
-- create only these. Not created here: W3ACT's foreign keys and sequences.
--
-- target: one curated site or document. scope (uk.bl.Const.ScopeType): resource, root, plus1,
-- subdomains. crawl_frequency (Const.CrawlFrequency): DOMAINCRAWL, ANNUAL, SIXMONTHLY,
-- QUARTERLY, MONTHLY, WEEKLY, DAILY, or NEVERCRAWL ("Blocked (Archivist Use Only)"). hidden:
-- kept out of public listings. The NPLD scope flags say why a target may be crawled under
-- legal deposit (Target.isInScopeAllWithoutLicense); a licence (license_target) is what makes
-- it open access (Target.getHasOpenAccessLicense).
CREATE TABLE IF NOT EXISTS target (
    id bigint NOT NULL,
    url varchar(255),
    created_at timestamp,
    title varchar(255),
    description text,
    active boolean,
    is_top_level_domain boolean,
    is_uk_hosting boolean,
    is_uk_registration boolean,
    uk_postal_address boolean,
    via_correspondence boolean,
    professional_judgement boolean,
    no_ld_criteria_met boolean,
    scope varchar(255),
    depth varchar(255),
    crawl_frequency varchar(255),
    crawl_start_date timestamp,
    crawl_end_date timestamp,
    white_list varchar(255),
    black_list varchar(255),
    license_status varchar(255),
    hidden boolean DEFAULT false,
    updated_at timestamp NOT NULL,
    CONSTRAINT pk_target PRIMARY KEY (id),
    CONSTRAINT uq_target_url UNIQUE (url)
);

-- A target's seed URLs.
CREATE TABLE IF NOT EXISTS field_url (
    id bigint NOT NULL,
    url text,
    created_at timestamp,
    target_id bigint,
    domain text,
    updated_at timestamp NOT NULL,
    position int,
    CONSTRAINT pk_field_url PRIMARY KEY (id)
);

-- One table for every taxonomy, told apart by ttype (models.Taxonomy, SINGLE_TABLE
-- inheritance): 'licenses' (models.License), 'collections' (models.Collection, a tree through
-- parent_id, published or not, with start_date/end_date), 'subject', 'tags', 'flags'.
CREATE TABLE IF NOT EXISTS taxonomy (
    ttype varchar(31) NOT NULL,
    id bigint NOT NULL,
    url varchar(255),
    created_at timestamp,
    name varchar(255),
    description text,
    publish boolean,
    parents_all text,
    revision text,
    taxonomytype_id bigint,
    parent_id bigint,
    updated_at timestamp NOT NULL,
    status varchar(255),
    start_date timestamp,
    end_date timestamp,
    CONSTRAINT pk_taxonomy PRIMARY KEY (id),
    CONSTRAINT uq_taxonomy_url UNIQUE (url)
);

CREATE TABLE IF NOT EXISTS license_target (
    target_id bigint NOT NULL,
    license_id bigint NOT NULL,
    CONSTRAINT pk_license_target PRIMARY KEY (target_id, license_id)
);

CREATE TABLE IF NOT EXISTS subject_target (
    target_id bigint NOT NULL,
    subject_id bigint NOT NULL,
    CONSTRAINT pk_subject_target PRIMARY KEY (target_id, subject_id)
);

CREATE TABLE IF NOT EXISTS collection_target (
    target_id bigint NOT NULL,
    collection_id bigint NOT NULL,
    CONSTRAINT pk_collection_target PRIMARY KEY (target_id, collection_id)
);

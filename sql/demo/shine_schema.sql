-- Shine's database schema: the '# --- !Ups' parts of conf/evolutions/default/1.sql .. 22.sql
-- of ukwa/shine c09ed190dddf07a65a0ab8c7b0a75f99a98279b8 (https://github.com/ukwa/shine, last
-- change to the evolutions 0dfea8c, 2014-09-19; Apache License 2.0), in order, unchanged but
-- for the '# --- !Ups'/'# --- !Downs' lines removed. Not idempotent (Play applies each once):
-- the demo and the tests load it into an empty database (shine_data.sql reset).
-- evolution 1

create table permission (
  id                        bigint not null,
  name                      TEXT,
  url                       TEXT,
  description               TEXT,
  revision                  TEXT,
  last_update               timestamp not null,
  constraint pk_permission primary key (id))
;

-- evolution 2

create table role (
  id                        bigint not null,
  name                      TEXT,
  url                       TEXT,
  permissions               TEXT,
  description               TEXT,
  revision                  TEXT,
  last_update               timestamp not null,
  constraint pk_role primary key (id))
;

-- evolution 3

create table account (
  id                       	bigint not null,
  email                     varchar(255),
  name                      varchar(255),
  password                  varchar(255),
  field_affiliation         varchar(255),
  url                       varchar(255),
  edit_url                  varchar(255),
  last_access               varchar(255),
  last_login                varchar(255),
  created                   varchar(255),
  status                    bigint,
  language                  varchar(255),
  feed_nid                  bigint,
  roles                     TEXT,
  revision                  TEXT,
  last_update               timestamp not null,
  constraint pk_account primary key (id))
;

-- evolution 4

create table saved_search (
  id			bigint not null,
  name  		varchar(255),
  url			TEXT,
  last_update   timestamp not null,
  user_id 		bigint NOT NULL,
  FOREIGN KEY (user_id) REFERENCES account(id),
  constraint pk_saved_search primary key (id))
;

-- evolution 5

alter table role drop column permissions;
alter table account drop column roles;

-- evolution 6

create table role_permissions (
  role_id                   	bigint not null,
  permission_id             	bigint not null,
  last_update               	timestamp not null,
  constraint ck_role_permissions primary key (role_id, permission_id),
  foreign key(role_id)   		references role(id) on delete cascade on update restrict,
  foreign key(permission_id)	references permission(id) on delete cascade on update restrict
);

create table user_roles (
  user_id                   	bigint not null,
  role_id             			bigint not null,
  last_update               	timestamp not null,
  constraint ck_user_roles primary key (user_id, role_id),
  foreign key(user_id)			references account(id) on delete cascade on update restrict,
  foreign key(role_id)   		references role(id) on delete cascade on update restrict
);

-- evolution 7

create sequence saved_search_seq start with 1;

-- evolution 8

alter table account drop column name;
alter table account drop column field_affiliation;
alter table account drop column url;
alter table account drop column edit_url;
alter table account drop column last_access;
alter table account drop column last_login;
alter table account drop column created;
alter table account drop column status;
alter table account drop column language;
alter table account drop column feed_nid;
alter table account drop column revision;

-- evolution 9

create sequence account_seq start with 1;

-- evolution 10

alter table role drop column url;
alter table role drop column revision;

alter table permission drop column url;
alter table permission drop column revision;

-- evolution 11

create sequence permission_seq start with 1;
create sequence role_seq start with 1;

-- evolution 12

alter table saved_search add description TEXT;

-- evolution 13

alter table role_permissions drop column last_update;
alter table user_roles drop column last_update;

-- evolution 14

alter table saved_search add summary TEXT;

-- evolution 15

create table corpus (
  id			bigint not null,
  name  		varchar(255),
  metaData		TEXT,
  last_update   timestamp not null,
  user_id 		bigint NOT NULL,
  FOREIGN KEY (user_id) REFERENCES account(id),
  constraint pk_corpus primary key (id))
;

create table resource (
  resource_id	bigint not null,
  corpus_id 	bigint NOT NULL,
  last_update   timestamp not null,
  FOREIGN KEY (corpus_id) REFERENCES corpus(id),
  constraint pk_resource primary key (resource_id))
;

-- evolution 16

alter table corpus add description TEXT;
alter table corpus add tags TEXT;
alter table corpus add justification TEXT;

-- evolution 17

alter table resource alter column resource_id type varchar(255);
alter table resource add id bigint not null;

-- evolution 18

create sequence corpus_seq start with 1;

-- evolution 19

create sequence resource_seq start with 1;

-- evolution 20

alter table resource drop constraint pk_resource; 
alter table resource add constraint pk_resource primary key(id);

-- evolution 21

alter table resource add title text;
alter table resource add url text;

-- evolution 22

alter table resource add waybackDate timestamp;


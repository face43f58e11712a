-- Extensions and schemas of the atlas database (production names).
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE SCHEMA IF NOT EXISTS api;
CREATE SCHEMA IF NOT EXISTS atlas_api;
CREATE SCHEMA IF NOT EXISTS observations_partitions;

-- Applied only with the replica of production's schema (the demo's and the tests' databases,
-- after maint_assets' own DDL), never to a real atlas: marks the database as a replica, the only
-- kind the offline checklist resolver (partly invented taxa) is allowed to write to.
CREATE TABLE IF NOT EXISTS maint_assets.replica (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    marked_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO maint_assets.replica DEFAULT VALUES ON CONFLICT DO NOTHING;

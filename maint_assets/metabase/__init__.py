"""Metabase's application database: a daily backup proven by a restore, and a restore job
(replaces the catalogue runbook's Metabase backup, `../shared/seeds/003_…`)."""

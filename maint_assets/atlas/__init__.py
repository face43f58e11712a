"""The biodiversity atlas database: the taxonomy chain, the spatial count tables, the dumps
and the staging database (replaces the atlas runbook, `../shared/seeds/000_…`)."""

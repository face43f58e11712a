"""Asset keys, groups, pools, owners, SQL files and artifact folders of the catalogue."""

import dagster as dg

DOMAIN = "catalog"
SQL_DIR = "catalog"
SQL_DATASETS = "catalog/datasets"
SQL_CHECKS = "catalog/checks"
GROUP_CATALOG = "catalog"
# One load at a time into the catalogue's database.
POOL_CATALOG_DB = "catalog_db"
OWNERS = ["team:catalog"]

DCAT_PAGES = dg.AssetKey([DOMAIN, "files", "dcat_pages"])
RAW_DATASETS = dg.AssetKey([DOMAIN, "dataframe", "raw_datasets"])
DATASETS_CLEAN = dg.AssetKey([DOMAIN, "dataframe", "datasets_clean"])
# public.datasets is the table the dashboards read (its name is fixed by them), as the atlas's
# public.datasets is fixed by the atlas API: the one short name two assets share.
DATASETS = dg.AssetKey([DOMAIN, "public", "datasets"])

# Artifact folders (paths in the artifact store, kept as they were).
RAW_FOLDER = "catalog/raw_datasets"
CLEAN_FOLDER = "catalog/datasets_clean"
# The manifest field of an extract (and of its cleaned CSV) taken while the exposition
# shifted: says how; the load keeps the live datasets such a dump lacks.
SHIFTED = "shifted_while_taken"

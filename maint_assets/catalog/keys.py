"""Asset keys, groups, pools, owners and the SQL folder of the catalogue (domain `catalog`)."""

DOMAIN = "catalog"

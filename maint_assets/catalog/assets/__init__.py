"""The catalogue chain: DCAT pages → raw rows (Parquet) → clean rows (CSV for COPY) → the
``public.datasets`` table Metabase reads, swapped in whole. One module per asset, in the
chain's order: raw_datasets (the pages, ``dcat_pages``, read), datasets_clean (pandas) and
public_datasets (the load).

Steps hand over through the artifact store (checksummed, kept by retention), so each can be
re-run alone and its input inspected (catalog/handover.py). The load builds the new table beside
the live one and swaps it in only when its blocking checks pass, in the same transaction:
dashboards read the previous table until the commit, never a half-loaded or empty one.
"""

"""The atlas assets, one module per chain: sources (external tables), taxonomy, counts (the
spatial chain), dumps and staging."""

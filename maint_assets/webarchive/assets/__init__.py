"""The web archive's assets, one module per asset of the WARC chain (the store's files, then
``trackdb``, then ``cdx_index``) and per standalone asset (``access_lists``, ``w3act_backup``,
``shine_backup``)."""

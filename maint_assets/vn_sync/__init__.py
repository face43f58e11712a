"""The VisioNature mirror (``src_vn_json``, kept by Client-API-VN's transfer_vn), repaired from a
check copy downloaded again by transfer_vn; replaces the vn_sync check-to-production runbook."""

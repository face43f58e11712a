"""The VisioNature chain: the check copy (vn_check_copy.py), then production repaired from it
(vn_sync_repair.py)."""

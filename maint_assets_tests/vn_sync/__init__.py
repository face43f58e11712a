"""Tests of the vn_sync package."""

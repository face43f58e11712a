"""Tests of the metabase package."""

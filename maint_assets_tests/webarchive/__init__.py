"""Tests of the webarchive package."""

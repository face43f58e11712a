"""Automation conditions shared by every domain."""

import warnings

import dagster as dg

# Source tables are external assets: they always exist in their database, whether or not
# Dagster has recorded an event for them, so they must not count as "missing" and hold
# their downstream assets back. (`include_sources` is marked beta in Dagster 1.13; it is the
# only selection that names external assets generically.)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.BetaWarning)
    EXTERNAL_ASSETS = dg.AssetSelection.all(include_sources=True) - (
        dg.AssetSelection.all().materializable()
    )

EAGER = dg.AutomationCondition.eager().replace(
    "any_deps_missing", dg.AutomationCondition.any_deps_missing().ignore(EXTERNAL_ASSETS)
)

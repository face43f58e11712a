"""Which resolver the code location uses: GBIF unless the environment names the offline
checklist, which only the demo's environment does (and which refuses a real atlas)."""

import os
from collections.abc import Mapping

from maint_assets.atlas.taxonomy.checklist import ChecklistResolver
from maint_assets.atlas.taxonomy.gbif import GbifResolver
from maint_assets.atlas.taxonomy.resolver import TaxonomyResolver

RESOLVERS = ("gbif", "checklist")
TRUE, FALSE = ("1", "true", "yes"), ("", "0", "false", "no")


def taxonomy_resolver(environ: Mapping[str, str] = os.environ) -> TaxonomyResolver:
    """ATLAS_TAXONOMY_RESOLVER: ``gbif`` (the default) or ``checklist``;
    ATLAS_TAXONOMY_ACCEPT_UNRESOLVED: accept names the resolver cannot match (the demo, whose
    data invents some on purpose); ATLAS_GBIF_CACHE: GBIF's response cache."""
    name = environ.get("ATLAS_TAXONOMY_RESOLVER", "gbif").strip().lower() or "gbif"
    flag = environ.get("ATLAS_TAXONOMY_ACCEPT_UNRESOLVED", "").strip().lower()
    if name not in RESOLVERS:
        raise ValueError(f"ATLAS_TAXONOMY_RESOLVER={name!r}: expected one of {RESOLVERS}")
    if flag not in TRUE + FALSE:
        raise ValueError(f"ATLAS_TAXONOMY_ACCEPT_UNRESOLVED={flag!r}: expected true or false")
    accept = flag in TRUE
    if name == "checklist":
        return ChecklistResolver(accept_unresolved=accept)
    cache = environ.get("ATLAS_GBIF_CACHE") or None
    return GbifResolver(cache_path=cache, accept_unresolved=accept)

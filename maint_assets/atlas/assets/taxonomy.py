"""The taxonomy chain: taxa_ref -> taxa_vernacular -> taxa_obs_group_lookup -> api.taxa.

Names are resolved outside any database transaction (a resolver may call a web service for
minutes), while the asset's advisory lock is held; each batch of answers is then merged in
one short transaction, so a failure keeps every batch already merged. Only new or changed
taxa_obs are resolved unless the run's config asks for a full refresh; taxa_ref rows are
merged on (source_name, source_record_id), so their ids stay stable.

Nothing production has is lost: a name the resolver cannot match keeps its rows, is listed,
and fails the run until it is fixed or accepted (``accept_unresolved``); a resolver only
replaces rows of its own sources; a reference record is rewritten only from an answer for
that record itself, never from its mention as another name's ancestor.
"""

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence

import dagster as dg
from pydantic import Field

from maint_assets.atlas import change_log
from maint_assets.atlas.assets import sources
from maint_assets.atlas.keys import (
    API_TAXA,
    DB,
    GROUP_TAXONOMY,
    OWNERS,
    POOL_ATLAS_DB,
    SQL_TAXA_REF,
    SQL_TAXA_VERNACULAR,
    TAXA_OBS_GROUP_LOOKUP,
    TAXA_OBS_REF_LOOKUP,
    TAXA_OBS_VERNACULAR_LOOKUP,
    TAXA_REF,
    TAXA_VERNACULAR,
)
from maint_assets.atlas.taxonomy.merging import merge_matches, merge_vernacular
from maint_assets.atlas.taxonomy.pending_names import (
    Outcome,
    failure,
    in_metadata,
    resolve_pending,
)
from maint_assets.atlas.taxonomy.resolver import (
    NameQuery,
    RefKey,
    TaxonomyResolver,
)
from maint_assets.core.automation import EAGER, WEEKLY_FRESHNESS
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_assets import matview_asset
from maint_assets.core.sql_files import statement
from maint_assets.core.ui import column_schema


class TaxonomyRefreshConfig(dg.Config):
    full: bool = Field(
        default=False, description="resolve every name again, not only new or changed ones"
    )
    batch_size: int = Field(default=500, description="names resolved and merged per transaction")


class TaxaRefConfig(TaxonomyRefreshConfig):
    accept_unresolved: bool = Field(
        default=False,
        description="accept the names the resolver cannot match in this run: they keep their "
        "rows, are recorded as accepted and no longer fail the run (until their text changes)",
    )


def _specs(
    keys: Sequence[dg.AssetKey], deps: Sequence[object], description: str
) -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            k,
            deps=deps,
            group_name=GROUP_TAXONOMY,
            description=description,
            owners=OWNERS,
            kinds={"postgres", "table"},
            automation_condition=EAGER,
            freshness_policy=WEEKLY_FRESHNESS,
        )
        for k in keys
    ]


@dg.multi_asset(
    specs=_specs(
        [TAXA_REF, TAXA_OBS_REF_LOOKUP],
        [sources.taxa_obs],
        "Reference taxa matched for every taxa_obs name, with the lookup linking them.",
    ),
    pool=POOL_ATLAS_DB,
    name="atlas_taxa_ref",
)
def taxa_ref(
    context: dg.AssetExecutionContext,
    config: TaxaRefConfig,
    atlas_db: PostgresResource,
    taxonomy: TaxonomyResolver,
) -> Iterator[dg.MaterializeResult]:
    group, resolver = SQL_TAXA_REF, taxonomy.resolver_name
    accept = config.accept_unresolved or taxonomy.accept_unresolved
    counts: Counter[str] = Counter()
    outcome = Outcome()
    with atlas_db.maintenance_step(TAXA_REF.to_user_string(), rerun_if_cut=True) as conn:
        pending = resolve_pending(
            context,
            atlas_db,
            conn,
            taxonomy,
            group,
            config,
            item=lambda row: NameQuery(*row[:5]),
            ask=taxonomy.match,
            merge_for=lambda rows: lambda batch, answers: merge_matches(
                conn,
                batch,
                answers,
                taxonomy,
                accept,
                {row[0] for row in rows if row[5]},
                counts,
                outcome,
            ),
            key=lambda q: q.id_taxa_obs,
            outcome=outcome,
            what=f"taxa_obs names to resolve with {resolver}",
        )
        with atlas_db.transaction(conn):
            conn.execute(
                statement(group, "track_unlinked_records"), {"sources": list(taxonomy.sources)}
            )
            conn.execute(statement(group, "unlink_orphan_refs_vernacular"))
            counts["refs_removed"] += conn.execute(statement(group, "remove_orphan_refs")).rowcount
            refs, lookups, names, accepted_total = conn.execute(
                statement(group, "totals")
            ).fetchone()
            # Names are compared with what was resolved, so the change log of taxa_obs is only
            # read for the sensor; consuming it here keeps it bounded.
            change_log.advance(conn, TAXA_REF.to_user_string(), ["taxa_obs"])
        with atlas_db.transaction(conn):
            change_log.trim(conn, ["taxa_obs"])
        ref_columns = column_schema(conn, "public", "taxa_ref")
        lookup_columns = column_schema(conn, "public", "taxa_obs_ref_lookup")
    if outcome.failed:
        raise failure(
            f"{len(outcome.failed)} taxa_obs names could not be resolved (the resolver could "
            "not be asked; they are retried next run); everything else was merged and is kept",
            outcome,
            counts,
        )
    if outcome.unresolved:
        raise failure(
            f"{len(outcome.unresolved)} taxa_obs names did not match; they keep their existing "
            "rows. Fix them in taxa_obs, or accept them with the run config "
            "accept_unresolved: true",
            outcome,
            counts,
        )
    common = {
        "mode": "full" if config.full else "incremental",
        "resolver": resolver,
        "names_resolved": len(pending),
        "names_accepted_unresolved": len(outcome.accepted),
        "names_accepted_unresolved_total": accepted_total,
        "accepted_unresolved": dg.MetadataValue.json(in_metadata(outcome.accepted)),
    }
    yield _table_result(
        TAXA_REF, common, ref_columns, refs,
        rows_added=counts["refs_added"], rows_replaced=counts["refs_replaced"],
        rows_removed=counts["refs_removed"],
    )
    yield _table_result(
        TAXA_OBS_REF_LOOKUP, common, lookup_columns, lookups,
        rows_added=counts["lookup_added"], rows_removed=counts["lookup_removed"],
        taxa_obs_total=names,
    )


@dg.multi_asset(
    specs=_specs(
        [TAXA_VERNACULAR, TAXA_OBS_VERNACULAR_LOOKUP],
        [TAXA_REF, TAXA_OBS_REF_LOOKUP],
        "Vernacular names (fra, eng) of reference taxa, linked to every taxa_obs.",
    ),
    pool=POOL_ATLAS_DB,
    name="atlas_taxa_vernacular",
)
def taxa_vernacular(
    context: dg.AssetExecutionContext,
    config: TaxonomyRefreshConfig,
    atlas_db: PostgresResource,
    taxonomy: TaxonomyResolver,
) -> Iterator[dg.MaterializeResult]:
    group, resolver = SQL_TAXA_VERNACULAR, taxonomy.resolver_name
    counts: Counter[str] = Counter()
    outcome = Outcome()
    with atlas_db.maintenance_step(TAXA_VERNACULAR.to_user_string(), rerun_if_cut=True) as conn:
        pending = resolve_pending(
            context,
            atlas_db,
            conn,
            taxonomy,
            group,
            config,
            item=lambda row: RefKey(*row),
            ask=taxonomy.vernacular,
            merge_for=lambda _rows: lambda _, answers: merge_vernacular(
                conn, answers, resolver, counts, outcome
            ),
            key=lambda r: r.id_taxa_ref,
            outcome=outcome,
            what=f"reference taxa to ask {resolver} for vernacular names",
        )
        with atlas_db.transaction(conn):
            conn.execute(statement(group, "desired_lookup"))
            counts["lookup_removed"] += conn.execute(statement(group, "remove_lookup")).fetchone()[
                0
            ]
            counts["lookup_added"] += conn.execute(statement(group, "add_lookup")).rowcount
            counts["names_removed"] += conn.execute(
                statement(group, "remove_orphan_vernacular")
            ).rowcount
            names, lookups = conn.execute(statement(group, "totals")).fetchone()
        names_columns = column_schema(conn, "public", "taxa_vernacular")
        lookup_columns = column_schema(conn, "public", "taxa_obs_vernacular_lookup")
    if outcome.failed:
        raise failure(
            f"{len(outcome.failed)} reference taxa could not be asked for vernacular names "
            "(retried next run); everything else was merged and is kept",
            outcome,
            counts,
        )
    if outcome.kept_without_answer:
        context.log.warning(
            f"{len(outcome.kept_without_answer)} taxa had vernacular names in a language "
            f"{resolver} answered none in; their names are kept (an empty or partial answer "
            "is no evidence that a name is gone): see kept_without_answer"
        )
    common = {
        "mode": "full" if config.full else "incremental",
        "resolver": resolver,
        "taxa_asked": len(pending),
    }
    kept = {"kept_without_answer": dg.MetadataValue.json(in_metadata(outcome.kept_without_answer))}
    yield _table_result(
        TAXA_VERNACULAR, {**common, **kept}, names_columns, names,
        rows_added=counts["names_added"], rows_updated=counts["names_updated"],
        rows_removed=counts["names_removed"],
        names_kept_without_answer=counts["names_kept_without_answer"],
    )
    yield _table_result(
        TAXA_OBS_VERNACULAR_LOOKUP, common, lookup_columns, lookups,
        rows_added=counts["lookup_added"], rows_removed=counts["lookup_removed"],
    )


def _table_result(
    key: dg.AssetKey,
    common: Mapping[str, object],
    columns: Mapping[str, object],
    rows: int,
    **changes: int,
) -> dg.MaterializeResult:
    """One table's materialization: what the run shares, the table's column schema, its row
    count and what this run changed in it."""
    return dg.MaterializeResult(
        asset_key=key, metadata={**common, **columns, "dagster/row_count": rows, **changes}
    )


taxa_obs_group_lookup = matview_asset(
    TAXA_OBS_GROUP_LOOKUP,
    deps=[
        TAXA_REF,
        TAXA_OBS_REF_LOOKUP,
        sources.taxa_groups,
        sources.taxa_group_members,
        sources.observations,
    ],
    db=DB,
    group=GROUP_TAXONOMY,
    pool=POOL_ATLAS_DB,
    automation_condition=EAGER,
    freshness_policy=WEEKLY_FRESHNESS,
    description="Groups of each taxa_obs (the runbook's 'taxa_groups' view).",
).map_asset_specs(lambda spec: spec.replace_attributes(owners=OWNERS))

api_taxa = matview_asset(
    API_TAXA,
    deps=[
        sources.taxa_obs,
        TAXA_REF,
        TAXA_OBS_REF_LOOKUP,
        TAXA_VERNACULAR,
        TAXA_OBS_VERNACULAR_LOOKUP,
        TAXA_OBS_GROUP_LOOKUP,
        sources.taxa_groups,
        sources.taxa_ref_sources,
        sources.taxa_vernacular_sources,
    ],
    db=DB,
    group=GROUP_TAXONOMY,
    pool=POOL_ATLAS_DB,
    automation_condition=EAGER,
    freshness_policy=WEEKLY_FRESHNESS,
    description="One row per resolved taxa_obs: best valid name, vernacular names, group.",
).map_asset_specs(lambda spec: spec.replace_attributes(owners=OWNERS))

ASSETS = [taxa_ref, taxa_vernacular, taxa_obs_group_lookup, api_taxa]

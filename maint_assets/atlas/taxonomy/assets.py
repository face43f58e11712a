"""The taxonomy chain: taxa_ref -> taxa_vernacular -> taxa_obs_group_lookup -> api.taxa.

Names are resolved outside any database transaction (a resolver may call a web service for
minutes), while the asset's advisory lock is held; each batch of answers is then merged in
one short transaction, so a failure keeps every batch already merged. Only new or changed
taxa_obs are resolved unless the run's config asks for a full refresh; taxa_ref rows are
merged on (source_name, source_record_id), so their ids stay stable.
"""

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from typing import TypeVar

import dagster as dg
import psycopg
from pydantic import Field

from maint_assets.atlas import change_log, sources
from maint_assets.atlas.keys import DB, POOL, TAXONOMY, key
from maint_assets.atlas.taxonomy.resolver import (
    NameQuery,
    RefKey,
    RefRecord,
    Resolution,
    TaxonomyResolver,
    VernacularRecord,
)
from maint_assets.core.automation import EAGER, WEEKLY_FRESHNESS
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_assets import matview_asset
from maint_assets.core.sql_files import statement

TAXA_REF = key("public", "taxa_ref")
TAXA_OBS_REF_LOOKUP = key("public", "taxa_obs_ref_lookup")
TAXA_VERNACULAR = key("public", "taxa_vernacular")
TAXA_OBS_VERNACULAR_LOOKUP = key("public", "taxa_obs_vernacular_lookup")
TAXA_OBS_GROUP_LOOKUP = key("public", "taxa_obs_group_lookup")
API_TAXA = key("api", "taxa")

MAX_LISTED_FAILURES = 50
T = TypeVar("T")
Item = TypeVar("Item", NameQuery, RefKey)


class TaxonomyRefreshConfig(dg.Config):
    full: bool = Field(
        default=False, description="resolve every name again, not only new or changed ones"
    )
    batch_size: int = Field(default=500, description="names resolved and merged per transaction")


def batched(items: Sequence[T], size: int) -> Iterator[tuple[T, ...]]:
    iterator = iter(items)
    while batch := tuple(islice(iterator, size)):
        yield batch


def _specs(
    keys: Sequence[dg.AssetKey], deps: Sequence[object], description: str
) -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            k,
            deps=deps,
            group_name=TAXONOMY,
            description=description,
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
    pool=POOL,
    name="atlas_taxa_ref",
)
def taxa_ref(
    context: dg.AssetExecutionContext,
    config: TaxonomyRefreshConfig,
    atlas_db: PostgresResource,
    taxonomy: TaxonomyResolver,
) -> Iterator[dg.MaterializeResult]:
    group, resolver = "atlas/taxa_ref", taxonomy.resolver_name
    counts: Counter[str] = Counter()
    with atlas_db.maintenance_session(TAXA_REF.to_user_string()) as conn:
        pending = [NameQuery(*row) for row in _pending(conn, group, config, resolver)]
        context.log.info(f"{len(pending)} taxa_obs names to resolve with {resolver}")
        failed = _resolve_in_batches(
            atlas_db,
            conn,
            pending,
            config.batch_size,
            taxonomy.match,
            lambda batch, answers: _merge_matches(conn, batch, answers, resolver, counts),
            key=lambda q: q.id_taxa_obs,
        )
        with atlas_db.transaction(conn):
            counts["refs_removed"] += conn.execute(statement(group, "remove_orphan_refs")).rowcount
            refs, lookups, names, unmatched = conn.execute(statement(group, "totals")).fetchone()
            # Names are compared with what was resolved, so the change log of taxa_obs is only
            # read for the sensor; consuming it here keeps it bounded.
            change_log.advance(conn, TAXA_REF.to_user_string(), ["taxa_obs"])
        with atlas_db.transaction(conn):
            change_log.trim(conn, ["taxa_obs"])
    if failed:
        raise _resolution_failure("taxa_obs names", failed, counts)
    common = {
        "mode": "full" if config.full else "incremental",
        "resolver": resolver,
        "names_resolved": len(pending),
        "names_unmatched_total": unmatched,
    }
    yield dg.MaterializeResult(
        asset_key=TAXA_REF,
        metadata={
            **common,
            "dagster/row_count": refs,
            "rows_added": counts["refs_added"],
            "rows_updated": counts["refs_updated"],
            "rows_removed": counts["refs_removed"],
        },
    )
    yield dg.MaterializeResult(
        asset_key=TAXA_OBS_REF_LOOKUP,
        metadata={
            **common,
            "dagster/row_count": lookups,
            "rows_added": counts["lookup_added"],
            "rows_removed": counts["lookup_removed"],
            "taxa_obs_total": names,
        },
    )


def _merge_matches(
    conn: psycopg.Connection,
    batch: Sequence[NameQuery],
    answers: Resolution[int, list[RefRecord]],
    resolver: str,
    counts: Counter[str],
) -> None:
    group = "atlas/taxa_ref"
    conn.execute(statement(group, "stage"))
    with conn.cursor().copy(statement(group, "copy_names")) as copy:
        for q in batch:
            if q.id_taxa_obs in answers.found:
                copy.write_row((q.id_taxa_obs, q.key, bool(answers.found[q.id_taxa_obs])))
    with conn.cursor().copy(statement(group, "copy_refs")) as copy:
        for id_taxa_obs, records in answers.found.items():
            for r in records:
                copy.write_row(
                    (
                        id_taxa_obs,
                        r.source_name,
                        r.source_id,
                        r.source_record_id,
                        r.scientific_name,
                        r.authorship,
                        r.rank,
                        r.valid,
                        r.valid_srid,
                        list(r.classification_srids),
                        r.match_type,
                        r.is_parent,
                    )
                )
    conn.execute(statement(group, "drop_stale"))
    added, updated = conn.execute(statement(group, "upsert_refs")).fetchone()
    counts["refs_added"] += added
    counts["refs_updated"] += updated
    conn.execute(statement(group, "new_lookup"))
    counts["lookup_removed"] += conn.execute(statement(group, "remove_lookup")).rowcount
    counts["lookup_added"] += conn.execute(statement(group, "add_lookup")).rowcount
    conn.execute(statement(group, "record_resolution"), {"resolver": resolver})


@dg.multi_asset(
    specs=_specs(
        [TAXA_VERNACULAR, TAXA_OBS_VERNACULAR_LOOKUP],
        [TAXA_REF, TAXA_OBS_REF_LOOKUP],
        "Vernacular names (fra, eng) of reference taxa, linked to every taxa_obs.",
    ),
    pool=POOL,
    name="atlas_taxa_vernacular",
)
def taxa_vernacular(
    context: dg.AssetExecutionContext,
    config: TaxonomyRefreshConfig,
    atlas_db: PostgresResource,
    taxonomy: TaxonomyResolver,
) -> Iterator[dg.MaterializeResult]:
    group, resolver = "atlas/taxa_vernacular", taxonomy.resolver_name
    counts: Counter[str] = Counter()
    with atlas_db.maintenance_session(TAXA_VERNACULAR.to_user_string()) as conn:
        pending = [RefKey(*row) for row in _pending(conn, group, config, resolver)]
        context.log.info(f"{len(pending)} reference taxa to ask {resolver} for vernacular names")
        failed = _resolve_in_batches(
            atlas_db,
            conn,
            pending,
            config.batch_size,
            taxonomy.vernacular,
            lambda _, answers: _merge_vernacular(conn, answers, resolver, counts),
            key=lambda r: r.id_taxa_ref,
        )
        with atlas_db.transaction(conn):
            conn.execute(statement(group, "desired_lookup"))
            counts["lookup_removed"] += conn.execute(statement(group, "remove_lookup")).rowcount
            counts["lookup_added"] += conn.execute(statement(group, "add_lookup")).rowcount
            counts["names_removed"] += conn.execute(
                statement(group, "remove_orphan_vernacular")
            ).rowcount
            names, lookups = conn.execute(statement(group, "totals")).fetchone()
    if failed:
        raise _resolution_failure("reference taxa", failed, counts)
    common = {
        "mode": "full" if config.full else "incremental",
        "resolver": resolver,
        "taxa_asked": len(pending),
    }
    yield dg.MaterializeResult(
        asset_key=TAXA_VERNACULAR,
        metadata={
            **common,
            "dagster/row_count": names,
            "rows_added": counts["names_added"],
            "rows_updated": counts["names_updated"],
            "rows_removed": counts["names_removed"],
        },
    )
    yield dg.MaterializeResult(
        asset_key=TAXA_OBS_VERNACULAR_LOOKUP,
        metadata={
            **common,
            "dagster/row_count": lookups,
            "rows_added": counts["lookup_added"],
            "rows_removed": counts["lookup_removed"],
        },
    )


def _merge_vernacular(
    conn: psycopg.Connection,
    answers: Resolution[int, list[VernacularRecord]],
    resolver: str,
    counts: Counter[str],
) -> None:
    group = "atlas/taxa_vernacular"
    conn.execute(statement(group, "stage"))
    with conn.cursor().copy(statement(group, "copy_vernacular")) as copy:
        for id_taxa_ref, records in answers.found.items():
            for v in records:
                copy.write_row(
                    (
                        id_taxa_ref,
                        v.source_name,
                        v.source_record_id,
                        v.name,
                        v.language,
                        v.rank,
                        v.rank_order,
                    )
                )
    with conn.cursor().copy(statement(group, "copy_refs")) as copy:
        for id_taxa_ref in answers.found:
            copy.write_row((id_taxa_ref,))
    added, updated = conn.execute(statement(group, "upsert_vernacular")).fetchone()
    counts["names_added"] += added
    counts["names_updated"] += updated
    conn.execute(statement(group, "relink_refs"))
    conn.execute(statement(group, "record_resolution"), {"resolver": resolver})


def _pending(
    conn: psycopg.Connection, group: str, config: TaxonomyRefreshConfig, resolver: str
) -> list[tuple]:
    query = statement(group, "pending")
    return conn.execute(query, {"full": config.full, "resolver": resolver}).fetchall()


def _resolve_in_batches(
    db: PostgresResource,
    conn: psycopg.Connection,
    pending: Sequence[Item],
    batch_size: int,
    ask: Callable[[Sequence[Item]], Resolution],
    merge: Callable[[Sequence[Item], Resolution], None],
    key: Callable[[Item], int],
) -> dict[str, str]:
    """Ask the resolver batch by batch (no transaction open meanwhile), merging each batch's
    answers in a transaction of its own; returns the reasons of failures by scientific name."""
    failed: dict[str, str] = {}
    for batch in batched(pending, batch_size):
        answers = ask(batch)
        failed |= {
            item.scientific_name: answers.failures[key(item)]
            for item in batch
            if key(item) in answers.failures
        }
        with db.transaction(conn):
            merge(batch, answers)
    return failed


def _resolution_failure(what: str, failed: dict[str, str], counts: Counter[str]) -> dg.Failure:
    listed = sorted(failed)[:MAX_LISTED_FAILURES]
    more = f" (and {len(failed) - len(listed)} more)" if len(failed) > len(listed) else ""
    return dg.Failure(
        description=(
            f"{len(failed)} {what} could not be resolved; everything else was merged "
            f"and is kept: {', '.join(listed)}{more}"
        ),
        metadata={
            "unresolved": dg.MetadataValue.json(dict(sorted(failed.items())[:500])),
            **{k: v for k, v in counts.items()},
        },
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
    group=TAXONOMY,
    pool=POOL,
    automation_condition=EAGER,
    freshness_policy=WEEKLY_FRESHNESS,
    description="Groups of each taxa_obs (the runbook's 'taxa_groups' view).",
)

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
    group=TAXONOMY,
    pool=POOL,
    automation_condition=EAGER,
    freshness_policy=WEEKLY_FRESHNESS,
    description="One row per resolved taxa_obs: best valid name, vernacular names, group.",
)

ASSETS = [taxa_ref, taxa_vernacular, taxa_obs_group_lookup, api_taxa]

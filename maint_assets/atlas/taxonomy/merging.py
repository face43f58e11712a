"""Merging a batch of the resolver's answers into the taxonomy tables, in the caller's
transaction: staged with COPY, then merged by the statements of sql/atlas/taxa_ref.sql and
taxa_vernacular.sql."""

from collections import Counter
from collections.abc import Sequence

import psycopg

from maint_assets.atlas.keys import SQL_TAXA_REF, SQL_TAXA_VERNACULAR
from maint_assets.atlas.taxonomy.pending_names import Outcome
from maint_assets.atlas.taxonomy.resolver import (
    NameQuery,
    RefRecord,
    Resolution,
    TaxonomyResolver,
    Unresolved,
    VernacularRecord,
)
from maint_assets.core.sql_files import statement


def merge_matches(
    conn: psycopg.Connection,
    batch: Sequence[NameQuery],
    answers: Resolution[int, list[RefRecord]],
    taxonomy: TaxonomyResolver,
    accept: bool,
    accepted_before: set[int],
    counts: Counter[str],
    outcome: Outcome,
) -> None:
    group = SQL_TAXA_REF
    found = dict(answers.found)
    unresolved = dict(answers.unresolved)
    for id_taxa_obs, reason in _conflicts(found).items():
        del found[id_taxa_obs]
        unresolved[id_taxa_obs] = Unresolved(reason)
    staged: list[tuple[int, str, str]] = []
    refs: list[tuple[int, RefRecord]] = []
    for q in batch:
        if q.id_taxa_obs in found:
            staged.append((q.id_taxa_obs, q.key, "matched"))
            refs += [(q.id_taxa_obs, r) for r in found[q.id_taxa_obs]]
        elif q.id_taxa_obs in unresolved:
            why = unresolved[q.id_taxa_obs]
            if accept or q.id_taxa_obs in accepted_before:
                outcome.accepted[q.scientific_name] = why.reason
                staged.append((q.id_taxa_obs, q.key, "fallback" if why.fallback else "accepted"))
                refs += [(q.id_taxa_obs, r) for r in why.fallback]
            else:
                outcome.unresolved[q.scientific_name] = why.reason
    conn.execute(statement(group, "stage"))
    with conn.cursor().copy(statement(group, "copy_names")) as copy:
        for row in staged:
            copy.write_row(row)
    with conn.cursor().copy(statement(group, "copy_refs")) as copy:
        for id_taxa_obs, r in refs:
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
    counts["refs_added"] += conn.execute(statement(group, "insert_refs")).fetchone()[0]
    conn.execute(statement(group, "changed_refs"))
    counts["refs_replaced"] += conn.execute(statement(group, "replace_refs")).fetchone()[0]
    conn.execute(statement(group, "restore_changed_refs"))
    conn.execute(statement(group, "new_lookup"))
    counts["lookup_removed"] += conn.execute(
        statement(group, "remove_lookup"), {"sources": list(taxonomy.sources)}
    ).rowcount
    counts["lookup_added"] += conn.execute(statement(group, "add_lookup")).rowcount
    conn.execute(statement(group, "record_resolution"), {"resolver": taxonomy.resolver_name})


def _conflicts(found: dict[int, list[RefRecord]]) -> dict[int, str]:
    """Names whose answers disagree about one record's content: none of them may write it
    (whichever was merged last would overwrite the others' record)."""
    seen: dict[tuple[str, str], dict[tuple[object, ...], set[int]]] = {}
    for id_taxa_obs, records in found.items():
        for r in records:
            if not r.is_parent:
                versions = seen.setdefault((r.source_name, r.source_record_id), {})
                versions.setdefault(r.content, set()).add(id_taxa_obs)
    out: dict[int, str] = {}
    for (source, record_id), versions in seen.items():
        if len(versions) > 1:
            for ids in versions.values():
                for i in ids:
                    out[i] = f"answers disagree about {source} record {record_id}"
    return out


def merge_vernacular(
    conn: psycopg.Connection,
    answers: Resolution[int, list[VernacularRecord]],
    resolver: str,
    counts: Counter[str],
    outcome: Outcome,
) -> None:
    group = SQL_TAXA_VERNACULAR
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
    for scientific_name, languages, kept in conn.execute(statement(group, "kept_without_answer")):
        outcome.kept_without_answer[scientific_name] = languages
        counts["names_kept_without_answer"] += kept
    conn.execute(statement(group, "record_resolution"), {"resolver": resolver})

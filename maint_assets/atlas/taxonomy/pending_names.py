"""Resolving a taxonomy refresh's pending names, batch by batch, and what the refresh could
not do: the step taxa_ref and taxa_vernacular (assets/taxonomy.py) share.

The resolver is asked outside any transaction (a web service may take minutes), each batch's
answers merged in a transaction of its own, so a failure keeps every batch already merged."""

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Protocol, TypeVar

import dagster as dg
import psycopg

from maint_assets.atlas.keys import SQL_TAXA_REF
from maint_assets.atlas.taxonomy.resolver import NameQuery, RefKey, Resolution, TaxonomyResolver
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement

MAX_LISTED = 50  # names in a failure message
MAX_IN_METADATA = 500
T = TypeVar("T")
Item = TypeVar("Item", NameQuery, RefKey)


class RefreshSettings(Protocol):
    full: bool
    batch_size: int


@dataclass
class Outcome:
    """What a refresh could not do: names the resolver could not be asked about (retried next
    run), names it could not match (listed; failing unless accepted), and taxa whose answer
    named nothing in a language they had a vernacular name in (the name kept)."""

    failed: dict[str, str] = field(default_factory=dict)
    unresolved: dict[str, str] = field(default_factory=dict)
    accepted: dict[str, str] = field(default_factory=dict)
    kept_without_answer: dict[str, str] = field(default_factory=dict)


def batched(items: Sequence[T], size: int) -> Iterator[tuple[T, ...]]:
    iterator = iter(items)
    while batch := tuple(islice(iterator, size)):
        yield batch


def _refuse_offline_resolver_on_a_real_atlas(
    conn: psycopg.Connection, taxonomy: TaxonomyResolver, db: PostgresResource
) -> None:
    """The offline checklist is partly invented: it may only write to a database made with
    the replica's full DDL (the demo's, the tests'), which marks itself as such."""
    replica = conn.execute(statement(SQL_TAXA_REF, "is_replica")).fetchone()[0]
    if taxonomy.offline and not replica:
        raise dg.Failure(
            description=(
                f"the offline resolver {taxonomy.resolver_name} only writes to the demo's or "
                f"the tests' replica, and {db.describe()} is not one (no maint_assets.replica): "
                "set ATLAS_TAXONOMY_RESOLVER=gbif for a real atlas database"
            )
        )


def resolve_pending(
    context: dg.AssetExecutionContext,
    atlas_db: PostgresResource,
    conn: psycopg.Connection,
    taxonomy: TaxonomyResolver,
    group: str,
    config: RefreshSettings,
    *,
    item: Callable[[tuple], Item],
    ask: Callable[[Sequence[Item]], Resolution],
    merge_for: Callable[[list[tuple]], Callable[[Sequence[Item], Resolution], None]],
    key: Callable[[Item], int],
    outcome: Outcome,
    what: str,
) -> list[Item]:
    """The step taxa_ref and taxa_vernacular share: refuse the offline resolver on a real
    atlas, read what is pending, keep track of rows left unlinked, then ask the resolver and
    merge its answers batch by batch (``merge_for`` gets the pending rows)."""
    _refuse_offline_resolver_on_a_real_atlas(conn, taxonomy, atlas_db)
    rows = _pending(conn, group, config, taxonomy)
    pending = [item(row) for row in rows]
    context.log.info(f"{len(pending)} {what}")
    conn.execute(statement(group, "track_unlinked"))
    _resolve_in_batches(
        atlas_db, conn, pending, config.batch_size, ask, merge_for(rows), key, outcome
    )
    return pending


def _pending(
    conn: psycopg.Connection, group: str, config: RefreshSettings, taxonomy: TaxonomyResolver
) -> list[tuple]:
    params = {"full": config.full, "resolver": taxonomy.resolver_name}
    return conn.execute(
        statement(group, "pending"), {**params, "sources": list(taxonomy.sources)}
    ).fetchall()


def _resolve_in_batches(
    db: PostgresResource,
    conn: psycopg.Connection,
    pending: Sequence[Item],
    batch_size: int,
    ask: Callable[[Sequence[Item]], Resolution],
    merge: Callable[[Sequence[Item], Resolution], None],
    key: Callable[[Item], int],
    outcome: Outcome,
) -> None:
    """Ask the resolver batch by batch (no transaction open meanwhile), merging each batch's
    answers in a transaction of its own; failures are noted by scientific name."""
    for batch in batched(pending, batch_size):
        answers = ask(batch)
        outcome.failed |= {
            item.scientific_name: answers.failures[key(item)]
            for item in batch
            if key(item) in answers.failures
        }
        with db.transaction(conn):
            merge(batch, answers)


def in_metadata(reasons: dict[str, str]) -> dict[str, str]:
    return dict(sorted(reasons.items())[:MAX_IN_METADATA])


def failure(description: str, outcome: Outcome, counts: Counter[str]) -> dg.Failure:
    problems = outcome.failed or outcome.unresolved
    listed = sorted(problems)[:MAX_LISTED]
    more = f" (and {len(problems) - len(listed)} more)" if len(problems) > len(listed) else ""
    return dg.Failure(
        description=f"{description}: {'; '.join(f'{n} ({problems[n]})' for n in listed)}{more}",
        metadata={
            "could_not_ask": dg.MetadataValue.json(in_metadata(outcome.failed)),
            "unresolved": dg.MetadataValue.json(in_metadata(outcome.unresolved)),
            "accepted_unresolved": dg.MetadataValue.json(in_metadata(outcome.accepted)),
            **{k: v for k, v in counts.items()},
        },
    )

"""What a taxonomy resolver answers: reference records for observed names, vernacular names
for reference records. Production resolves through GBIF over HTTP; the demo and the tests
through a checklist file shipped in the repository. Both are Dagster resources.

Records are shaped as production's own resolver (bdqc_taxa, called by refresh_taxa_ref())
writes them, because production's api.taxa reads them: a name's own record (and its accepted
record, for a synonym) carries the match type; the ancestors of the classification carry
none and are marked is_parent, so api.taxa never takes an ancestor for the name.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import dagster as dg
from pydantic import Field

# Production's rank order (bdqc_taxa): 0 for kingdom ... 8 for variety, 9999 when unknown.
RANKS = (
    "kingdom",
    "phylum",
    "class",
    "order",
    "family",
    "genus",
    "species",
    "subspecies",
    "variety",
)
UNKNOWN_RANK_ORDER = 9999


def rank_order(rank: str | None) -> int:
    rank = (rank or "").lower()
    return RANKS.index(rank) if rank in RANKS else UNKNOWN_RANK_ORDER


@dataclass(frozen=True)
class NameQuery:
    """One taxa_obs row to resolve."""

    id_taxa_obs: int
    scientific_name: str
    authorship: str
    rank: str
    parent_scientific_name: str | None

    @property
    def key(self) -> str:
        """What the resolution depends on; a change means the row must be resolved again."""
        return "|".join(
            [self.scientific_name, self.authorship, self.rank, self.parent_scientific_name or ""]
        )

    @property
    def genus(self) -> str:
        """The first word of the name: the genus of a binomial, the name of a uninomial."""
        return self.scientific_name.split()[0] if self.scientific_name.split() else ""


@dataclass(frozen=True)
class RefRecord:
    """One taxa_ref row, as matched for one observed name."""

    source_name: str
    source_id: int
    source_record_id: str
    scientific_name: str
    authorship: str | None
    rank: str
    valid: bool
    valid_srid: str
    classification_srids: tuple[str, ...]
    match_type: str | None
    is_parent: bool

    @property
    def content(self) -> tuple[object, ...]:
        return (
            self.source_id,
            self.scientific_name,
            self.authorship,
            self.rank,
            self.valid,
            self.valid_srid,
            self.classification_srids,
        )


@dataclass(frozen=True)
class Unresolved:
    """A name the resolver could not match (or matched only a near miss of).

    ``fallback`` holds what production would have written anyway (GBIF's HIGHERRANK answer:
    the genus or family the name belongs to); it is only written when the operator accepts
    the unresolved name and the name has no rows yet."""

    reason: str
    fallback: tuple[RefRecord, ...] = ()


@dataclass(frozen=True)
class RefKey:
    """A taxa_ref row whose vernacular names are wanted."""

    id_taxa_ref: int
    source_name: str
    source_record_id: str
    scientific_name: str
    rank: str


@dataclass(frozen=True)
class VernacularRecord:
    source_name: str
    source_record_id: str
    name: str
    language: str  # 'eng' or 'fra', as in production
    rank: str

    @property
    def rank_order(self) -> int:
        return rank_order(self.rank)


K = TypeVar("K")
V = TypeVar("V")


@dataclass
class Resolution(Generic[K, V]):
    """Answers per key. ``unresolved``: asked, but nothing acceptable came back (kept and
    listed); ``failures``: could not be asked (network, server errors), retried next run."""

    found: dict[K, V] = field(default_factory=dict)
    unresolved: dict[K, Unresolved] = field(default_factory=dict)
    failures: dict[K, str] = field(default_factory=dict)


class TaxonomyResolver(dg.ConfigurableResource):
    """Resolves observed names to reference taxa and reference taxa to vernacular names."""

    accept_unresolved: bool = Field(
        default=False,
        description="record names this resolver cannot match as accepted instead of failing "
        "the run (their existing rows are kept either way); a run's own config can also set it",
    )
    min_fuzzy_confidence: int = Field(
        default=90, description="fuzzy answers less confident than this (0-100) are rejected"
    )

    @property
    @abstractmethod
    def resolver_name(self) -> str:
        """Recorded with every resolution, so a change of resolver can be told apart."""

    @property
    @abstractmethod
    def sources(self) -> tuple[str, ...]:
        """The taxa_ref source names this resolver writes; rows of other sources (production's
        VASCAN, CDPNQ, Bryoquel...) are never removed by it."""

    @property
    def offline(self) -> bool:
        """An offline resolver answers from data shipped in the repository: it may only write
        to a replica database (the demo's or the tests'), never to a real atlas."""
        return False

    @abstractmethod
    def match(self, names: Sequence[NameQuery]) -> Resolution[int, list[RefRecord]]:
        """Reference records per id_taxa_obs."""

    @abstractmethod
    def vernacular(self, refs: Sequence[RefKey]) -> Resolution[int, list[VernacularRecord]]:
        """Vernacular names per id_taxa_ref."""


def split_complex(name: str) -> list[str]:
    """``A|B`` names a complex of taxa that observers could not tell apart."""
    return [part.strip() for part in name.split("|") if part.strip()]


def fuzzy_rejection(
    query: NameQuery,
    answer_name: str,
    answer_kingdom: str | None,
    confidence: float,
    min_confidence: int,
    kingdoms_of: Callable[[str], set[str]],
) -> str | None:
    """Why a fuzzy answer must not be taken for ``query`` (None when it may).

    A fuzzy answer fixes a misspelling; it must never move a name to another kingdom. The
    kingdoms the name may belong to are those its genus (first word) is known in exactly, or,
    when the genus itself is unknown (misspelt), those of its parent_scientific_name. With no
    such evidence the answer is rejected. A known genus must also be kept: a fuzzy answer may
    fix an epithet, not swap a genus for a look-alike (how 'Pinus fusca', a plant, became the
    bird 'Spinus fusca'). ``kingdoms_of(name)``: the kingdoms where a name is known exactly."""
    kingdom = answer_kingdom or "no kingdom"
    shown = f"fuzzy match {answer_name!r} ({kingdom}, confidence {confidence:g})"
    if confidence < min_confidence:
        return f"{shown} is below the minimum confidence {min_confidence}"
    genus_kingdoms = kingdoms_of(query.genus)
    expected = genus_kingdoms or kingdoms_of(query.parent_scientific_name or "")
    if not expected:
        return f"{shown} rejected: no kingdom is known for {query.genus!r} to check it against"
    if answer_kingdom not in expected:
        return f"{shown} rejected: it crosses from {_kingdoms(expected)} to {answer_kingdom}"
    answer_genus = answer_name.split()[0] if answer_name.split() else ""
    if genus_kingdoms and answer_genus.lower() != query.genus.lower():
        return f"{shown} rejected: it replaces the known genus {query.genus!r}"
    return None


def parent_rejection(query: NameQuery, lineage_names: Iterable[str]) -> str | None:
    """Why an answer is not under the name's parent_scientific_name (None when it is)."""
    parent = (query.parent_scientific_name or "").strip().lower()
    if not parent or parent in {n.lower() for n in lineage_names}:
        return None
    return f"the match is not under the parent {query.parent_scientific_name!r}"


def _kingdoms(kingdoms: set[str]) -> str:
    return " or ".join(sorted(kingdoms))

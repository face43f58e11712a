"""What a taxonomy resolver answers: reference records for observed names, vernacular names
for reference records. Production resolves through GBIF over HTTP; the demo and the tests
through a checklist file shipped in the repository. Both are Dagster resources."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import dagster as dg

RANK_ORDER = {
    "kingdom": 1,
    "phylum": 2,
    "class": 3,
    "order": 4,
    "family": 5,
    "genus": 6,
    "species": 7,
    "subspecies": 8,
    "variety": 8,
    "form": 8,
}


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
        return RANK_ORDER.get(self.rank, 9999)


K = TypeVar("K")
V = TypeVar("V")


@dataclass
class Resolution(Generic[K, V]):
    """Answers per key; keys in ``failures`` could not be answered (network, server errors)."""

    found: dict[K, V] = field(default_factory=dict)
    failures: dict[K, str] = field(default_factory=dict)


class TaxonomyResolver(dg.ConfigurableResource):
    """Resolves observed names to reference taxa and reference taxa to vernacular names."""

    @property
    @abstractmethod
    def resolver_name(self) -> str:
        """Recorded with every resolution, so a change of resolver can be told apart."""

    @abstractmethod
    def match(self, names: Sequence[NameQuery]) -> Resolution[int, list[RefRecord]]:
        """Reference records per id_taxa_obs; an empty list means the name matched nothing."""

    @abstractmethod
    def vernacular(self, refs: Sequence[RefKey]) -> Resolution[int, list[VernacularRecord]]:
        """Vernacular names per id_taxa_ref."""


def split_complex(name: str) -> list[str]:
    """``A|B`` names a complex of taxa that observers could not tell apart."""
    return [part.strip() for part in name.split("|") if part.strip()]

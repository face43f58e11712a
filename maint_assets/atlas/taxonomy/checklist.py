"""The offline resolver: a checklist CSV (taxon_id, scientific_name, authorship, rank,
parent_id, accepted_id, vernacular_fr, vernacular_en) shipped in the repository."""

from __future__ import annotations

import csv
import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pydantic import Field

from maint_assets.atlas.taxonomy.resolver import (
    NameQuery,
    RefKey,
    RefRecord,
    Resolution,
    TaxonomyResolver,
    VernacularRecord,
    split_complex,
)

DEFAULT_CHECKLIST = Path(__file__).resolve().parents[1] / "data" / "checklist.csv"
SOURCE_NAME = "Offline checklist"
SOURCE_ID = 1000


@dataclass(frozen=True)
class Taxon:
    taxon_id: str
    scientific_name: str
    authorship: str
    rank: str
    parent_id: str
    accepted_id: str
    vernacular_fr: str
    vernacular_en: str


class Checklist:
    def __init__(self, path: Path):
        with path.open(newline="") as fh:
            rows = [Taxon(**row) for row in csv.DictReader(fh)]
        self.by_id = {t.taxon_id: t for t in rows}
        self.by_name: dict[str, list[Taxon]] = {}
        for t in rows:
            self.by_name.setdefault(_normal(t.scientific_name), []).append(t)
        self.names = list(self.by_name)

    def lineage(self, taxon: Taxon) -> list[Taxon]:
        """Ancestors from the kingdom down to, and including, ``taxon``."""
        chain = [taxon]
        while chain[-1].parent_id:
            chain.append(self.by_id[chain[-1].parent_id])
        return chain[::-1]

    def find(self, name: str, parent: str | None) -> tuple[Taxon, str] | None:
        candidates = self.by_name.get(_normal(name))
        match_type = "exact"
        if not candidates:
            close = difflib.get_close_matches(_normal(name), self.names, n=1, cutoff=0.92)
            if not close:
                return None
            candidates, match_type = self.by_name[close[0]], "fuzzy"
        if parent and len(candidates) > 1:
            under_parent = [
                c
                for c in candidates
                if any(_normal(a.scientific_name) == _normal(parent) for a in self.lineage(c))
            ]
            candidates = under_parent or candidates
        return candidates[0], match_type


class ChecklistResolver(TaxonomyResolver):
    """Resolves names against a checklist file; no network, so it never fails transiently."""

    path: str = Field(default=str(DEFAULT_CHECKLIST), description="checklist CSV file")

    @property
    def resolver_name(self) -> str:
        return f"checklist:{Path(self.path).name}"

    @cached_property
    def _checklist(self) -> Checklist:
        return Checklist(Path(self.path))

    def match(self, names: Sequence[NameQuery]) -> Resolution[int, list[RefRecord]]:
        out: Resolution[int, list[RefRecord]] = Resolution()
        for query in names:
            parts = split_complex(query.scientific_name)
            if len(parts) > 1:
                out.found[query.id_taxa_obs] = self._match_complex(parts)
            else:
                out.found[query.id_taxa_obs] = self._match_one(
                    query.scientific_name, query.parent_scientific_name
                )
        return out

    def vernacular(self, refs: Sequence[RefKey]) -> Resolution[int, list[VernacularRecord]]:
        out: Resolution[int, list[VernacularRecord]] = Resolution()
        for ref in refs:
            taxon = self._checklist.by_id.get(ref.source_record_id)
            if ref.source_name != SOURCE_NAME or taxon is None:
                out.found[ref.id_taxa_ref] = []
                continue
            out.found[ref.id_taxa_ref] = [
                VernacularRecord(SOURCE_NAME, taxon.taxon_id, name, language, taxon.rank)
                for name, language in ((taxon.vernacular_fr, "fra"), (taxon.vernacular_en, "eng"))
                if name
            ]
        return out

    def _match_one(self, name: str, parent: str | None) -> list[RefRecord]:
        found = self._checklist.find(name, parent)
        if found is None:
            return []
        taxon, match_type = found
        accepted = self._checklist.by_id[taxon.accepted_id] if taxon.accepted_id else taxon
        lineage = self._checklist.lineage(accepted)
        records = [
            self._record(t, lineage, match_type, is_parent=t is not accepted) for t in lineage
        ]
        if taxon is not accepted:
            records.append(
                self._record(
                    taxon, lineage, match_type, is_parent=False, valid_srid=accepted.taxon_id
                )
            )
        return records

    def _match_complex(self, parts: list[str]) -> list[RefRecord]:
        lineages = []
        records: list[RefRecord] = []
        for part in parts:
            found = self._checklist.find(part, None)
            if found is None:
                continue
            taxon = found[0]
            accepted = self._checklist.by_id[taxon.accepted_id] if taxon.accepted_id else taxon
            lineage = self._checklist.lineage(accepted)
            lineages.append(lineage)
            records.append(self._record(accepted, lineage, "complex", is_parent=False))
        if not lineages:
            return []
        shared = [a for a in lineages[0] if all(a in other for other in lineages[1:])]
        closest = shared[-1]
        records.append(self._record(closest, shared, "complex_closest_parent", is_parent=False))
        records += [
            self._record(a, shared, "complex_closest_parent", is_parent=True) for a in shared[:-1]
        ]
        return records

    def _record(
        self,
        taxon: Taxon,
        lineage: list[Taxon],
        match_type: str,
        is_parent: bool,
        valid_srid: str | None = None,
    ) -> RefRecord:
        upto = lineage[: lineage.index(taxon) + 1] if taxon in lineage else lineage
        return RefRecord(
            source_name=SOURCE_NAME,
            source_id=SOURCE_ID,
            source_record_id=taxon.taxon_id,
            scientific_name=taxon.scientific_name,
            authorship=taxon.authorship or None,
            rank=taxon.rank,
            valid=valid_srid is None,
            valid_srid=valid_srid or taxon.taxon_id,
            classification_srids=tuple(t.taxon_id for t in upto),
            match_type=match_type,
            is_parent=is_parent,
        )


def _normal(name: str) -> str:
    return " ".join(name.lower().split())

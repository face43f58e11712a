"""The offline resolver of the demo and the tests: a checklist CSV (taxon_id, scientific_name,
authorship, rank, parent_id, accepted_id, vernacular_fr, vernacular_en) shipped in the
repository. Its taxa are partly invented, so it may only write to a replica database (see
``TaxonomyResolver.offline``); its answers follow the GBIF resolver's rules."""

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
    Unresolved,
    VernacularRecord,
    fuzzy_rejection,
    parent_rejection,
    split_complex,
)

DEFAULT_CHECKLIST = Path(__file__).resolve().parents[1] / "data" / "checklist.csv"
SOURCE_NAME = "Offline checklist"
SOURCE_ID = 1000
# difflib's similarity ratio below which two names are not even compared as a near miss.
FUZZY_CUTOFF = 0.8


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
    def __init__(self, path: Path) -> None:
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

    def accepted(self, taxon: Taxon) -> Taxon:
        return self.by_id[taxon.accepted_id] if taxon.accepted_id else taxon

    def kingdoms(self, name: str) -> set[str]:
        return {
            self.lineage(self.accepted(t))[0].scientific_name
            for t in self.by_name.get(_normal(name), [])
        }


class ChecklistResolver(TaxonomyResolver):
    """Resolves names against a checklist file; no network, so it never fails transiently."""

    path: str = Field(default=str(DEFAULT_CHECKLIST), description="checklist CSV file")

    @property
    def resolver_name(self) -> str:
        return f"checklist:{Path(self.path).name}"

    @property
    def sources(self) -> tuple[str, ...]:
        return (SOURCE_NAME,)

    @property
    def offline(self) -> bool:
        return True

    @cached_property
    def _checklist(self) -> Checklist:
        return Checklist(Path(self.path))

    def match(self, names: Sequence[NameQuery]) -> Resolution[int, list[RefRecord]]:
        out: Resolution[int, list[RefRecord]] = Resolution()
        for query in names:
            parts = split_complex(query.scientific_name)
            try:
                if len(parts) > 1:
                    out.found[query.id_taxa_obs] = self._match_complex(query, parts)
                else:
                    taxon, match_type = self._find(query)
                    out.found[query.id_taxa_obs] = self._records(taxon, match_type)
            except _NotFound as err:
                out.unresolved[query.id_taxa_obs] = Unresolved(str(err))
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

    def _find(self, query: NameQuery) -> tuple[Taxon, str]:
        checklist = self._checklist
        candidates = checklist.by_name.get(_normal(query.scientific_name), [])
        match_type = "exact"
        if not candidates:
            candidates, match_type = self._fuzzy(query), "fuzzy"
        if query.parent_scientific_name:
            candidates = [
                c
                for c in candidates
                if not parent_rejection(
                    query, [a.scientific_name for a in checklist.lineage(checklist.accepted(c))]
                )
            ]
            if not candidates:
                raise _NotFound(f"no match under the parent {query.parent_scientific_name!r}")
        if len({checklist.accepted(c).taxon_id for c in candidates}) > 1:
            raise _NotFound(f"multiple equal matches for {query.scientific_name!r}")
        return candidates[0], match_type

    def _fuzzy(self, query: NameQuery) -> list[Taxon]:
        checklist = self._checklist
        name = _normal(query.scientific_name)
        close = difflib.get_close_matches(name, checklist.names, n=5, cutoff=FUZZY_CUTOFF)
        if not close:
            raise _NotFound("no match in the checklist")
        reasons = []
        for near in close:  # the closest name that passes the near-miss rules
            candidate = checklist.by_name[near][0]
            reason = fuzzy_rejection(
                query,
                candidate.scientific_name,
                checklist.lineage(checklist.accepted(candidate))[0].scientific_name,
                round(difflib.SequenceMatcher(None, name, near).ratio() * 100),
                self.min_fuzzy_confidence,
                checklist.kingdoms,
            )
            if reason is None:
                return checklist.by_name[near]
            reasons.append(reason)
        raise _NotFound(reasons[0])

    def _records(self, taxon: Taxon, match_type: str) -> list[RefRecord]:
        """As production writes a match: ancestors without a match type, the accepted taxon
        and (for a synonym) the name's own record with it."""
        accepted = self._checklist.accepted(taxon)
        lineage = self._checklist.lineage(accepted)
        records = [self._record(t, lineage, None, is_parent=True) for t in lineage[:-1]]
        records.append(self._record(accepted, lineage, match_type, is_parent=False))
        if taxon is not accepted:
            records.append(
                self._record(
                    taxon, lineage, match_type, is_parent=False, valid_srid=accepted.taxon_id
                )
            )
        return records

    def _match_complex(self, query: NameQuery, parts: list[str]) -> list[RefRecord]:
        """Members 'complex', their closest shared ancestor 'complex_closest_parent', the
        ancestors above it without a match type (as production writes a complex)."""
        lineages = []
        for part in parts:
            try:
                taxon, _ = self._find(NameQuery(query.id_taxa_obs, part, "", "", None))
            except _NotFound as err:
                raise _NotFound(f"complex member {part!r}: {err}") from None
            lineages.append(self._checklist.lineage(self._checklist.accepted(taxon)))
        shared = [a for a in lineages[0][:-1] if all(a in other[:-1] for other in lineages[1:])]
        records: dict[str, RefRecord] = {}
        for lineage in lineages:
            for t in lineage:
                if t is lineage[-1]:
                    match_type, is_parent = "complex", False
                elif t in shared:
                    match_type = "complex_closest_parent" if t is shared[-1] else None
                    is_parent = True
                else:
                    match_type, is_parent = "complex", True
                records.setdefault(t.taxon_id, self._record(t, lineage, match_type, is_parent))
        return list(records.values())

    def _record(
        self,
        taxon: Taxon,
        lineage: list[Taxon],
        match_type: str | None,
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


class _NotFound(Exception):
    pass


def _normal(name: str) -> str:
    return " ".join(name.lower().split())

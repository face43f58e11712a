"""The production resolver: GBIF's species match and vernacular-name web services.

Requests are rate limited, retried and cached (gbif_http.py). A name whose requests keep
failing is reported as a failure, not guessed; after several consecutive failures the service
is taken to be down and the remaining names are reported as not attempted, so a run fails
quickly.

What GBIF's answer (/v1/species/match, matchType EXACT, FUZZY, HIGHERRANK or NONE) becomes:
EXACT is taken; FUZZY only under the near-miss rules of ``fuzzy_rejection`` (confidence,
kingdom, genus); HIGHERRANK (only a genus or family of the name is known) and NONE leave the
name unresolved. When GBIF cannot choose between homonyms (NONE, "Multiple equal matches"),
the name's parent_scientific_name picks among its exact alternatives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

from pydantic import Field

from maint_assets.atlas.taxonomy.gbif_http import GbifClient, GbifUnavailable
from maint_assets.atlas.taxonomy.resolver import (
    RANKS,
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
from maint_assets.atlas.taxonomy.vernacular_names import capitalised

# The rules that turn GBIF's answers into rows, raised when they change what an answer
# becomes: the resolver (its name and rules) is recorded with every resolution, so the names
# resolved under older rules are resolved again once, without a full refresh. 2 (session 34):
# a synonym's ancestors are its accepted taxon's, the species of a subspecies included.
RULES = 2
SOURCE_NAME = "GBIF Backbone Taxonomy"
SOURCE_ID = 11
# The ranks GBIF's match answer gives a key and a name for.
LINEAGE_RANKS = ("kingdom", "phylum", "class", "order", "family", "genus", "species")
LANGUAGES = ("eng", "fra")
# Every page is read, as production reads them; this only stops a server that never says
# endOfRecords (100,000 names, far more than any taxon has).
MAX_VERNACULAR_PAGES = 1000


class NotTaken(Exception):
    """GBIF answered, but not with something that may be written for the name."""

    def __init__(self, reason: str, fallback: tuple[RefRecord, ...] = ()) -> None:
        super().__init__(reason)
        self.unresolved = Unresolved(reason, fallback)


class GbifResolver(TaxonomyResolver):
    """GBIF Backbone Taxonomy over HTTP."""

    base_url: str = Field(default="https://api.gbif.org/v1")
    requests_per_second: float = Field(default=8.0, description="client-side rate limit")
    max_attempts: int = Field(default=4, description="tries per request, first one included")
    backoff_s: float = Field(default=1.0, description="first retry delay, doubled each time")
    timeout_s: float = Field(default=30.0)
    give_up_after: int = Field(default=5, description="consecutive failed names before stopping")
    cache_path: str | None = Field(default=None, description="SQLite response cache file")
    cache_ttl_days: float = Field(default=30.0)

    @property
    def resolver_name(self) -> str:
        return f"gbif:{self.base_url} (rules {RULES})"

    @property
    def sources(self) -> tuple[str, ...]:
        return (SOURCE_NAME,)

    def match(self, names: Sequence[NameQuery]) -> Resolution[int, list[RefRecord]]:
        return self._each(names, lambda q: q.id_taxa_obs, self._match_query)

    def vernacular(self, refs: Sequence[RefKey]) -> Resolution[int, list[VernacularRecord]]:
        return self._each(refs, lambda r: r.id_taxa_ref, self._vernacular_names)

    @cached_property
    def _client(self) -> GbifClient:
        return GbifClient(
            self.base_url,
            self.requests_per_second,
            self.max_attempts,
            self.backoff_s,
            self.timeout_s,
            self.cache_path,
            self.cache_ttl_days,
        )

    # -- per item ------------------------------------------------------------------------------
    def _each(self, items: Sequence, key_of: Callable, resolve_one: Callable) -> Resolution:
        out: Resolution = Resolution()
        consecutive = 0
        for item in items:
            if consecutive >= self.give_up_after:
                out.failures[key_of(item)] = (
                    f"not attempted: GBIF failed {consecutive} times in a row"
                )
                continue
            try:
                out.found[key_of(item)] = resolve_one(item)
                consecutive = 0
            except NotTaken as err:
                out.unresolved[key_of(item)] = err.unresolved
                consecutive = 0
            except GbifUnavailable as err:
                out.failures[key_of(item)] = str(err)
                consecutive += 1
        return out

    def _match_query(self, query: NameQuery) -> list[RefRecord]:
        parts = split_complex(query.scientific_name)
        if len(parts) > 1:
            return self._match_complex(query, parts)
        found = self._accepted_answer(query, self._ask(query))
        return self._records(found, found["matchType"].lower())

    def _ask(self, query: NameQuery) -> dict[str, Any]:
        # As production asks: the name followed by its authorship, which helps GBIF choose.
        name = " ".join(p for p in (query.scientific_name, query.authorship) if p)
        params = {"name": name, "verbose": "true", "strict": "false"}
        if query.rank.lower() in RANKS:
            params["rank"] = query.rank.upper()
        return self._client.get("/species/match", params)

    def _accepted_answer(self, query: NameQuery, found: dict[str, Any]) -> dict[str, Any]:
        kind = found.get("matchType", "NONE")
        if kind == "NONE":
            found = self._homonym_under_parent(query, found)
            kind = found["matchType"]
        if kind == "HIGHERRANK":
            raise NotTaken(
                f"GBIF knows only the {str(found.get('rank', '')).lower()} "
                f"{found.get('canonicalName')!r} of this name (HIGHERRANK)",
                tuple(self._records(found, "higherrank", own_is_parent=True)),
            )
        if kind not in ("EXACT", "FUZZY") or "usageKey" not in found:
            raise NotTaken(f"GBIF has no match ({kind}{_note(found)})")
        if kind == "FUZZY":
            reason = fuzzy_rejection(
                query,
                str(found.get("canonicalName", "")),
                found.get("kingdom"),
                float(found.get("confidence", 0)),
                self.min_fuzzy_confidence,
                self._kingdoms_of,
            )
            if reason:
                raise NotTaken(f"GBIF {reason}")
        reason = parent_rejection(query, [found.get(r, "") for r in LINEAGE_RANKS])
        if reason:
            raise NotTaken(f"GBIF's {found.get('canonicalName')!r}: {reason}")
        return found

    def _homonym_under_parent(self, query: NameQuery, found: dict[str, Any]) -> dict[str, Any]:
        """GBIF answers NONE when equal matches sit in several places of the tree ("Multiple
        equal matches"); the one exact alternative under the name's parent is the name."""
        parent = (query.parent_scientific_name or "").lower()
        under = [
            alt
            for alt in found.get("alternatives", [])
            if alt.get("matchType") == "EXACT"
            and parent
            and parent in {str(alt.get(r, "")).lower() for r in LINEAGE_RANKS}
        ]
        if len(under) == 1:
            return under[0]
        raise NotTaken(f"GBIF has no match ({found.get('matchType', 'NONE')}{_note(found)})")

    def _kingdoms_of(self, name: str) -> set[str]:
        """Kingdoms where GBIF knows ``name`` exactly (several for homonyms)."""
        if not name:
            return set()
        found = self._client.get(
            "/species/match", {"name": name, "verbose": "true", "strict": "true"}
        )
        answers = [found, *found.get("alternatives", [])]
        return {a["kingdom"] for a in answers if a.get("matchType") == "EXACT" and a.get("kingdom")}

    def _match_complex(self, query: NameQuery, parts: list[str]) -> list[RefRecord]:
        """A complex ``A|B`` as production writes it: each member 'complex', their closest
        shared ancestor 'complex_closest_parent', ancestors above it without a match type."""
        matched = []
        for part in parts:
            # The complex's parent is each member's: it places a member among homonyms (and
            # refuses a member matched elsewhere), as it does a single name.
            member = NameQuery(query.id_taxa_obs, part, "", "", query.parent_scientific_name)
            try:
                matched.append(self._accepted_answer(member, self._ask(member)))
            except NotTaken as err:
                raise NotTaken(f"complex member {part!r}: {err}") from None
        records: dict[str, RefRecord] = {}
        shared = [
            rank
            for rank in LINEAGE_RANKS
            if all(m.get(f"{rank}Key") == matched[0].get(f"{rank}Key") for m in matched)
            and matched[0].get(f"{rank}Key") is not None
        ]
        shared = [r for r in shared if all(m.get("rank", "").lower() != r for m in matched)]
        for m in matched:
            for r in self._records(m, "complex"):
                if r.is_parent and r.rank in shared:
                    closest = r.rank == shared[-1]
                    r = _with(r, "complex_closest_parent" if closest else None)
                records.setdefault(r.source_record_id, r)
        return list(records.values())

    def _records(
        self, found: dict[str, Any], match_type: str, own_is_parent: bool = False
    ) -> list[RefRecord]:
        """taxa_ref rows for one GBIF answer: ancestors first, then the accepted taxon (for a
        synonym), then the matched usage itself."""
        rank = str(found.get("rank", "")).lower()
        usage = str(found["usageKey"])
        accepted = str(found.get("acceptedUsageKey") or usage)
        # The answer's classification is the accepted taxon's: its ancestors are the keys that
        # are neither the usage nor the accepted taxon. Not "the ranks above the usage's rank":
        # a species synonym of a subspecies has the subspecies' species as an ancestor, which
        # production (bdqc_taxa, from the accepted record) writes and groups and search need.
        lineage = [
            r
            for r in LINEAGE_RANKS
            if found.get(f"{r}Key") is not None and str(found[f"{r}Key"]) not in (usage, accepted)
        ]
        keys = [str(found[f"{r}Key"]) for r in lineage]
        records = [
            RefRecord(
                SOURCE_NAME,
                SOURCE_ID,
                keys[i],
                str(found[r]),
                None,
                r,
                True,
                keys[i],
                tuple(keys[: i + 1]),
                None,
                True,
            )
            for i, r in enumerate(lineage)
            if found.get(r)
        ]
        if match_type == "complex":
            records = [_with(r, "complex") for r in records]
        classification = _classification(found, rank, accepted)
        if accepted != usage:
            detail = self._client.get(f"/species/{accepted}", {})
            if not detail.get("canonicalName"):
                raise NotTaken(f"GBIF's accepted record {accepted} has no canonical name")
            records.append(
                RefRecord(
                    SOURCE_NAME,
                    SOURCE_ID,
                    accepted,
                    detail["canonicalName"],
                    _authorship(detail.get("authorship")),
                    str(detail.get("rank", rank)).lower(),
                    True,
                    accepted,
                    classification,
                    match_type,
                    own_is_parent,
                )
            )
        canonical = found.get("canonicalName") or ""
        if not canonical:
            raise NotTaken(f"GBIF's record {usage} has no canonical name")
        records.append(
            RefRecord(
                SOURCE_NAME,
                SOURCE_ID,
                usage,
                canonical,
                self._usage_authorship(usage, canonical, str(found.get("scientificName", ""))),
                rank,
                accepted == usage,
                accepted,
                classification,
                match_type,
                own_is_parent,
            )
        )
        return records

    def _usage_authorship(self, usage: str, canonical: str, scientific_name: str) -> str:
        """The match answer has no authorship field. Where the scientific name is the canonical
        name followed by the authorship, the rest of it is the authorship; where it is not
        (GBIF's canonical name drops the rank marker of a variety, subspecies or form and the
        hybrid sign, and an autonym's authorship sits mid-name), the record's own authorship,
        which production stores, is asked for rather than guessed."""
        if scientific_name == canonical or scientific_name.startswith(canonical + " "):
            return _authorship(scientific_name[len(canonical) :])
        detail = self._client.get(f"/species/{usage}", {})
        return _authorship(detail.get("authorship"))

    def _vernacular_names(self, ref: RefKey) -> list[VernacularRecord]:
        """Every French and English name GBIF's sources give for the taxon, as production
        stores them (bdqc_taxa's Vernacular.from_gbif through refresh_taxa_vernacular()):
        under the source (dataset) and that source's own key of the taxon, capitalised as
        production capitalises them, and one name per (source, source key, language), the
        first GBIF lists (production's insert keeps the first and skips the rest)."""
        if ref.source_name != SOURCE_NAME:
            return []
        path = f"/species/{ref.source_record_id}/vernacularNames"
        results: list[dict[str, Any]] = []
        # A name left on a page not read would be taken for gone, so an answer that cannot be
        # read to its end is no answer (retried next run).
        for page in range(MAX_VERNACULAR_PAGES):
            found = self._client.get(path, {"limit": "100", "offset": str(page * 100)})
            results += found.get("results", [])
            if found.get("endOfRecords", True):
                break
            if not found.get("results"):
                raise GbifUnavailable(
                    f"GET {path}: page {page + 1} is empty but not the last, the answer is "
                    "incomplete"
                )
        else:
            raise GbifUnavailable(
                f"GET {path}: more than {MAX_VERNACULAR_PAGES} pages, the answer is incomplete"
            )
        out: dict[tuple[str, str, str], VernacularRecord] = {}
        for r in results:
            # GBIF gives every name its source and source key; one without either (or without
            # a name) cannot be stored, and is left out rather than given an invented source.
            # (Production's insert fails on it, losing the taxon's other names too.)
            if r.get("language") not in LANGUAGES or not r.get("vernacularName"):
                continue
            if not r.get("source") or r.get("sourceTaxonKey") is None:
                continue
            source, source_key = str(r["source"]), str(r["sourceTaxonKey"])
            key = (source, source_key, r["language"])
            if key not in out:
                name = capitalised(r["vernacularName"])
                out[key] = VernacularRecord(source, source_key, name, r["language"], ref.rank)
        return list(out.values())


def _classification(found: dict[str, Any], rank: str, accepted: str) -> tuple[str, ...]:
    """classification_srids as production stores them: the keys GBIF gives for the ranks of
    its classification (kingdom to species). A variety or subspecies has no such key of its own,
    so its list ends with its species; the accepted key is only added when GBIF left out the
    key of the record's own rank."""
    keys = tuple(str(found[f"{r}Key"]) for r in LINEAGE_RANKS if found.get(f"{r}Key") is not None)
    if rank in LINEAGE_RANKS and found.get(f"{rank}Key") is None:
        keys = (*keys, accepted)
    return keys


def _with(record: RefRecord, match_type: str | None) -> RefRecord:
    return RefRecord(**{**record.__dict__, "match_type": match_type})


def _authorship(text: str | None) -> str:
    """Production's convention (bdqc_taxa's strip_authorship): surrounding whitespace and one
    enclosing pair of brackets removed ("(Linnaeus, 1766)" is stored as "Linnaeus, 1766").
    A record without authorship is stored as '' (GBIF's record says "authorship": "" and
    production keeps it as it comes), never NULL: NULL is what production writes only for
    ancestors, which carry no authorship at all."""
    text = (text or "").strip()
    if text.startswith("(") and text.endswith(")") and text.count("(") <= 1:
        text = text[1:-1]
    return text


def _note(found: dict[str, Any]) -> str:
    return f": {found['note']}" if found.get("note") else ""

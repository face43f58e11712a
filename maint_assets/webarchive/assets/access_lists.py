"""Access lists and annotations from the W3ACT database, published together.

- ``allows.aclj`` (pywb, ``acl_paths`` with ``default_access: block``): an allow rule for every
  seed of an open target (licensed, crawled, visible), a block rule for every seed of a
  NEVERCRAWL target, keyed by access_rules; an allow rule that a block rule covers (the same
  key, or a longer one under a block prefix) is written as a block; reverse byte order (in
  any other order pywb misses rules silently). A NEVERCRAWL seed no rule can hold fails the
  run, naming it: published without it, the take-down would be served.
- ``allows.txt`` (webarchive-discovery, Heritrix SURT prefixes): what the allow rules open (a
  seed whose every rule is blocked opens nothing).
- ``annotations.json`` (webarchive-discovery's ``Annotations``): per scope and seed, its
  published collections (``parent|child`` names) and subjects, and ``collectionDateRanges``
  for every published collection (without a range webarchive-discovery applies no collection).

The three files are written into a new version directory and made current by one rename of
the symlink ``publish_dir``: readers see the old three or the new three, never a mix, and a
failure leaves the old ones current.
"""

import json
import os
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dagster as dg
from pydantic import Field

from maint_assets.core.artifact_steps import put_artifact
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.automation import DAILY_FRESHNESS
from maint_assets.core.paths import STATE_DIR
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement
from maint_assets.webarchive.access_rules import (
    EXACT,
    SCOPES,
    UnusableSeed,
    as_open,
    bare_twitter,
    block_rule,
    blocking,
    grant,
    platform_wide,
    w3act_drops_target,
)
from maint_assets.webarchive.java_uri import java_uri_accepts
from maint_assets.webarchive.keys import (
    ACCESS_LISTS,
    ACCESS_LISTS_FOLDER,
    GROUP_WEBARCHIVE,
    OWNERS,
    POOL_W3ACT_DB,
    SQL_ACCESS_LISTS,
)

VERSIONS_KEPT = 3


class AccessListsConfig(dg.Config):
    publish_dir: str = Field(
        default="",
        description="where pywb reads allows.aclj (its acl_paths) and the indexer allows.txt "
        "and annotations.json; a symlink to the current version directory (empty: "
        "WEBARCHIVE_ACL_DIR when the run starts, else .maint/webarchive/acl)",
    )

    def directory(self) -> Path:
        default = str(STATE_DIR / "webarchive" / "acl")
        return Path(self.publish_dir or dg.EnvVar("WEBARCHIVE_ACL_DIR").get_value(default))


class TakeDownsNotKeyed(Exception):
    """NEVERCRAWL seeds no rule can hold: lists without them would serve what they take
    down, so none are published."""

    def __init__(self, seeds: list[str]) -> None:
        super().__init__("; ".join(seeds))
        self.seeds = seeds


def render(
    open_seeds: list[tuple], blocked_seeds: list[tuple], collections: list[tuple],
    collection_seeds: list[tuple], subjects: list[tuple],
) -> tuple[dict[str, str], list[str], list[str]]:
    """The three files' contents, the open seeds that could not be used (and why), and the
    take-downs that block a whole platform (``platform_wide``). Raises TakeDownsNotKeyed,
    naming them, if a NEVERCRAWL seed cannot be keyed."""
    skipped: list[str] = []
    platforms: list[str] = []
    not_keyed: list[str] = []
    rules: dict[str, tuple[str, str]] = {}
    prefixes: set[str] = set()
    blocks = Blocks()
    # python-w3act (load_csv) drops a target with a bare Twitter seed from every list it
    # builds, its other seeds too; production opens none of them. Its own pattern decides
    # (w3act_drops_target): a seed only our broader bare_twitter names
    # (twitter.com/BBCNews?lang=en&s=09, twitter.com/BBCNews#tweets) is left out alone.
    invalid = {target for target, _, url in open_seeds if w3act_drops_target(url)}
    for access, seeds in (("block", blocked_seeds), ("allow", open_seeds)):
        for target, scope, url in seeds:
            if access == "block" and scope not in SCOPES:
                # A legacy target with no scope (NULL or empty in W3ACT) is still blocked: as
                # root, W3ACT's default scope (Target.setDefaultValues); left out, whatever of
                # it lies inside an open target would be served.
                scope = "root"
            if access == "allow" and bare_twitter(url):
                # Its licence is one account's; the prefix would open other people's accounts.
                skipped.append(f"target {target} seed {url!r}: a bare Twitter URL (python-w3act "
                               "refuses it too): opening it would open other accounts")
                continue
            if access == "allow" and target in invalid:
                skipped.append(f"target {target} seed {url!r}: its target has a bare Twitter "
                               "seed (python-w3act leaves the whole target out)")
                continue
            try:
                rule = block_rule(url, scope) if access == "block" else grant(*as_open(url, scope))
            except UnusableSeed as err:
                # A take-down left out would be served; a row without a URL names nothing.
                (not_keyed if access == "block" and (url or "").strip() else skipped).append(
                    f"target {target} seed {url!r}: {err}")
                continue
            if access == "block":
                if suffix := platform_wide(rule.pywb):
                    platforms.append(f"target {target} seed {url!r}: blocks every site under "
                                     f"{suffix}, a suffix the public suffix list gives a "
                                     "platform's many owners")
                widened = blocking(rule.pywb)
                rules.update((key, ("block", url)) for key in [*widened, *rule.snapshots])
                blocks.query_paths.update(
                    w for k, w in zip(rule.pywb, widened, strict=True) if k != w
                )
                # What the seed itself covers: an open seed beside it under the same path
                # (page?id=7 beside a blocked page?id=1) keeps its longer allow rule.
                blocks.add([*rule.pywb, *rule.snapshots], url)
                continue
            # A block wins over an allow, also over one inside it: pywb applies the longest
            # rule, so an open target inside a NEVERCRAWL one would reopen what it blocks.
            # An open seed under a query block's path (``page?a=0`` beside a blocked
            # ``page?id=1``) is opened exactly: as a prefix it would reopen ``page?a=0&id=1``,
            # the blocked page with one more argument that sorts first.
            keys = [key + EXACT if not key.endswith(EXACT) and blocks.under_query_block(key)
                    else key for key in rule.pywb]
            blocked = {key: blocks.covering(key) for key in keys}
            for key, by in blocked.items():
                rules.setdefault(key, ("allow", url) if by is None else ("block", by))
            if any(by is None for by in blocked.values()):
                prefixes.update(rule.heritrix)
    if not_keyed:
        raise TakeDownsNotKeyed(not_keyed)
    aclj = sorted(
        (f"{key} - {json.dumps({'access': access, 'url': url})}\n"
         for key, (access, url) in rules.items()),
        reverse=True,
    )
    return {
        "allows.aclj": "".join(aclj),
        "allows.txt": "".join(f"{p}\n" for p in sorted(prefixes)),
        "annotations.json": json.dumps(
            _annotations(collections, collection_seeds, subjects, skipped), indent=1,
            sort_keys=True
        ) + "\n",
    }, skipped, platforms


class Blocks:
    """The block rules so far, to find the one pywb would apply to a key's URLs before it: an
    exact rule to that key alone, a prefix to every key starting with it."""

    def __init__(self) -> None:
        self.exact: dict[str, str] = {}
        self.prefixes: dict[str, str] = {}
        self.query_paths: set[str] = set()  # the ``path?`` keys of blocked seeds with a query

    def under_query_block(self, key: str) -> bool:
        return any(key.startswith(path) for path in self.query_paths)

    def add(self, keys: list[str], url: str) -> None:
        for key in keys:
            (self.exact if key.endswith(EXACT) else self.prefixes)[key] = url

    def covering(self, key: str) -> str | None:
        """The seed URL of a block rule that covers ``key``, if any."""
        if key in self.exact:
            return self.exact[key]
        base = key.removesuffix(EXACT)
        for end in range(len(base), 0, -1):
            if base[:end] in self.prefixes:
                return self.prefixes[base[:end]]
        return None


def _annotations(
    collections: list[tuple], collection_seeds: list[tuple], subjects: list[tuple],
    skipped: list[str],
) -> dict:
    """webarchive-discovery's annotations; a subdomains seed its Annotator cannot parse is
    left out, the reason added to ``skipped`` (``java_uri``: one such key failed the indexing
    of every record)."""
    names = {cid: name for cid, name, _, _ in collections}
    subjects_of: dict[int, list[str]] = {}
    for target, name in subjects:
        subjects_of.setdefault(target, []).append(name)
    by_scope: dict[str, dict] = {scope: {} for scope in SCOPES}
    for cid, target, scope, url in sorted(collection_seeds, key=lambda r: names.get(r[0], "")):
        if cid not in names or scope not in by_scope or url is None:
            continue
        if scope == "subdomains":
            url = _ascii_host(url)
            if not java_uri_accepts(url):
                reason = (f"target {target} seed {url!r}: left out of annotations.json, whose "
                          "indexer (java.net.URI) cannot parse it and would fail every record")
                if reason not in skipped:
                    skipped.append(reason)
                continue
        entry = by_scope[scope].setdefault(url, {
            "collection": names[cid], "collections": [], "subject": subjects_of.get(target, []),
        })
        if names[cid] not in entry["collections"]:
            entry["collections"].append(names[cid])
    return {
        "collections": by_scope,
        "collectionDateRanges": {
            name: {"start": _jackson_date(start), "end": _jackson_date(end)}
            for _, name, start, end in collections
        },
    }


def _ascii_host(url: str) -> str:
    """``url`` with its host lowercased and in IDNA (``Café.example.org`` ->
    ``xn--caf-dma.example.org``): the Annotator matches a subdomains seed by ``URI.getHost()``,
    which is null for a host with other characters (the key then never matches), against the
    record's host, lowercased and in IDNA as the crawler fetched it. A URL that cannot be
    read so is returned as it is, for ``java_uri_accepts`` to judge."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if not host or "*" in host or "[" in parts.netloc:
            return url
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return url
    userinfo, at, hostport = parts.netloc.rpartition("@")
    _, colon, port = hostport.rpartition(":")
    netloc = userinfo + at + ascii_host + (colon + port if colon else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _jackson_date(value: datetime | None) -> str | None:
    """A date Jackson's default format reads into webarchive-discovery's DateRange (no date:
    null, which it reads as "from 1970" or "until 9999")."""
    if value is None:
        return None
    value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def publish(publish_dir: Path, files: dict[str, str]) -> Path:
    """Write ``files`` into a new version directory and switch the symlink ``publish_dir`` to it
    with one rename; returns the version directory."""
    parent = publish_dir.parent
    versions = parent / f".{publish_dir.name}.versions"
    version = versions / f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    version.mkdir(parents=True)
    for name, content in files.items():
        with (version / name).open("w") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
    link = parent / f".{publish_dir.name}.{uuid.uuid4().hex}.link"
    os.symlink(os.path.relpath(version, parent), link)
    if publish_dir.is_dir() and not publish_dir.is_symlink():
        # A plain directory from before: kept as the oldest version.
        os.rename(publish_dir, versions / "0-before-versions")
    os.replace(link, publish_dir)
    older = sorted(p for p in versions.iterdir() if p != version)
    for old in older[: max(0, len(older) - (VERSIONS_KEPT - 1))]:
        for member in old.iterdir():
            member.unlink()
        old.rmdir()
    return version


@dg.asset(
    key=ACCESS_LISTS,
    group_name=GROUP_WEBARCHIVE,
    owners=OWNERS,
    freshness_policy=DAILY_FRESHNESS,
    pool=POOL_W3ACT_DB,
    kinds={"pywb"},
    description="allows.aclj (allow and block rules), allows.txt and annotations.json from "
    "W3ACT, published together and kept in the artifact store",
)
def access_lists(
    context: dg.AssetExecutionContext,
    config: AccessListsConfig,
    w3act_db: PostgresResource,
    artifacts: ArtifactStore,
) -> dg.MaterializeResult:
    with w3act_db.step_connection() as conn, conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        read = {name: conn.execute(statement(SQL_ACCESS_LISTS, name)).fetchall() for name in (
            "open_seeds", "blocked_seeds", "collections", "collection_seeds", "target_subjects",
        )}
    if not read["open_seeds"]:
        raise dg.Failure(
            f"no open-access target in the W3ACT database ({w3act_db.describe()}); the "
            "published lists are unchanged"
        )
    try:
        files, skipped, platforms = render(*read.values())
    except TakeDownsNotKeyed as err:
        raise dg.Failure(
            f"{len(err.seeds)} NEVERCRAWL seed(s) could not be keyed, so the take-down "
            "would not take effect; the published lists are unchanged until the seed is "
            "corrected in W3ACT: " + "; ".join(err.seeds)
        ) from err
    for reason in skipped:
        context.log.warning(f"seed left out of the access lists: {reason}")
    for reason in platforms:
        context.log.warning(f"take-down blocking a whole platform: {reason}")
    publish_dir = config.directory()
    publish(publish_dir, files)
    lines, stored = {}, {}
    # The store takes a file: each is written in a directory removed with everything in it,
    # whatever the store does with its source (a local store moves it, S3 uploads a copy).
    with tempfile.TemporaryDirectory(prefix="access-lists-") as tmp:
        for name, content in files.items():
            lines[name] = content.count("\n")
            local = Path(tmp) / name
            local.write_text(content)
            stored[name] = put_artifact(
                context, artifacts, local, f"{ACCESS_LISTS_FOLDER}/{name}",
                {"lines": lines[name], "source": w3act_db.describe()},
                name=name.replace(".", "_"),
            )[name.replace(".", "_")]
    return dg.MaterializeResult(
        metadata={
            "published_to": str(publish_dir),
            "open_targets": len({t for t, _, _ in read["open_seeds"]}),
            "blocked_targets": len({t for t, _, _ in read["blocked_seeds"]}),
            "collections": len(read["collections"]),
            **{f"lines_{n.replace('.', '_')}": v for n, v in lines.items()},
            "seeds_left_out": dg.MetadataValue.md("\n".join(f"- {s}" for s in skipped) or "none"),
            "platform_wide_blocks": dg.MetadataValue.md(
                "\n".join(f"- {s}" for s in platforms) or "none"),
            "artifacts": dg.MetadataValue.json(stored),
        }
    )

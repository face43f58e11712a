"""Open-access lists from the W3ACT database: ``allows.aclj`` (pywb), ``allows.txt`` (SURT
prefixes) and ``annotations.json``, published atomically to the directory pywb reads and kept
in the artifact store.

A target is open when it has a licence, is crawled and is not hidden. Its key follows its
scope: ``subdomains`` opens the host and every subdomain, ``root``/``plus1`` the host,
``resource`` the seed URL and below. pywb needs ``.aclj`` lines in reverse byte order (in any
other order its block rules are silently missed) and keys in its own SURT form.
"""

import json
import os
import tempfile
from pathlib import Path

import dagster as dg
import surt
from pydantic import Field

from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.automation import DAILY_FRESHNESS
from maint_assets.core.files import atomic_file
from maint_assets.core.paths import STATE_DIR
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement
from maint_assets.webarchive.keys import ACCESS_CONTROL_LISTS, GROUP, W3ACT_POOL

SQL = "webarchive/access_control_lists"
FOLDER = "webarchive/access"


class AccessListsConfig(dg.Config):
    publish_dir: str = Field(
        default=os.environ.get("WEBARCHIVE_ACL_DIR", str(STATE_DIR / "webarchive" / "acl")),
        description="where pywb reads allows.aclj (its acl_paths) and the indexer allows.txt",
    )


def acl_key(url: str, scope: str) -> tuple[str, str]:
    """pywb's ACL key and the SURT prefix (allows.txt) of a seed under its target's scope."""
    key = surt.surt(url)
    host = key.split(")", 1)[0]
    if scope == "subdomains":
        return host, f"http://({host},"
    if scope in ("root", "plus1"):
        return f"{host})/", f"http://({host})/"
    return key, f"http://({key}"


def render(open_seeds: list[tuple], annotated: list[tuple]) -> dict[str, str]:
    """The three files' contents."""
    aclj, prefixes = {}, set()
    for _, scope, url in open_seeds:
        key, prefix = acl_key(url, scope)
        aclj.setdefault(key, json.dumps({"access": "allow", "url": url}))
        prefixes.add(prefix)
    annotations: dict[str, dict] = {}
    for scope, url, collections, subjects in annotated:
        annotations.setdefault(scope, {})[url] = {
            "collection": collections[0], "collections": collections, "subject": subjects,
        }
    return {
        "allows.aclj": "".join(
            f"{key} - {rule}\n" for key, rule in sorted(aclj.items(), reverse=True)
        ),
        "allows.txt": "".join(f"{p}\n" for p in sorted(prefixes)),
        "annotations.json": json.dumps(
            {"collections": annotations, "collectionDateRanges": {}}, indent=1, sort_keys=True
        ) + "\n",
    }


@dg.asset(
    key=ACCESS_CONTROL_LISTS,
    group_name=GROUP,
    freshness_policy=DAILY_FRESHNESS,
    pool=W3ACT_POOL,
    kinds={"pywb"},
    description="allows.aclj, allows.txt and annotations.json from W3ACT, published "
    "atomically and kept in the artifact store",
)
def access_control_lists(
    context: dg.AssetExecutionContext,
    config: AccessListsConfig,
    w3act_db: PostgresResource,
    artifacts: ArtifactStore,
) -> dg.MaterializeResult:
    with w3act_db.connect() as conn, conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        open_seeds = conn.execute(statement(SQL, "open_seeds")).fetchall()
        annotated = conn.execute(statement(SQL, "annotated_seeds")).fetchall()
    if not open_seeds:
        raise dg.Failure(
            f"no open-access target in the W3ACT database ({w3act_db.describe()}); the "
            "published lists are unchanged"
        )
    files = render(open_seeds, annotated)
    publish_dir = Path(config.publish_dir)
    publish_dir.mkdir(parents=True, exist_ok=True)
    lines, stored = {}, {}
    for name, content in files.items():
        with atomic_file(publish_dir / name) as f:
            f.write(content)
        lines[name] = content.count("\n")
        with tempfile.NamedTemporaryFile("w", delete=False, suffix=name) as tmp:
            tmp.write(content)
        stored[name] = artifacts.put(
            Path(tmp.name), f"{FOLDER}/{name}", name,
            {"asset": ACCESS_CONTROL_LISTS.to_user_string(), "lines": lines[name],
             "source": w3act_db.describe(), "run_id": context.run.run_id},
        )
        artifacts.prune(f"{FOLDER}/{name}", artifacts.retention)
    return dg.MaterializeResult(
        metadata={
            "published_to": str(publish_dir),
            "open_targets": len({t for t, _, _ in open_seeds}),
            **{f"lines_{n.replace('.', '_')}": v for n, v in lines.items()},
            "artifacts": dg.MetadataValue.json({n: a.key for n, a in stored.items()}),
        }
    )


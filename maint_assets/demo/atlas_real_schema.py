"""The atlas database's real production schema, for the developer tools that measure and
compare against it (bench/atlas_*.py --real-schema, scripts/atlas_schema_diff.py).

The schema dump is ``dump/dump_atlas_schema.sql`` of Biodiversité Québec's atlas-db
repository, branch ``dev_vb_fix_observations_id_taxa_obs_not_null`` (the newest committed
dump, PostgreSQL 13, 2024-01). The repository has no licence: the dump is fetched where it is
used and never committed here.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

REPOSITORY = "https://github.com/BiodiversiteQuebec/atlas-db.git"
BRANCH = "dev_vb_fix_observations_id_taxa_obs_not_null"
DUMP_PATH = "dump/dump_atlas_schema.sql"
# Where a local mirror of the repository may already be (the team's machines keep one).
MIRRORS = [Path("/work/.mirror/BiodiversiteQuebec+atlas-db/repo")]
# Errors of the load that say nothing about the schema: roles and schemas an existing
# cluster already has, and PL/Python where the server has no such language package.
HARMLESS = re.compile(
    r'role "[^"]+" already exists|schema "public" already exists|'
    r'extension "plpython3u" is not available|language "plpython3u" does not exist|'
    r"could not open extension control file .*plpython3u"
)

PLPYTHON_FUNCTION = re.compile(
    r"^CREATE FUNCTION ([\w.]+)\([^\n]*\n\s+LANGUAGE plpython3u", re.MULTILINE
)
MISSING_FUNCTION = re.compile(r"function ([\w.]+)\([^)]*\) does not exist")


class RealSchemaUnavailable(RuntimeError):
    """The real schema dump could not be found or fetched."""


def dump_text(dump: Path | None = None, git_dir: Path | None = None) -> str:
    """The real schema dump: from ``dump``, else from a git mirror of the repository (given,
    ``$ATLAS_DB_GIT_DIR``, or a known mirror), else cloned from GitHub."""
    if dump is not None:
        return dump.read_text()
    candidates = [git_dir] if git_dir else []
    if os.environ.get("ATLAS_DB_GIT_DIR"):
        candidates.append(Path(os.environ["ATLAS_DB_GIT_DIR"]))
    candidates += MIRRORS
    for candidate in candidates:
        if candidate is not None and candidate.exists():
            return _git_show(candidate)
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "atlas-db.git"
        done = subprocess.run(
            ["git", "clone", "--quiet", "--bare", "--filter=blob:none", "--single-branch",
             "--branch", BRANCH, REPOSITORY, str(clone)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RealSchemaUnavailable(
                f"cannot clone {REPOSITORY} ({done.stderr.strip()}); give the dump with --dump "
                "or a mirror of the repository with --git-dir / ATLAS_DB_GIT_DIR"
            )
        return _git_show(clone)


def _git_show(git_dir: Path) -> str:
    done = subprocess.run(
        ["git", "--git-dir", str(git_dir), "show", f"{BRANCH}:{DUMP_PATH}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RealSchemaUnavailable(f"{git_dir} has no {BRANCH}:{DUMP_PATH}: {done.stderr.strip()}")
    return done.stdout


def loadable(text: str) -> str:
    """The dump as a server without production's tablespace can load it: the big tables'
    tablespace ``ssdpool`` becomes the default one (tablespaces are not part of what the
    replica or the benchmarks compare)."""
    return re.sub(r"^SET default_tablespace = ssdpool;$", "SET default_tablespace = '';", text,
                  flags=re.MULTILINE)  # fmt: skip


def load(url: str, text: str) -> list[str]:
    """Load the dump into the (empty) database at ``url`` with psql, as a superuser; returns
    the harmless errors it skipped. Any other error fails, naming it."""
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as script:
        script.write(loadable(text))
        script.flush()
        done = subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=0", "-o", "/dev/null", "-f", script.name,
             url],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    errors = [line for line in done.stderr.splitlines() if "ERROR:" in line]
    # Without PL/Python its functions are not created, nor what the dump says of them after.
    python = set(PLPYTHON_FUNCTION.findall(text))
    bad = [
        line
        for line in errors
        if not HARMLESS.search(line)
        and not ((m := MISSING_FUNCTION.search(line)) and m.group(1) in python)
    ]
    if done.returncode != 0 or bad:
        raise RuntimeError("loading the real atlas schema failed:\n" + "\n".join(bad[:20]))
    return errors

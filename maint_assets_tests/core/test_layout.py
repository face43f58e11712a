"""The codebase's shape (issue 20): product modules never import the demo, asset short names
are unique, every asset of a reshaped domain has owners and a description, and backup and
staging assets have a pool and a freshness policy."""

import ast
import re
from pathlib import Path

import dagster as dg

from maint_assets.definitions import defs

PACKAGE = Path(__file__).resolve().parents[2] / "maint_assets"
# Every domain is in the shape of issue 20.
RESHAPED = {"atlas", "catalog", "ingest", "metabase", "vn_sync", "webarchive"}
# Both tables are named by the systems that read them (the atlas API, the catalogue's
# dashboards): the one short name two assets may share.
SHARED_SHORT_NAMES = {"datasets"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_product_modules_never_import_the_demo() -> None:
    product = [
        p for p in PACKAGE.rglob("*.py")
        if "demo" not in p.relative_to(PACKAGE).parts
        and p.relative_to(PACKAGE).parts[0] != "cli"
    ]
    offenders = {
        str(p.relative_to(PACKAGE)): sorted(m for m in _imports(p) if m.startswith(
            "maint_assets.demo"
        ))
        for p in product
    }
    assert {p: m for p, m in offenders.items() if m} == {}


def _graph():
    return defs.resolve_asset_graph()


def test_short_names_are_unique_in_the_reshaped_domains() -> None:
    keys = [k for k in _graph().get_all_asset_keys() if k.path[0] in RESHAPED]
    assert all(len(k.path) == 3 for k in keys), [k.to_user_string() for k in keys]
    everything = [k.path[-1] for k in _graph().get_all_asset_keys()]
    repeated = {
        k.to_user_string() for k in keys
        if everything.count(k.path[-1]) > 1 and k.path[-1] not in SHARED_SHORT_NAMES
    }
    assert repeated == set()


def test_reshaped_assets_have_owners_descriptions_and_code_references() -> None:
    graph = _graph()
    for key in graph.get_all_asset_keys():
        if key.path[0] not in RESHAPED:
            continue
        node = graph.get(key)
        assert node.owners, key
        assert node.description, key
        if node.is_materializable:  # an external asset has no code to link to
            assert "dagster/code_references" in node.metadata, key


def test_backup_and_staging_assets_have_a_pool_and_a_freshness_policy() -> None:
    graph = _graph()
    kinds = {"backup", "dump", "schema", "database"}
    checked = [
        k for k in graph.materializable_asset_keys
        if k.path[0] in RESHAPED and (k.path[1] in kinds or "staging" in k.path[-1])
    ]
    assert {k.to_user_string() for k in checked} >= {
        "metabase/backup/metabase_backup", "webarchive/backup/w3act_backup",
        "ingest/schema/ingest_staging", "atlas/database/atlas_staging",
        "atlas/dump/schema_dump", "atlas/dump/observations_sample_dump",
    }
    for key in checked:
        node = graph.get(key)
        assert node.pools, key
        assert isinstance(node.freshness_policy, dg.FreshnessPolicy), key


def test_every_schedule_is_running_and_described() -> None:
    for schedule in defs.schedules or []:
        if any(schedule.name.startswith(d) for d in RESHAPED):
            assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
            assert schedule.description


def test_every_selection_the_docs_give_runs_as_one_job() -> None:
    """Each ``--assets '…'`` (``dg launch``) or ``--select '…'`` of README.md and docs/
    resolves to assets that a job can run: one picking some assets of a step that cannot be
    split (the four snapshot dumps) made the command exit naming the step."""
    root = Path(__file__).parents[2]
    texts = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    selections = [m for t in texts
                  for m in re.findall(r"--(?:select|assets) \\?\s*'([^']+)'", t.read_text())]
    assert selections
    graph = defs.resolve_asset_graph()
    job = defs.resolve_implicit_global_asset_job_def()
    for text in selections:
        keys = dg.AssetSelection.from_string(text).resolve(graph)
        assert keys, text
        job.get_subset(asset_selection=keys)  # raises DagsterInvalidSubsetError


# A path of the repository named in a comment, a docstring or the docs.
_NAMED_PATH = re.compile(
    r"(?<![\w/.-])((?:maint_assets_tests|maint_assets|sql|deploy|docs|bench|scripts)/[\w./-]+"
    r"\.(?:py|sql|yaml|yml|md|toml|json|txt|csv))"
)


def test_every_path_the_code_and_docs_name_exists() -> None:
    """Files move (the roles statements went into sql/core/, the tests into folders) and
    the comments naming them stayed behind; a newcomer following them found nothing. Upper-case
    ``scripts/`` names are atlas-db's own scripts, not ours."""
    root = Path(__file__).parents[2]
    files = [
        *root.glob("maint_assets/**/*.py"), *root.glob("maint_assets_tests/**/*.py"),
        *root.glob("sql/**/*.sql"), *root.glob("deploy/**/*.y*ml"), *root.glob("deploy/**/*.env"),
        *root.glob("docs/*.md"), *root.glob("bench/*.py"),
        *(root / name for name in ("README.md", "bench/README.md", "pyproject.toml", "Makefile")),
    ]
    missing = sorted(
        (str(f.relative_to(root)), named)
        for f in files
        for named in (m.rstrip(".") for m in _NAMED_PATH.findall(f.read_text(errors="replace")))
        if not re.match(r"scripts/[A-Z]", named) and not (root / named).exists()
    )
    assert missing == []


_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lstrip("#").strip().lower())
    return text.replace(" ", "-")


def test_every_link_of_the_docs_leads_somewhere() -> None:
    """The README's domain sections moved into docs/: a relative link or anchor left pointing
    at the old place would leave the reader at nothing."""
    root = Path(__file__).parents[2]
    texts = [root / "README.md", root / "bench/README.md", *sorted((root / "docs").glob("*.md"))]
    broken = []
    for text in texts:
        for target in _LINK.findall(text.read_text()):
            if re.match(r"[a-z]+:", target):
                continue  # http(s), mailto: not ours to check offline
            path, _, anchor = target.partition("#")
            linked = (text.parent / path).resolve() if path else text
            if not linked.exists():
                broken.append((str(text.relative_to(root)), target))
            elif anchor and linked.suffix == ".md":
                lines = linked.read_text().splitlines()
                headings = [line for line in lines if line.startswith("#")]
                if anchor not in {_anchor(h) for h in headings}:
                    broken.append((str(text.relative_to(root)), target))
    assert broken == []

"""The catalogue chain refuses bad settings and missing input before doing any work, naming
the real cause."""

import json
import subprocess
import sys
from pathlib import Path

import psycopg

from maint_assets.catalog import keys
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.stores import FileStore
from maint_assets.demo.catalog_data import write_pages
from maint_assets_tests.catalog.test_catalog import _run


def _failure(result) -> str:
    return result.get_step_failure_events()[0].event_specific_data.error.message


def test_an_out_of_range_setting_fails_the_run_before_the_extract(
    empty_db: str, tmp_path: Path
) -> None:
    write_pages(tmp_path / "pages", datasets=50, per_page=50)
    artifacts = ArtifactStore(directory=str(tmp_path / "artifacts"))
    result = _run(
        empty_db,
        FileStore(url=str(tmp_path / "pages")),
        artifacts,
        catalog__public__datasets={"config": {"max_drop_fraction": 5}},
    )
    assert not result.success
    (failed,) = result.get_step_failure_events()
    assert failed.step_key == "catalog__dataframe__raw_datasets"  # the first step, before its work
    assert "invalid config for catalog__public__datasets: max_drop_fraction" in _failure(result)
    assert "(got 5)" in _failure(result)
    assert artifacts.list(keys.RAW_FOLDER) == []


def test_a_missing_pages_directory_is_named_as_the_catalogues(
    empty_db: str, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-pages"
    result = _run(
        empty_db, FileStore(url=str(missing)), ArtifactStore(directory=str(tmp_path / "a"))
    )
    message = _failure(result)
    assert f"cannot list the catalogue's DCAT pages: {missing} is not a readable directory" in (
        message
    )
    assert "WARC" not in message


# The chain, run in a process that cannot override file permissions: root without
# CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (its bounding set), as a reader that is not root
# is. (A user other than root cannot run the session's Python: it lives under /root.)
UNPRIVILEGED = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
LOAD_AS_UNPRIVILEGED = """
import json, sys
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.stores import FileStore
from maint_assets_tests.catalog.test_catalog import _run
db, pages, artifacts = sys.argv[1:]
result = _run(db, FileStore(url=pages), ArtifactStore(directory=artifacts))
failed = result.get_step_failure_events()
print(json.dumps({"success": result.success, "steps": [f.step_key for f in failed],
                  "error": failed[0].event_specific_data.error.message if failed else None}))
"""


def _load_unprivileged(db: str, pages: Path, artifacts: Path) -> dict:
    done = subprocess.run(
        [*UNPRIVILEGED, sys.executable, "-c", LOAD_AS_UNPRIVILEGED, db, str(pages),
         str(artifacts)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def _live(db: str) -> tuple:
    with psycopg.connect(db) as conn:
        return conn.execute(
            "SELECT 'public.datasets'::regclass::oid, count(*) FROM public.datasets"
        ).fetchone()


def test_a_page_the_reader_may_not_read_is_named_and_nothing_is_replaced(
    empty_db: str, tmp_path: Path
) -> None:
    pages, artifacts = tmp_path / "pages", tmp_path / "artifacts"
    write_pages(pages, datasets=300, per_page=100)
    assert _run(empty_db, FileStore(url=str(pages)), ArtifactStore(directory=str(artifacts))
                ).success
    before = _live(empty_db)
    write_pages(pages, datasets=320, per_page=100)  # the next dump: one page more
    locked = sorted(pages.iterdir())[1]
    locked.chmod(0)
    try:
        ran = _load_unprivileged(empty_db, pages, artifacts)
    finally:
        locked.chmod(0o644)
    assert not ran["success"] and ran["steps"] == ["catalog__dataframe__raw_datasets"]
    error = ran["error"]
    assert f"catalogue page {pages}/{locked.name} cannot be read" in error, error
    assert "Permission denied" in error and "fix its permissions" in error
    assert "nothing was loaded" in error and "Traceback" not in error
    assert _live(empty_db) == before
    assert len(ArtifactStore(directory=str(artifacts)).list(keys.RAW_FOLDER)) == 1  # the first

    # The pages' directory: its names readable, its files not reachable (no search right).
    pages.chmod(0o644)
    try:
        ran = _load_unprivileged(empty_db, pages, artifacts)
    finally:
        pages.chmod(0o755)
    assert not ran["success"] and ran["steps"] == ["catalog__dataframe__raw_datasets"]
    assert f"cannot list the catalogue's DCAT pages: {pages} is not a readable directory" in (
        ran["error"]), ran["error"]
    assert "fix its permissions" in ran["error"]
    assert _live(empty_db) == before

    # Readable again: loaded.
    assert _run(empty_db, FileStore(url=str(pages)), ArtifactStore(directory=str(artifacts))
                ).success
    assert _live(empty_db)[1] == 320


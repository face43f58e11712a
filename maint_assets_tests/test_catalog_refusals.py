"""The catalogue chain refuses bad settings and missing input before doing any work, naming
the real cause."""

from pathlib import Path

from maint_assets.catalog import assets
from maint_assets.catalog.demo_data import write_pages
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.stores import FileStore
from maint_assets_tests.test_catalog import _run


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
    assert failed.step_key == "catalog__raw_datasets"  # the first step, before its work
    assert "invalid config for catalog__public__datasets: max_drop_fraction" in _failure(result)
    assert "(got 5)" in _failure(result)
    assert artifacts.list(assets.RAW_FOLDER) == []


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

"""A dump of the exposition taken while the
catalogue changes.

Facts (read, nothing copied): ckan/ckanext-dcat@0209972 ``ckanext/dcat/logic.py``
``_search_ckan_datasets`` serves page N as ``start = n * (N - 1)`` rows of ``package_search``
sorted ``metadata_modified desc``; ecolabdata/ecospheres-metadata@2eab2e7
``notebooks/read_dcat_expositions.ipynb`` fetches the pages one after the other, 30-40 s each
(~2.5 h for the 244 pages of the integration exposition). A dataset modified (a harvest) while
the dump runs moves to the head of the order: every page read after that is shifted by one,
so the dataset at the boundary is read twice and the modified one, already past, is read on
no page. No page is missing, so the lastPage check passes.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import psycopg

from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.stores import FileStore
from maint_assets_tests.catalog.test_catalog import _run
from maint_assets_tests.catalog.test_catalog_real_dumps import (
    CONTEXT,
    EXPO,
    HYDRA,
    OPEN,
    _dataset,
    _failure,
    _ids,
    _page,
    _uri,
)


def _dump(folder: Path, date: str, order: list[str], shifted: list[str], after: int) -> None:
    """Pages of 5 in ``order``; pages past ``after`` served from ``shifted`` (the order once
    a dataset was modified during the dump)."""
    last = len(order) // 5
    for page in range(1, last + 1):
        served = order if page <= after else shifted
        uids = served[5 * (page - 1): 5 * page]
        _page(folder, page, last, date,
              [n for uid in uids for n in _dataset(uid, OPEN, "2023-11-01T00:00:00")])


def _set_aside(pages: Path) -> None:
    """The previous dump's pages moved into a subfolder, which the extract does not read (their
    names carry their dump's date)."""
    aside = pages / "aside"
    aside.mkdir(parents=True, exist_ok=True)
    for old in pages.glob("*.json"):
        old.rename(aside / old.name)


def test_a_dump_shifted_while_it_was_taken_does_not_silently_drop_a_dataset(
    empty_db: str, tmp_path: Path
) -> None:
    pages = tmp_path / "pages"
    artifacts = ArtifactStore(directory=str(tmp_path / "artifacts"))
    store = FileStore(url=str(pages))
    order = [f"{i:03d}" for i in range(50)]  # metadata_modified desc
    _dump(pages, "2023-11-20", order, order, after=10)
    assert _run(empty_db, store, artifacts).success
    assert len(_ids(empty_db)) == 50

    _set_aside(pages)
    # Pages 1-3 fetched; then a harvest modifies dataset 032 (page 7): it moves to the head.
    modified = "032"
    shifted = [modified, *[u for u in order if u != modified]]
    _dump(pages, "2023-11-27", order, shifted, after=3)
    result = _run(empty_db, store, artifacts)
    # 032 still exists at the source (it was just modified); the dump read it on no page and
    # read 014 twice (the end of page 3, the start of page 4). It was dropped from
    # public.datasets with only a warning about a duplicate identifier ("one kept each"); the
    # load now keeps it as it was, for a dump taken while the exposition stood still.
    assert result.success, _failure(result)
    assert _uri(modified) in _ids(empty_db), "032 dropped: the dump shifted while it was taken"
    assert len(_ids(empty_db)) == 50
    assert _loaded(result)["kept_absent_from_dump"] == 1


def _page_of(folder: Path, page: int, total: int, date: str, uids: list[str]) -> None:
    """A page as ckanext-dcat writes it: hydra:totalItems is package_search's count when the
    page was served, hydra:lastPage follows from it (5 a page here). Our own pages, in the
    shape of ckanext-dcat's paging code: no real dump taken under a shift is public; the real
    pages' tests are in test_catalog_real_dumps.py."""
    paging = {
        "@id": f"{EXPO}?page={page}",
        "@type": f"{HYDRA}PagedCollection",
        f"{HYDRA}firstPage": f"{EXPO}?page=1",
        f"{HYDRA}lastPage": f"{EXPO}?page={-(-total // 5)}",
        f"{HYDRA}itemsPerPage": 5,
        f"{HYDRA}totalItems": total,
    }
    graph = [n for uid in uids for n in _dataset(uid, OPEN, "2023-11-01T00:00:00")]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"integration_page_{page}_{date}.json").write_text(
        json.dumps({"@context": CONTEXT, "@graph": [*graph, paging]}, ensure_ascii=False)
    )


def _fifty_loaded(
    empty_db: str, tmp_path: Path
) -> tuple[Path, FileStore, ArtifactStore, list[str]]:
    """Datasets 000-049, five a page in metadata_modified order, dumped and loaded."""
    pages = tmp_path / "pages"
    artifacts = ArtifactStore(directory=str(tmp_path / "artifacts"))
    store = FileStore(url=str(pages))
    order = [f"{i:03d}" for i in range(50)]
    for page in range(1, 11):
        _page_of(pages, page, 50, "2023-11-20", order[5 * (page - 1): 5 * page])
    assert _run(empty_db, store, artifacts).success
    return pages, store, artifacts, order


def test_a_dataset_deleted_while_the_dump_was_taken_does_not_take_another_with_it(
    empty_db: str, tmp_path: Path
) -> None:
    """Pages 1-3 fetched; then dataset 005 (page 2) is deleted at the source: every later
    page starts one dataset further, so 015, first of page 4 before, is now last of page 3
    (already fetched) and is read on no page. Only 005 is gone at the source; no page is
    missing, no dataset is read twice; the pages' hydra:totalItems say 50, then 49."""
    pages, store, artifacts, order = _fifty_loaded(empty_db, tmp_path)
    assert len(_ids(empty_db)) == 50

    _set_aside(pages)
    after = [u for u in order if u != "005"]
    for page in range(1, 11):
        served, total = (order, 50) if page <= 3 else (after, 49)
        _page_of(pages, page, total, "2023-11-27", served[5 * (page - 1): 5 * page])
    result = _run(empty_db, store, artifacts)
    assert result.success, _failure(result)
    ids = _ids(empty_db)
    assert _uri("015") in ids, "015, which the source still has, was dropped"
    assert _uri("005") in ids  # read before its deletion: removed by a complete dump only
    assert _loaded(result)["kept_absent_from_dump"] == 1

    # The next dump, taken while the exposition stood still: 005's absence is evidence.
    _set_aside(pages)
    for page in range(1, 11):
        _page_of(pages, page, 49, "2023-12-04", after[5 * (page - 1): 5 * page])
    result = _run(empty_db, store, artifacts)
    assert result.success, _failure(result)
    assert set(_ids(empty_db)) == {_uri(u) for u in after}
    assert _loaded(result)["kept_absent_from_dump"] == 0


def test_a_lone_surrogate_escape_in_a_page_does_not_fail_the_run_naming_nothing(
    empty_db: str, tmp_path: Path
) -> None:
    """JSON may escape a lone UTF-16 surrogate ("\\ud83d"): JavaScript's JSON.stringify
    writes one so since ES2019 (well-formed JSON.stringify) for a description cut in the
    middle of an emoji, and Python's json reads it back as a lone surrogate, which UTF-8
    cannot encode. The extract failed with a bare UnicodeEncodeError naming no page
    (skip_malformed_pages did not skip it); the NUL character, the other value text cannot
    hold, is removed and counted."""
    pages = tmp_path / "pages"
    _page(pages, 1, 1, "2023-11-27",
          _dataset("a", OPEN, "2023-11-01T00:00:00") + _dataset("b", OPEN, "2023-11-01T00:00:00"))
    page = pages / "integration_page_1_2023-11-27.json"
    doc = json.loads(page.read_text())
    doc["@graph"][0]["dcterms:description"] = "Inondations \ud83d"
    page.write_text(json.dumps(doc))  # ensure_ascii: written as the escape \\ud83d
    assert "\\ud83d" in page.read_text()
    result = _run(empty_db, FileStore(url=str(pages)),
                  ArtifactStore(directory=str(tmp_path / "artifacts")))
    assert result.success, result.get_step_failure_events()
    assert set(_ids(empty_db)) == {_uri("a"), _uri("b")}
    with psycopg.connect(empty_db) as conn:
        described = conn.execute(
            "SELECT count(*) FROM public.datasets WHERE description = %s",
            ["Inondations \ufffd"]).fetchone()[0]
    assert described == 1  # the lone surrogate read as U+FFFD


def test_a_dataset_created_while_the_dump_was_taken_loads_the_dump(
    empty_db: str, tmp_path: Path
) -> None:
    """Held (no refusal): a dataset created during the dump goes to page 1 too, so one is
    read twice, but the total grew by one: nothing the source has is missing (the new one
    comes with the next dump)."""
    pages = tmp_path / "pages"
    order = [f"{i:03d}" for i in range(50)]
    after = ["new", *order]
    for page in range(1, 12):
        served, total = (order, 50) if page <= 3 else (after, 51)
        uids = served[5 * (page - 1): 5 * page]
        if uids:
            _page_of(pages, page, total, "2023-11-27", uids)
    result = _run(empty_db, FileStore(url=str(pages)),
                  ArtifactStore(directory=str(tmp_path / "artifacts")))
    assert result.success, _failure(result)
    assert len(_ids(empty_db)) == 50


def test_an_identifier_too_long_for_the_unique_index_is_named(
    empty_db: str, tmp_path: Path
) -> None:
    """A dct:identifier of 4 kB (a service URL with its filter used as the identifier): the
    load's unique index on identifier cannot hold it (btree rows are limited to 2704 bytes),
    and the run failed with a bare ProgramLimitExceeded naming the build table's index, not
    the dataset (the live table is unchanged)."""
    import secrets

    pages = tmp_path / "pages"
    graph = _dataset("long", OPEN, "2023-11-01T00:00:00")
    long_id = "https://geo.example.fr/wfs?SERVICE=WFS&FILTER=" + secrets.token_hex(2000)
    graph[0]["dcterms:identifier"] = long_id
    _page(pages, 1, 1, "2023-11-27", graph + _dataset("b", OPEN, "2023-11-01T00:00:00"))
    result = _run(empty_db, FileStore(url=str(pages)),
                  ArtifactStore(directory=str(tmp_path / "artifacts")))
    assert not result.success
    error = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert long_id[:60] in error and "the live table is unchanged" in error, error[-700:]


def test_one_uri_on_two_distant_pages_is_no_shift(empty_db: str, tmp_path: Path) -> None:
    """Two datasets of the source sharing a harvested URI sit on pages of their own in every
    dump: read on pages 2 and 7, not neighbours, they are no sign of a shift (a shift reads
    one dataset on two neighbouring pages). Refused, every dump would have been until the
    catalogue was cleaned."""
    pages = tmp_path / "pages"
    order = [f"{i:03d}" for i in range(50)]
    order[32] = order[7]  # page 2's third dataset again as page 7's third
    for page in range(1, 11):
        _page_of(pages, page, 50, "2023-11-27", order[5 * (page - 1): 5 * page])
    result = _run(empty_db, FileStore(url=str(pages)),
                  ArtifactStore(directory=str(tmp_path / "artifacts")))
    assert result.success, _failure(result)
    assert len(_ids(empty_db)) == 49


def _loaded(result: dg.ExecuteInProcessResult) -> dict[str, object]:
    """The metadata of public.datasets' materialization."""
    return next({k: v.value for k, v in e.materialization.metadata.items()}
                for e in result.get_asset_materialization_events()
                if e.asset_key.to_user_string() == "catalog/public/datasets")


def _shifted_dumps(pages: Path, dates: list[str], served: list[str]) -> Iterator[None]:
    """One dump a date, each taken while the exposition shifted (its total shrank from 50 to
    49 after page 3), each lacking what ``served`` lacks; the previous dump moved aside."""
    for date in dates:
        _set_aside(pages)
        for page in range(1, 11):
            _page_of(pages, page, 50 if page <= 3 else 49, date,
                     served[5 * (page - 1): 5 * page])
        yield


def test_a_dataset_absent_from_shifted_dumps_is_kept_two_loads_then_taken_as_deleted(
    empty_db: str, tmp_path: Path
) -> None:
    """Kept, a dataset the source deleted would stay for as long as the dumps are shifted,
    which on a busy catalogue is every one of them: absent from three dumps in a row, it is
    taken as deleted (max_kept_loads, 2)."""
    pages, store, artifacts, order = _fifty_loaded(empty_db, tmp_path)
    served = [u for u in order if u != "005"]
    kept = []
    for _ in _shifted_dumps(pages, ["2023-11-27", "2023-12-04", "2023-12-11"], served):
        result = _run(empty_db, store, artifacts)
        assert result.success, _failure(result)
        kept.append((_uri("005") in _ids(empty_db), _loaded(result)["kept_absent_from_dump"]))
    assert kept == [(True, 1), (True, 1), (False, 0)]
    assert len(_ids(empty_db)) == 49


def test_a_shifted_dump_over_a_table_of_another_shape_loads_without_keeping(
    empty_db: str, tmp_path: Path
) -> None:
    """The first load over the runbook's own table (pandas' to_sql: no identifier column of
    ours, other types): the rows it lacks cannot be kept as they were; the load said so
    instead of failing on the copy's SQL, which blocked every daily load."""
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.datasets (dataset text, title text, keywords text)")
        conn.execute("INSERT INTO public.datasets VALUES ('https://x/1', 'one', '[''a'']')")
    pages = tmp_path / "pages"
    order = [f"{i:03d}" for i in range(50)]
    for _ in _shifted_dumps(pages, ["2023-11-27"], [u for u in order if u != "005"]):
        result = _run(empty_db, FileStore(url=str(pages)),
                      ArtifactStore(directory=str(tmp_path / "artifacts")))
    assert result.success, _failure(result)
    assert _loaded(result)["kept_absent_from_dump"] == 0
    assert len(_ids(empty_db)) == 49

"""The fixture every VisioNature test file shares: a fake VisioNature site and the two copies
(production, check) in a fresh database."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from maint_assets_tests.vn_sync.helpers import VnWorld


@pytest.fixture
def world(vn_url: str, tmp_path: Path) -> Iterator[VnWorld]:
    fake = VnWorld(vn_url, tmp_path)
    try:
        yield fake
    finally:
        fake.close()

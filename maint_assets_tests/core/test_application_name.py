"""The sessions' application_name is the deployment's (PGAPPNAME, or the URL's) when set,
``maint_assets`` otherwise: a profile naming each job in pg_stat_activity is not overridden."""

import pytest
from psycopg.conninfo import make_conninfo

from maint_assets.core.postgres import PostgresResource


def _name(url: str) -> str:
    with PostgresResource(url=url).connect() as conn:
        return conn.execute("SELECT current_setting('application_name')").fetchone()[0]


def test_pgappname_and_the_url_win_over_the_default(
    empty_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGAPPNAME", raising=False)
    assert _name(empty_db) == "maint_assets"
    monkeypatch.setenv("PGAPPNAME", "maint_assets_webarchive_hourly")
    assert _name(empty_db) == "maint_assets_webarchive_hourly"
    assert _name(make_conninfo(empty_db, application_name="from_the_url")) == "from_the_url"

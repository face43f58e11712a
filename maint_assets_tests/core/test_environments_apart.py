"""Two environments (beta and prod) sharing a Pushgateway or an artifact store by mistake,
against the project's own deployment profiles: neither overwrites the other's metrics or backups."""

import importlib
import logging
import os
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest
from dotenv import dotenv_values
from psycopg import sql

from maint_assets import cli
from maint_assets.core.artifact_steps import put_artifact
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.metrics import metrics_to_pushgateway
from maint_assets.webarchive.keys import W3ACT_DUMP_FOLDER
from maint_assets_tests import ops_graph as g

PROFILES = Path(__file__).parents[2] / "deploy" / "env"


def _profile(name: str) -> dict[str, str]:
    return {k: v or "" for k, v in dotenv_values(PROFILES / f"{name}.env").items()}


def _pushgateway_of(profile: str, gateway: str, monkeypatch: pytest.MonkeyPatch):
    """The Pushgateway resource the code location builds under ``profile`` (the profile's
    gateway replaced by the test's)."""
    for key, value in _profile(profile).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("MAINT_PUSHGATEWAY_URL", gateway)
    from maint_assets import definitions

    return importlib.reload(definitions).defs.resources["pushgateway"]


@contextmanager
def _dropped(pg_cluster, name: str) -> Iterator[None]:
    try:
        yield
    finally:
        with pg_cluster.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def _series(url: str, metric: str, asset: str) -> list[dict[str, str]]:
    import requests
    from prometheus_client.parser import text_string_to_metric_families

    text = requests.get(f"{url}/metrics", timeout=5).text
    return [
        {**s.labels, "value": s.value}
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == metric and s.labels.get("asset") == asset
    ]


def test_beta_and_prod_pushing_to_one_gateway_keep_apart(
    dagster_instance: dg.DagsterInstance, pg_cluster, pushgateway_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """beta.env and prod.env name the same Pushgateway (one cluster, namespace monitoring);
    every series is keyed by job "maint_assets" and the asset alone, so beta's push replaces
    prod's: prod's last success is lost, a prod asset that stopped refreshing is hidden by
    beta's runs (MaintAssetNotUpdated never fires), a beta failure pages as prod's."""
    assert _profile("beta")["MAINT_PUSHGATEWAY_URL"] == _profile("prod")["MAINT_PUSHGATEWAY_URL"]
    asset = g.SOURCE.to_user_string()
    name = f"beta_dagster_{os.getpid()}"
    pg_cluster.up([name])  # beta's own Dagster storage
    url = pg_cluster.url(name).replace("postgresql://", "postgresql+psycopg2://", 1)
    with (
        dg.instance_for_test(overrides={"storage": {"postgres": {"postgres_url": url}}}) as beta,
        _dropped(pg_cluster, name),
    ):
        pushed_by = {}
        for name, instance in (("prod", dagster_instance), ("beta", beta)):
            assert g.run(instance, g.source_table).success
            resource = _pushgateway_of(name, pushgateway_url, monkeypatch)
            context = dg.build_sensor_context(
                instance=instance, resources={"pushgateway": resource}
            )
            metrics_to_pushgateway(context)
            pushed_by[name] = instance.get_latest_materialization_event(g.SOURCE).timestamp
    series = _series(pushgateway_url, "maint_asset_last_success_timestamp_seconds", asset)
    lost = [
        env for env, at in pushed_by.items()
        if not any(s["value"] == pytest.approx(at, abs=1e-3) for s in series)
    ]
    assert not lost, f"{lost}'s last success replaced by another environment's: {series}"


def test_retention_leaves_another_databases_backups_alone(tmp_path: Path) -> None:
    """beta's profile given prod's artifact bucket (a copy-paste of prod.env's
    MAINT_ARTIFACTS_BUCKET): beta's daily W3ACT backups of its own database land in the folder
    of prod's, and the retention counts them together: prod's backups are deleted because
    beta's are newer. A backup of one database is no evidence about another's."""
    store = ArtifactStore(directory=str(tmp_path / "artifacts"))
    prod = "database 'w3act' at w3act-db.prod.example.org:5432"
    beta = "database 'w3act' at w3act-db.beta.example.org:5432"
    _daily_dumps(store, tmp_path, prod)
    with dg.instance_for_test() as instance:
        for _ in range(8):  # beta's backups of a week
            assert dg.materialize([_backup(store, tmp_path, beta)], instance=instance).success
    left = [a for a in store.list(W3ACT_DUMP_FOLDER) if a.manifest["source"] == prod]
    assert len(left) == 10, f"prod's backups deleted by beta's retention: {10 - len(left)}"


def test_backups_under_a_moved_servers_name_are_pruned_once_adopted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The W3ACT database's server moved: its ten backups under the old name are left alone
    by the new name's retention (no evidence they are of one database), every run warning of
    them, for ever. The warning names the command that says they are; once run, they are
    counted and pruned with the new name's, and kept in the store meanwhile."""
    directory = tmp_path / "artifacts"
    store = ArtifactStore(directory=str(directory))
    old = "database 'w3act' at w3act-db-1.example.org:5432"
    new = "database 'w3act' at w3act-db-2.example.org:5432"
    _daily_dumps(store, tmp_path, old)
    w3act_dump = _backup(store, tmp_path, new)

    def olds() -> int:
        return sum(a.manifest["source"] == old for a in store.list(W3ACT_DUMP_FOLDER))

    with dg.instance_for_test() as instance:
        for _ in range(2):
            result = dg.materialize([w3act_dump], instance=instance)
            assert result.success
        assert olds() == 10
        warnings = [
            e.message for e in instance.all_logs(result.run_id)
            if e.level == logging.WARNING and "also holds backups" in e.message
        ]
        assert len(warnings) == 1, warnings
        command = warnings[0].rsplit(": ", 1)[1]
        assert command.startswith("maint-assets artifacts adopt "), warnings[0]

        monkeypatch.setenv("MAINT_ARTIFACTS_DIR", str(directory))
        monkeypatch.delenv("MAINT_ARTIFACTS_BUCKET", raising=False)
        assert cli.main(shlex.split(command)[1:]) == 0
        assert olds() == 0
        adopted = [a for a in store.list(W3ACT_DUMP_FOLDER) if a.manifest.get("adopted_from")]
        assert {a.manifest["adopted_from"] for a in adopted} == {old}
        assert len(adopted) == 10  # nothing deleted by the adoption itself

        assert dg.materialize([w3act_dump], instance=instance).success
    left = [a for a in store.list(W3ACT_DUMP_FOLDER) if a.manifest.get("adopted_from")]
    # The policy's last 7: the new name's three and the four newest of the old ten; of the
    # six older ones only a week's or month's newest stays.
    assert 0 < len(left) < 10, len(left)
    kept = store.retention.kept([a.created_at for a in store.list(W3ACT_DUMP_FOLDER)][:-1])
    assert {a.created_at for a in left} <= kept


def _daily_dumps(store: ArtifactStore, tmp_path: Path, source: str) -> None:
    """Ten daily W3ACT dumps of ``source``, the last one yesterday."""
    now = datetime.now(UTC)
    for day in range(10, 0, -1):
        dump = tmp_path / "w3act.dump"
        dump.write_bytes(f"{source} {day}".encode())
        store.put(dump, W3ACT_DUMP_FOLDER, "w3act.dump", {"source": source},
                  created=now - timedelta(days=day))


def _backup(store: ArtifactStore, tmp_path: Path, source: str) -> dg.AssetsDefinition:
    """An asset backing up ``source`` into the W3ACT dump folder as the backup assets do."""

    @dg.asset(name="w3act_dump")
    def backup(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        dump = tmp_path / "new.dump"
        dump.write_bytes(source.encode())
        return dg.MaterializeResult(
            metadata=put_artifact(context, store, dump, W3ACT_DUMP_FOLDER, {"source": source})
        )

    return backup

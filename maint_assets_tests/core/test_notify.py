"""E-mail through a real SMTP server (aiosmtpd), and a clear error when there is none."""

import pytest

from maint_assets.core.notify import NotifierError, SmtpNotifier
from maint_assets_tests.ports import free_port


def test_mail_reaches_every_recipient(smtp_server) -> None:
    smtp_server.messages.clear()
    notifier = SmtpNotifier(
        host="127.0.0.1",
        port=smtp_server.port,
        sender="maint@example.org",
        recipients="a@example.org, b@example.org",
    )
    assert notifier.send("subject é", "body\nline 2\n")
    sender, recipients, message = smtp_server.messages[0]
    assert (sender, recipients) == ("maint@example.org", ["a@example.org", "b@example.org"])
    assert message["Subject"] == "subject é"
    assert message.get_content().splitlines() == ["body", "line 2"]


def test_without_host_or_recipients_nothing_is_sent(smtp_server) -> None:
    smtp_server.messages.clear()
    assert not SmtpNotifier(recipients="a@example.org").send("s", "b")
    assert not SmtpNotifier(host="127.0.0.1", port=smtp_server.port).send("s", "b")
    assert smtp_server.messages == []


def test_an_unreachable_server_is_named_without_the_password() -> None:
    port = free_port()  # nothing listens there
    notifier = SmtpNotifier(
        host="127.0.0.1",
        port=port,
        recipients="a@example.org",
        username="maint",
        password="sw0rdfish-secret",
        timeout_s=5,
    )
    with pytest.raises(NotifierError, match=f"cannot send mail through 127.0.0.1:{port}") as err:
        notifier.send("s", "b")
    assert "sw0rdfish-secret" not in str(err.value)


def test_a_failed_run_is_mailed_with_its_failed_step(smtp_server) -> None:
    import dagster as dg

    from maint_assets.core.alerts import alert_failed_runs

    @dg.asset(key=["demo", "broken"])
    def broken() -> None:
        raise RuntimeError("the source table public.observations is missing")

    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([broken], instance=instance, raise_on_error=False)
    assert not result.success
    failure = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)[0]
    failure = failure.dagster_event
    context = dg.build_run_status_sensor_context(
        sensor_name="alert_failed_runs",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={
            "notifier": SmtpNotifier(
                host="127.0.0.1", port=smtp_server.port, recipients="ops@example.org"
            )
        },
    ).for_run_failure()
    smtp_server.messages.clear()
    alert_failed_runs(context)
    _, recipients, message = smtp_server.messages[0]
    body = message.get_content()
    assert recipients == ["ops@example.org"]
    assert message["Subject"] == "[maint_assets] __ephemeral_asset_job__ failed"
    assert "step demo__broken" in body and "public.observations is missing" in body
    assert f"/runs/{result.run_id}" in body

    smtp_server.messages.clear()  # no SMTP configured: nothing sent, no error
    alert_failed_runs(
        dg.build_run_status_sensor_context(
            sensor_name="alert_failed_runs",
            dagster_event=failure,
            dagster_instance=instance,
            dagster_run=result.dagster_run,
            resources={"notifier": SmtpNotifier()},
        ).for_run_failure()
    )
    assert smtp_server.messages == []


def test_the_password_set_after_the_code_location_loaded_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The notifier of the loaded definitions reads MAINT_SMTP_PASSWORD when it sends: a secret
    mounted (or rotated) after the code location loaded is the one used."""
    import dagster as dg

    monkeypatch.delenv("MAINT_SMTP_PASSWORD", raising=False)
    from maint_assets.definitions import defs

    configured = defs.resources["notifier"]
    monkeypatch.setenv("MAINT_SMTP_PASSWORD", "set-after-loading")
    with dg.build_resources({"notifier": configured}) as built:
        assert built.notifier._password() == "set-after-loading"
        assert "set-after-loading" not in repr(configured)

"""E-mail through a real SMTP server (aiosmtpd), and a clear error when there is none."""

from collections.abc import Iterator

import pytest

from maint_assets.core.notify import NotifierError, SmtpNotifier
from maint_assets_tests.ports import free_port
from maint_assets_tests.smtp_servers import RefusingSink, serving


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


def test_an_unreachable_server_is_named_without_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAINT_SMTP_PASSWORD", "sw0rdfish-secret")
    port = free_port()  # nothing listens there
    notifier = SmtpNotifier(
        host="127.0.0.1",
        port=port,
        recipients="a@example.org",
        username="maint",
        timeout_s=5,
        attempts=2,
        retry_wait_s=0.01,
    )
    with pytest.raises(NotifierError, match=f"cannot send mail through 127.0.0.1:{port}") as err:
        notifier.send("s", "b")
    assert "sw0rdfish-secret" not in str(err.value) and "(2 attempts)" in str(err.value)
    assert "password" not in SmtpNotifier.model_fields  # never in run config


def test_a_failed_run_is_mailed_with_its_failed_step(smtp_server) -> None:
    import dagster as dg

    from maint_assets.core.alerts import alert_failed_runs

    @dg.asset(key=["demo", "broken"])
    def broken() -> None:
        raise RuntimeError("the source table public.observations is missing")

    instance = dg.DagsterInstance.ephemeral()
    notifier = SmtpNotifier(host="127.0.0.1", port=smtp_server.port, recipients="ops@example.org")

    def tick(notifier: SmtpNotifier, cursor: str | None) -> str | None:
        context = dg.build_sensor_context(
            instance=instance, cursor=cursor, resources={"notifier": notifier}
        )
        alert_failed_runs(context)
        return context.cursor

    cursor = tick(notifier, None)  # a new sensor: history is not news
    result = dg.materialize([broken], instance=instance, raise_on_error=False)
    assert not result.success
    smtp_server.messages.clear()
    after = tick(notifier, cursor)
    _, recipients, message = smtp_server.messages[0]
    body = message.get_content()
    assert recipients == ["ops@example.org"]
    assert message["Subject"] == "[maint_assets] demo__broken failed"  # its failed step
    assert "step demo__broken" in body and "public.observations is missing" in body
    assert f"/runs/{result.run_id}" in body
    tick(notifier, after)
    assert len(smtp_server.messages) == 1  # mailed once

    smtp_server.messages.clear()  # no SMTP configured: nothing sent, no error
    unconfigured = tick(SmtpNotifier(), cursor)
    assert smtp_server.messages == []
    tick(notifier, unconfigured)  # mail configured later: what it passed over is no news
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


@pytest.fixture
def refusing_smtp() -> Iterator[tuple[RefusingSink, int]]:
    sink = RefusingSink({"gone@example.org"})
    with serving(sink) as port:
        yield sink, port


def test_a_recipient_the_server_refused_is_named_not_reported_as_sent(
    refusing_smtp: tuple[RefusingSink, int],
) -> None:
    """smtplib raises only when every recipient is refused; otherwise it returns those it
    refused, which were ignored: the VisioNature repair said its summary was sent to both (a
    real-data trial of 2026-12-07), and an alert said it was mailed to both."""
    from maint_assets.core.postgres import PostgresResource
    from maint_assets.vn_sync.assets.vn_sync_repair import _notify, _summary
    from maint_assets.vn_sync.coverage import Window
    from maint_assets.vn_sync.reconcile import TableResult

    sink, port = refusing_smtp
    notifier = SmtpNotifier(host="127.0.0.1", port=port,
                            recipients="ops@example.org, Gone <gone@example.org>")
    delivery = notifier.send("s", "b")
    assert sink.delivered == [["ops@example.org"]]
    assert delivery.accepted == ["ops@example.org"]  # matched by address, display name or not
    assert list(delivery.refused) == ["gone@example.org"]
    assert delivery.refused["gone@example.org"].startswith("550")
    window = Window(1, "window", "sighting", 0, 0, ("observations_json",), "run")
    said = _notify(notifier, *_summary(PostgresResource(url="postgresql://h/vn"), {
        "observations_json": TableResult("observations_json")}, window, "run"))
    assert said.startswith("failed for gone@example.org (550"), said
    assert said.endswith("; sent to ops@example.org"), said


def _self_signed(tmp_path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key (openssl, as an operator would make one)."""
    import subprocess

    cert, key = str(tmp_path / "smtp.crt"), str(tmp_path / "smtp.key")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", key, "-out", cert],
        check=True, capture_output=True,
    )
    return cert, key


def test_smtps_speaks_tls_from_the_first_byte(tmp_path, monkeypatch) -> None:
    """A relay on port 465 (SMTPS, RFC 8314) greets nobody in clear: a plain client waited for
    a greeting until it timed out three times (96 s, beyond a sensor's minute), naming no TLS."""
    import ssl

    from aiosmtpd.controller import Controller

    from maint_assets_tests.conftest import SmtpSink

    cert, key = _self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", cert)  # the client trusts it as a CA's
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), ssl_context=context)
    controller.start()
    try:
        notifier = SmtpNotifier(host="127.0.0.1", port=controller.port, tls="true",
                                recipients="ops@example.org", timeout_s=5)
        assert notifier.send("over TLS", "body\n").accepted == ["ops@example.org"]
        assert [m["Subject"] for _, _, m in sink.messages] == ["over TLS"]
        plain = SmtpNotifier(host="127.0.0.1", port=controller.port,
                             recipients="ops@example.org", timeout_s=1, attempts=1)
        with pytest.raises(NotifierError):
            plain.send("in clear", "body\n")
    finally:
        controller.stop()


def test_a_password_is_never_sent_in_clear_to_another_host() -> None:
    notifier = SmtpNotifier(host="smtp.example.org", username="maint", recipients="a@example.org")
    with pytest.raises(NotifierError, match=r"password of maint to smtp\.example\.org without TLS"):
        notifier.send("s", "b")


def test_a_backlog_of_failed_runs_is_mailed_a_few_per_tick(smtp_server) -> None:
    """After a relay outage (the case alert_failed_runs now waits out) the backlog of failed
    runs is mailed in one tick, up to event_feed.PAGE (500) messages, one SMTP session each.
    The daemon gives a sensor tick 60 s (DAGSTER_SENSOR_GRPC_TIMEOUT_SECONDS); a tick that
    outlasts it fails, its cursor is not stored, the code server goes on sending anyway, and
    the next tick sends the same messages again: an alert storm that never ends while the
    backlog takes more than a minute. A tick must send a bounded number and leave the rest to
    the next ticks, each run mailed once."""
    import dagster as dg

    from maint_assets.core.alerts import alert_failed_runs

    @dg.asset(key=["demo", "broken"])
    def broken() -> None:
        raise RuntimeError("down")

    instance = dg.DagsterInstance.ephemeral()
    notifier = SmtpNotifier(host="127.0.0.1", port=smtp_server.port, recipients="ops@example.org")

    def tick(cursor: str | None) -> str | None:
        context = dg.build_sensor_context(
            instance=instance, cursor=cursor, resources={"notifier": notifier}
        )
        alert_failed_runs(context)
        return context.cursor

    cursor = tick(None)
    runs = [dg.materialize([broken], instance=instance, raise_on_error=False).run_id
            for _ in range(25)]
    smtp_server.messages.clear()
    cursor = tick(cursor)
    first = len(smtp_server.messages)
    assert first <= 20, f"one tick sent {first} messages: its length grows with the backlog"
    for _ in range(10):
        cursor = tick(cursor)
    mailed = [m.get_content() for _, _, m in smtp_server.messages]
    assert sorted(r for r in runs for body in mailed if r in body) == sorted(runs)

"""The demo's mail sink (aiosmtpd's own Maildir handler, as `maint-assets demo` starts it)
receives what the notifier sends, and `maint-assets demo mails` lists it."""

import time
from pathlib import Path

from maint_assets.cli import main
from maint_assets.core.notify import SmtpNotifier
from maint_assets.demo.services import Endpoints, Services, start_mail_sink
from maint_assets_tests.ports import free_port


def test_alerts_reach_the_demo_mail_sink_and_the_mails_command(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    maildir = tmp_path / "mails"
    maildir.mkdir()  # an existing, empty directory, as a previous demo leaves it
    endpoints = Endpoints("127.0.0.1", free_port(), free_port(), free_port())
    services = Services(tmp_path / "logs")
    try:
        start_mail_sink(services, maildir, endpoints)
        notifier = SmtpNotifier(
            host=endpoints.host, port=endpoints.smtp_port, recipients="operator@demo.localhost"
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                assert notifier.send("[maint_assets] atlas_weekly failed", "step x: boom\n")
                break
            except Exception:
                assert time.monotonic() < deadline, (tmp_path / "logs" / "mail-sink.log")
                time.sleep(0.5)
        deadline = time.monotonic() + 30
        while not list((maildir / "new").iterdir()):
            assert time.monotonic() < deadline, (tmp_path / "logs" / "mail-sink.log").read_text()
            time.sleep(0.2)
    finally:
        services.stop()
    monkeypatch.setattr("maint_assets.cli.DEMO_MAILDIR", maildir)
    assert main(["demo", "mails", "--body"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 mail(s) in ")
    assert "[maint_assets] atlas_weekly failed" in out and "step x: boom" in out

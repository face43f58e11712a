"""A real SMTP server (aiosmtpd) on a free port, answering as the handler given says."""

from collections.abc import Iterator
from contextlib import contextmanager

from maint_assets_tests.ports import free_port


@contextmanager
def serving(handler: object) -> Iterator[int]:
    """Serves ``handler`` (aiosmtpd's handle_RCPT, handle_DATA, ...) until the block ends;
    yields the port."""
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()

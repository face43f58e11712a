"""A TCP proxy in front of PostgreSQL that loses the answer to one COMMIT: on the first
connection that asked for an advisory lock (a maintenance step's session), it forwards the
COMMIT, gives the server time to commit it, then resets both sides. The client sees its
session lost during COMMIT and cannot tell whether the transaction committed (it did), as
after a network cut or a failover at that moment. Plain TCP: the URL given must not use SSL."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

from psycopg import conninfo

from maint_assets_tests.cutting_proxy import reset

_BLOCK = 65536
# psycopg's Transaction ends with COMMIT sent as a simple query: 'Q', its length, the text.
_COMMIT = b"Q\x00\x00\x00\x0bCOMMIT\x00"
_ARMS = b"pg_advisory_lock"


class CommitLosingProxy:
    def __init__(self, url: str) -> None:
        info = conninfo.conninfo_to_dict(url)
        self.upstream = (str(info["host"]), int(info["port"]))
        self.lost = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = conninfo.make_conninfo(url, host="127.0.0.1", port=str(self.port),
                                          sslmode="disable")
        self._closed = threading.Event()

    def __enter__(self) -> CommitLosingProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closed.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            hold = threading.Event()  # set: the server's answers are no longer relayed
            threading.Thread(target=self._up, args=(client, server, hold), daemon=True).start()
            threading.Thread(target=self._down, args=(server, client, hold), daemon=True).start()

    def _up(self, client: socket.socket, server: socket.socket, hold: threading.Event) -> None:
        armed = False
        try:
            while data := client.recv(_BLOCK):
                armed = armed or _ARMS in data
                losing = armed and not self.lost.is_set() and data.endswith(_COMMIT)
                if losing:
                    self.lost.set()
                    hold.set()
                server.sendall(data)
                if losing:
                    time.sleep(0.5)  # the server commits; its answer is not relayed
                    return
        except OSError:
            pass
        finally:
            reset(server)
            reset(client)

    def _down(self, server: socket.socket, client: socket.socket, hold: threading.Event) -> None:
        try:
            while (data := server.recv(_BLOCK)) and not hold.is_set():
                client.sendall(data)
        except OSError:
            pass
        finally:
            reset(client)

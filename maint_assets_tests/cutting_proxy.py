"""A TCP proxy in front of a real server that goes away mid-transfer: once ``limit`` bytes
went upstream in total, it resets every connection and stops listening, so that new
connections are refused (an S3 endpoint lost in the middle of a multipart upload, and not
back when the client tries to abort it). Given a ``port``, it listens there: a server coming
back at the address clients were refused at."""

from __future__ import annotations

import socket
import struct
import threading
from types import TracebackType

_BLOCK = 65536


class CuttingProxy:
    def __init__(
        self, upstream_host: str, upstream_port: int, limit: int, port: int = 0
    ) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.limit = limit
        self.sent = 0
        self.cut = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", port))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> CuttingProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._cut()

    def _accept(self) -> None:
        while not self.cut.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:  # the listener closed: cut
                return
            server = socket.create_connection(self.upstream)
            with self._lock:
                self._sockets |= {client, server}
            threading.Thread(target=self._pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, False), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, upstream: bool) -> None:
        try:
            while data := source.recv(_BLOCK):
                if upstream:
                    with self._lock:
                        self.sent += len(data)
                        over = self.sent > self.limit
                    if over:
                        self._cut()
                        return
                sink.sendall(data)
        except OSError:
            pass
        finally:
            reset(sink)

    def _cut(self) -> None:
        self.cut.set()
        self._listener.close()
        with self._lock:
            doomed, self._sockets = self._sockets, set()
        for s in doomed:
            reset(s)


def reset(s: socket.socket) -> None:
    # SO_LINGER 0: close sends a RST, as a connection dropped by a failing endpoint
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    except OSError:
        pass

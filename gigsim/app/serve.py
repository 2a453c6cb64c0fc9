"""Serving the app: a socket on a free port of the loopback address, and uvicorn on it."""

from __future__ import annotations

import ipaddress
import signal
import socket
import threading
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gigsim.errors import GigsimError

LOOPBACK = "127.0.0.1"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is an address of this machine alone (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (port 0: a free one), or a one-line error."""
    if not 0 <= port <= 65535:
        raise GigsimError(f"--port: must be from 0 (a free port) to 65535, got {port}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise GigsimError(f"--host {host!r}: not an address of this machine ({error})"
                          ) from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        raise GigsimError(f"--port {port}: cannot listen on {host}:{port} ({error.strerror})"
                          ) from None
    sock.listen(128)
    return sock


def address(sock: socket.socket) -> str:
    """The page's address for a bound socket."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(folder: Path, sock: socket.socket, workers: int | None = None,
          on_ready: Callable[[str, float], None] | None = None, open_browser: bool = False) -> None:
    """Serve the app over ``folder`` on ``sock`` until interrupted; stop the pool after.

    ``on_ready`` is called with the address and the seconds since the call once the server
    accepts connections.
    """
    import uvicorn

    from gigsim.app.server import create_app

    started = time.perf_counter()
    try:
        gigsim_app = create_app(folder, workers=workers)
    except BaseException:
        sock.close()
        raise
    url = address(sock)
    config = uvicorn.Config(gigsim_app.app, log_level="warning", lifespan="off",
                            timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)

    def when_ready() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.02)
        if server.started:
            if on_ready is not None:
                on_ready(url, time.perf_counter() - started)
            if open_browser:
                webbrowser.open(url)

    threading.Thread(target=when_ready, daemon=True).start()
    # uvicorn stops on SIGINT and SIGTERM, then raises the signal again; SIGTERM's default
    # action would end the process before the pool's workers are stopped below
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.run(sockets=[sock])
    finally:
        gigsim_app.close()
        sock.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt

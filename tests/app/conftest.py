"""Fixtures for the app tests: a `gigsim app` server started for real, on 127.0.0.1."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0


@dataclass
class Server:
    """A running ``gigsim app``: its address and what it printed."""

    url: str
    process: subprocess.Popen[str]
    lines: list[str]
    reader: threading.Thread


def start_server(cwd: Path, *args: str) -> Server:
    """Start ``gigsim app --port 0 ARGS`` and wait (bounded) for the address it prints."""
    process = subprocess.Popen(
        [sys.executable, "-c", "from gigsim.cli import main; main()", "app", "--port", "0",
         *args],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    seen: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            seen.put(line)
        seen.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    while True:
        try:
            line = seen.get(timeout=START_TIMEOUT_S)
        except queue.Empty:
            _stop(process)
            pytest.fail(f"gigsim app printed no address within {START_TIMEOUT_S:g} s: {lines}")
        if line is None:
            _stop(process)
            pytest.fail(f"gigsim app ended before serving: {lines}")
        found = re.search(r"serving (http://\S+/)", line)
        if found:
            return Server(found.group(1), process, lines, reader)


def stop_server(server: Server) -> int:
    """Stop the server as Ctrl-C does; kill it if it has not ended within a bound."""
    code = _stop(server.process)
    server.reader.join(STOP_TIMEOUT_S)  # every line it printed is in server.lines
    return code


def _stop(process: subprocess.Popen[str]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)
            pytest.fail(f"gigsim app did not stop within {STOP_TIMEOUT_S:g} s of Ctrl-C")
    return process.returncode


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``gigsim app`` on the bundled scenarios, on a free port of 127.0.0.1, for every test
    of this folder that needs one (each start and stop takes seconds)."""
    started = start_server(tmp_path_factory.mktemp("app"))
    yield started
    stop_server(started)

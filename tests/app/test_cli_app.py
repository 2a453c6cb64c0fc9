"""`gigsim app` from the command line: its address, its options and its errors."""

from __future__ import annotations

import socket
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import gigsim.app.serve as serve_module
from gigsim.app.serve import bind, is_loopback
from gigsim.cli import main

from .conftest import Server, start_server, stop_server


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def one_line_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_it_prints_a_loopback_address_and_serves_the_page(server: Server) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(server.url, timeout=10) as response:
        assert response.status == 200
        page = response.read().decode("utf-8")
    for label in ("Role", "Hours a week you can give", "Months to follow",
                  "Reference job's wage", "About the platform", "Project launches a week",
                  "Project ends with notice"):
        assert label in page, label
    # every asset is served by the app itself: no address of another host
    assert "//cdn" not in page and 'src="http' not in page and 'href="http' not in page


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (Linux: read from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_ctrl_c_stops_it_and_its_worker_processes(tmp_path: Path) -> None:
    started = start_server(tmp_path, "--workers", "1")
    host, port = started.url.removeprefix("http://").rstrip("/").split(":")
    workers = children(started.process.pid)
    assert workers, "no worker process was started"
    assert stop_server(started) == 130  # as every command stopped by Ctrl-C
    assert started.lines[-1] == "gigsim: interrupted (Ctrl-C): the app stopped"
    assert not any("Traceback" in line for line in started.lines)  # nor the workers'
    with pytest.raises(OSError), socket.create_connection((host, int(port)), timeout=2):
        pass
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "a worker outlived it"


@pytest.mark.parametrize(("args", "fragments"), [
    (("--port", "70000"), ("--port: must be from 0", "65535")),
    (("--workers", "-1"), ("--workers: must be at least 0",)),
    (("--scenarios", "/nonexistent/folder"), ("--scenarios /nonexistent/folder",)),
    (("--host", "no-such-host.invalid"), ("--host 'no-such-host.invalid'",)),
])
def test_bad_options_get_one_line(args: tuple[str, ...], fragments: tuple[str, ...]) -> None:
    one_line_error(invoke("app", *args), *fragments)


def test_a_folder_without_scenarios_gets_one_line(tmp_path: Path) -> None:
    one_line_error(invoke("app", "--scenarios", str(tmp_path)), "no scenario file")


def test_a_port_in_use_gets_one_line() -> None:
    taken = bind("127.0.0.1", 0)
    try:
        port = str(taken.getsockname()[1])
        one_line_error(invoke("app", "--port", port), f"--port {port}: cannot listen")
    finally:
        taken.close()


def test_only_an_address_asked_for_serves_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    bound: list[tuple[str, int]] = []

    class Socket:
        def getsockname(self) -> tuple[str, int]:
            return bound[-1]

    def fake_bind(host: str, port: int) -> Socket:
        bound.append((host, port))
        return Socket()

    monkeypatch.setattr(serve_module, "bind", fake_bind)
    monkeypatch.setattr(serve_module, "serve", lambda *args, **kwargs: None)
    quiet = invoke("app")
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr
    assert bound[-1] == ("127.0.0.1", 0)
    loud = invoke("app", "--host", "0.0.0.0", "--port", "8123")
    assert loud.exit_code == 0
    assert bound[-1] == ("0.0.0.0", 8123)
    assert "warning: listening on 0.0.0.0, so the page is served to the network" in loud.stderr


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", False), ("192.0.2.1", False), ("::", False), ("example.org", False),
])
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback

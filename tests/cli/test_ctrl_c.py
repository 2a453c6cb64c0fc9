"""Ctrl-C in every command: one line on stderr, exit status 130, no traceback.

Each case raises KeyboardInterrupt inside the command (where Ctrl-C would land: in the
simulation, the fit, the writing of a page). Before, click printed "Aborted!" and exited 1,
sweep and calibrate exited 130, and the app exited 0.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gigsim.cli import main

ROOT = Path(__file__).resolve().parents[2]
SMALL = str(ROOT / "tests" / "calibrate" / "small.toml")
LOG = str(ROOT / "notebooks" / "data" / "synthetic_platform_log.csv")


def _interrupt(*args: Any, **kwargs: Any) -> Any:
    raise KeyboardInterrupt


def _sweep_file(tmp_path: Path, design: str) -> str:
    path = tmp_path / "sweep.toml"
    path.write_text(f'scenario = "{Path(SMALL).as_posix()}"\nreplications = 2\nseed = 1\n'
                    + design, encoding="utf-8")
    return str(path)


def _calibration_file(tmp_path: Path) -> str:
    path = tmp_path / "calibration.toml"
    path.write_text(f'name = "c"\nscenario = "{Path(SMALL).as_posix()}"\nreplications = 2\n'
                    'seed = 1\nmax_evaluations = 2\n[parameters]\n'
                    '"projects.rating.arrivals_per_week" = { low = 1, high = 8 }\n'
                    '[targets]\nidle_share = { value = 0.5, tolerance = 0.1 }\n',
                    encoding="utf-8")
    return str(path)


CASES = {
    "run": (["run", SMALL, "-r", "1", "--out", "OUT"], "gigsim.cli.run.simulate"),
    "validate": (["validate", SMALL], "gigsim.cli.run.check_size"),
    "compare": (["compare", SMALL, "-r", "1", "--variant", "r:dispatch.policy=random",
                 "--out", "OUT"], "gigsim.cli.compare.compare_variants"),
    "estimate": (["estimate", "--scenario", SMALL, "--group", "raters", "-r", "1"],
                 "gigsim.cli.estimate.estimate_platforms"),
    "report": (["report", "OUT"], "gigsim.cli.report.write_report"),
    "fit": (["fit", LOG, "--column", "lifetime_d", "--out", "OUT"],
            "gigsim.cli.fit.fit_sample"),
    "sweep": (["sweep", "GRID", "--jobs", "1", "--out", "OUT"], "gigsim.cli.sweep.run_sweep"),
    "sensitivity": (["sensitivity", "SOBOL", "--jobs", "1", "--out", "OUT"],
                    "gigsim.cli.sweep.run_sweep"),
    "calibrate": (["calibrate", "CALIBRATION", "--jobs", "1", "--out", "OUT"],
                  "gigsim.cli.calibrate.calibrate"),
    "calibrate --check": (["calibrate", "CALIBRATION", "--jobs", "1", "--check"],
                          "gigsim.cli.calibrate.check"),
    "app": (["app", "--port", "0"], "gigsim.app.serve.serve"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_ctrl_c_is_one_line_and_exit_130_in_every_command(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args, target = CASES[name]
    files = {
        "OUT": str(tmp_path / "out"),
        "GRID": _sweep_file(tmp_path, '[grid]\n"projects.rating.arrivals_per_week" = [2, 4]\n'),
        "SOBOL": _sweep_file(tmp_path, '[sensitivity]\nmethod = "sobol"\nn = 2\n'
                                       '[sensitivity.bounds]\n'
                                       '"projects.rating.arrivals_per_week" = [2, 4]\n'),
        "CALIBRATION": _calibration_file(tmp_path),
    }
    if name == "report":
        (tmp_path / "out").mkdir()
    monkeypatch.setattr(target, _interrupt)
    result = CliRunner().invoke(main, [files.get(a, a) for a in args])
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 130, (result.exit_code, result.output, result.exception)
    assert len(lines) == 1 and lines[0].startswith("gigsim: interrupted (Ctrl-C): "), lines
    assert "Aborted" not in result.output and "Traceback" not in result.output
    if name not in ("sweep", "sensitivity", "calibrate", "report"):
        assert not (tmp_path / "out").exists()  # nothing half-written


def test_commands_registered_are_the_commands_tested() -> None:
    assert {n.split()[0] for n in CASES} == set(main.commands)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT are POSIX")
def test_a_real_ctrl_c_during_a_run_on_two_processes(tmp_path: Path) -> None:
    """SIGINT to the whole process group, as a terminal sends it: the spawned worker once
    printed its own KeyboardInterrupt traceback under the parent's "Aborted!"."""
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-c", "from gigsim.cli import main; main()", "run",
         str(ROOT / "scenarios" / "generalist.toml"), "--jobs", "2", "-r", "40", "--out",
         str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        cwd=tmp_path)
    deadline = time.monotonic() + 120
    # wait until the worker process has started (a child of the command), then a little more
    while time.monotonic() < deadline and not _children(process.pid):
        time.sleep(0.2)
    time.sleep(3)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines() == ["gigsim: interrupted (Ctrl-C): stopped before"
                                           " finishing"]
    assert not out.exists() and not list(tmp_path.glob(".out.partial-*"))


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            spawned = "spawn_main" in (stat.parent / "cmdline").read_text()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid and spawned:
            found.append(int(stat.parent.name))
    return found

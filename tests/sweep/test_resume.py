"""Nothing finished is lost: interrupted sweeps keep their runs and --resume computes the rest."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from gigsim.studies.sweep import ProcessBackend, load_sweep, run_sweep
from gigsim.studies.sweep.task import RunOutcome

from ._support import grid_text, invoke, snapshot, write

GIGSIM = Path(sys.executable).parent / "gigsim"


class Stop(Exception):
    """Raised by a hook to interrupt a sweep at a known point."""


def _stop_after(count: int) -> tuple[list[RunOutcome], object]:
    seen: list[RunOutcome] = []

    def hook(outcome: RunOutcome) -> None:
        seen.append(outcome)
        if len(seen) == count:
            raise Stop

    return seen, hook


def _tables(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in ("runs.csv", "points.csv")}


@pytest.fixture
def uninterrupted(tmp_path: Path) -> Path:
    spec = load_sweep(write(tmp_path, grid_text()))
    run_sweep(spec, tmp_path / "whole")
    return tmp_path / "whole"


def test_resume_after_an_interruption_gives_the_same_tables(tmp_path: Path,
                                                            uninterrupted: Path) -> None:
    spec = load_sweep(write(tmp_path, grid_text()))
    out = tmp_path / "cut"
    seen, hook = _stop_after(5)
    with pytest.raises(Stop):
        run_sweep(spec, out, on_run=hook)  # type: ignore[arg-type]
    assert len(list((out / "runs").glob("*.json"))) == 5
    assert not (out / "runs.csv").exists()
    computed: list[RunOutcome] = []
    result = run_sweep(spec, out, resume=True, on_run=computed.append)
    assert (result.computed, result.reused) == (7, 5)
    assert {o.key for o in computed}.isdisjoint({o.key for o in seen})
    assert _tables(out) == _tables(uninterrupted)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs_computed_now"] == 7 and manifest["runs_reused"] == 5


def test_resume_on_another_backend_and_twice(tmp_path: Path, uninterrupted: Path) -> None:
    spec = load_sweep(write(tmp_path, grid_text()))
    out = tmp_path / "cut"
    _, hook = _stop_after(3)
    with pytest.raises(Stop):
        run_sweep(spec, out, on_run=hook)  # type: ignore[arg-type]
    (out / "runs" / ".p000009-r0001.json.tmp-1234").write_text("{half a rec")  # a cut write
    result = run_sweep(spec, out, resume=True, backend=ProcessBackend(2))
    assert result.computed == 9
    assert not list((out / "runs").glob(".*"))
    assert _tables(out) == _tables(uninterrupted)
    again = run_sweep(spec, out, resume=True)  # finished: nothing to compute
    assert (again.computed, again.reused) == (0, 12)
    assert _tables(out) == _tables(uninterrupted)


def test_keep_tables_saves_each_run_and_resume_fills_in_missing_tables(tmp_path: Path) -> None:
    spec = load_sweep(write(tmp_path, grid_text()), {"replications": 1})
    out = tmp_path / "kept"
    result = run_sweep(spec, out, keep_tables=True)
    folders = sorted(p.name for p in (out / "tables").iterdir())
    assert folders == [f"p{i:06d}-r0000" for i in range(6)]
    months = pd.read_csv(out / "tables" / "p000002-r0000" / "worker_months.csv")
    assert set(months["replication"]) == {0} and len(months) > 0
    import shutil

    shutil.rmtree(out / "tables" / "p000004-r0000")
    again = run_sweep(spec, out, resume=True, keep_tables=True)
    assert again.computed == 1
    assert (out / "tables" / "p000004-r0000" / "spells.csv").is_file()
    pd.testing.assert_frame_equal(again.runs, result.runs, check_exact=True)


def _wait_for_parts(folder: Path, count: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        runs = folder / "runs"
        if runs.is_dir() and len(list(runs.glob("p*.json"))) >= count:
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("the sweep saved no runs in time")


# runs of about a tenth of a second, so that the process is stopped mid-sweep
SLOWER = ["--set", "workers.generalists.count=600", "--set", "projects.rating.seats.median=120",
          "--set", 'simulation.horizon="20w"']


@pytest.fixture(scope="module")
def slower_whole(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("slower")
    path = write(folder, grid_text())
    whole = invoke("sweep", path, *SLOWER, "--jobs", "1", "--out", folder / "whole", "-q")
    assert whole.exit_code == 0, whole.output
    return folder / "whole"


@pytest.mark.parametrize(("how", "jobs"), [("SIGKILL", "2"), ("SIGINT", "1")])
def test_a_stopped_process_keeps_its_runs(tmp_path: Path, slower_whole: Path, how: str,
                                          jobs: str) -> None:
    path = write(tmp_path, grid_text())
    out = tmp_path / "stopped"
    process = subprocess.Popen([str(GIGSIM), "sweep", str(path), *SLOWER, "--jobs", "1",
                                "--out", str(out), "-q"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for_parts(out, 3, process)
        process.send_signal(getattr(signal, how))
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    saved = len(list((out / "runs").glob("p*.json")))
    assert 3 <= saved < 12
    if how == "SIGINT":  # Ctrl-C: a clear message and status 130, no traceback
        assert process.returncode == 130
        text = stderr.decode()
        assert f"interrupted (Ctrl-C): {saved} of 12 runs are saved" in text and "--resume" in text
        assert "Traceback" not in text
    else:
        assert process.returncode == -signal.SIGKILL
    resumed = invoke("sweep", path, *SLOWER, "--jobs", jobs, "--out", out, "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert f"{12 - saved} computed" in resumed.stdout
    assert _tables(out) == _tables(slower_whole)


def test_resume_refuses_a_folder_from_another_sweep(tmp_path: Path) -> None:
    spec = load_sweep(write(tmp_path, grid_text()))
    _, hook = _stop_after(2)
    with pytest.raises(Stop):
        run_sweep(spec, tmp_path / "cut", on_run=hook)  # type: ignore[arg-type]
    before = snapshot(tmp_path / "cut")
    other = write(tmp_path, grid_text().replace("seed = 5", "seed = 6"), "other.toml")
    result = invoke("sweep", other, "--out", tmp_path / "cut", "--resume", "--jobs", "1")
    assert result.exit_code == 2
    assert "holds a different sweep" in result.stderr
    assert snapshot(tmp_path / "cut") == before

"""Backends: this process, two local processes and a real Dask cluster give identical tables."""

from __future__ import annotations

import logging
import os
import signal
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import gigsim
from gigsim.studies.sweep import DaskBackend, ProcessBackend, SerialBackend, load_sweep, run_sweep
from gigsim.studies.sweep.task import RunOutcome

from ._support import grid_text, invoke, write

distributed = pytest.importorskip("distributed")


def _files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in ("runs.csv", "points.csv")}


@pytest.mark.parametrize("crn", [True, False], ids=["common", "per-point"])
def test_backends_give_identical_tables(tmp_path: Path, dask_cluster: Any, crn: bool) -> None:
    spec = load_sweep(write(tmp_path, grid_text(crn=crn)))
    backends = {
        "serial": SerialBackend(),
        "processes": ProcessBackend(2),
        "dask": DaskBackend(dask_cluster.scheduler_address),
    }
    results = {name: run_sweep(spec, tmp_path / name, backend=backend)
               for name, backend in backends.items()}
    reference = results["serial"]
    assert len(reference.runs) == 12 and reference.runs["income_mean_usd"].notna().all()
    for name, result in results.items():
        pd.testing.assert_frame_equal(result.runs, reference.runs, check_exact=True)
        pd.testing.assert_frame_equal(result.points, reference.points, check_exact=True)
        assert _files(tmp_path / name) == _files(tmp_path / "serial"), name
    assert results["dask"].manifest["backend"]["workers"] == 2


def test_a_point_is_what_simulate_gives(tmp_path: Path) -> None:
    """Runs call the public entry point: point p, replication r is gigsim.simulate's r."""
    spec = load_sweep(write(tmp_path, grid_text()), {"grid": {
        "projects.rating.notice.probability": [0.0]}})
    result = run_sweep(spec, tmp_path / "out")
    point = spec.points[1]
    simulated = gigsim.simulate(point.scenario, replications=2, seed=5).summary()
    mine = result.runs[result.runs["point"] == 1].set_index("replication")
    expected = simulated.per_replication
    pd.testing.assert_frame_equal(mine[list(expected.columns)], expected, check_names=False)


def test_scheduler_local_from_the_command_line(tmp_path: Path) -> None:
    path = write(tmp_path, grid_text())
    serial = invoke("sweep", path, "--jobs", "1", "--out", tmp_path / "serial", "-q")
    local = invoke("sweep", path, "--scheduler", "local", "--jobs", "2",
                   "--out", tmp_path / "local")
    assert serial.exit_code == 0 and local.exit_code == 0, local.output
    assert "computed on 2 Dask worker(s)" in local.stdout
    assert _files(tmp_path / "local") == _files(tmp_path / "serial")


def test_a_lost_dask_worker_is_replaced_and_the_results_are_the_same(tmp_path: Path) -> None:
    """Kill one of two worker processes mid-sweep: the cluster reruns its tasks elsewhere."""
    # runs of about 0.3 s, so that the killed worker is busy with one
    spec = load_sweep(write(tmp_path, grid_text()), {
        "set": {"workers.generalists.count": 1200, "workers.generalists.arrivals_per_week": 60,
                "projects.rating.seats.median": 240, "simulation.horizon": "16w"}})
    expected = run_sweep(spec, tmp_path / "serial")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=":0",
                                       silence_logs=logging.CRITICAL)
    killed: list[int] = []
    try:
        with distributed.Client(cluster, set_as_default=False) as client:
            pids = client.run(os.getpid)

            def kill_one(outcome: RunOutcome) -> None:
                if not killed:  # a worker that holds tasks, after the first run is saved
                    busy = [address for address, keys in client.processing().items() if keys]
                    os.kill(pids[busy[0]], signal.SIGKILL)
                    killed.append(pids[busy[0]])

            result = run_sweep(spec, tmp_path / "dask", on_run=kill_one,
                               backend=DaskBackend(cluster.scheduler_address))
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # the nanny starts a new worker process
                now = client.run(os.getpid)
                if len(now) == 2 and killed[0] not in now.values():
                    break
                time.sleep(0.2)
            assert killed[0] not in client.run(os.getpid).values()
    finally:
        cluster.close()
    assert len(result.runs) == spec.runs
    pd.testing.assert_frame_equal(result.runs, expected.runs, check_exact=True)
    assert _files(tmp_path / "dask") == _files(tmp_path / "serial")

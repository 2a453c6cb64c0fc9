"""``gigsim sweep`` on the command line: the folder it writes, and bad input in one line."""

from __future__ import annotations

import json
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gigsim
from gigsim.analysis.applicants import ALL_METRICS as METRICS
from gigsim.analysis.statistics import nonnegative_interval

from ._support import (
    GENERALIST,
    TINY_SET,
    assert_one_line_error,
    grid_text,
    invoke,
    snapshot,
    sweep_text,
    write,
)

KEYS = ["projects.rating.arrivals_per_week", "projects.rating.notice.probability"]


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A finished tiny grid sweep: (sweep file, results folder, stdout)."""
    folder = tmp_path_factory.mktemp("finished")
    path = write(folder, grid_text())
    result = invoke("sweep", path, "--jobs", "1", "--out", folder / "out")
    assert result.exit_code == 0, result.output
    return path, folder / "out", result.stdout


def test_the_folder_holds_tidy_tables_figures_and_a_manifest(
        finished: tuple[Path, Path, str]) -> None:
    path, out, stdout = finished
    runs = pd.read_csv(out / "runs.csv")
    assert list(runs.columns) == ["point", "replication", "seed", *KEYS, *METRICS]
    assert len(runs) == 12 and runs[["point", "replication"]].duplicated().sum() == 0
    points = pd.read_csv(out / "points.csv")
    assert len(points) == 6 and (points["replications"] == 2).all()
    one = runs[runs["point"] == 4]["income_mean_usd"].tolist()
    mean, low, high = nonnegative_interval(one)  # money: bounded at 0
    row = points.set_index("point").loc[4]
    assert row["income_mean_usd"] == pytest.approx(mean)
    assert (row["income_mean_usd_ci_low"], row["income_mean_usd_ci_high"]) == pytest.approx(
        (low, high))
    assert not (points.filter(like="_share_ci_low") < 0).any().any()  # NaN where undefined
    assert not (points.filter(like="_share_ci_high") > 1).any().any()
    assert not (points.filter(like="_usd_ci_low") < 0).any().any()
    assert row[KEYS[0]] == 1.0 and row[KEYS[1]] == 0.0
    for metric in ("income_mean_usd", "latency_mean_h"):  # the file's metrics
        assert (out / f"heatmap_{metric}.png").stat().st_size > 10_000
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs"] == 12 and manifest["keys"] == KEYS
    assert manifest["backend"] == {"kind": "serial", "workers": 1}
    spec = json.loads((out / "spec.json").read_text())
    assert spec["digest"] == manifest["digest"]
    assert (out / "sweep.toml").read_text() == path.read_text()
    assert "income_mean_usd" in stdout and "12 runs (12 computed on this process)" in stdout


def test_one_key_gives_lines_and_parquet_works(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    path = write(tmp_path, sweep_text('[grid]\n"projects.rating.arrivals_per_week" ='
                                      " [0.25, 0.5, 1.0]\n"))
    result = invoke("sweep", path, "--jobs", "1", "--format", "parquet", "--out",
                    tmp_path / "out", "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "out")
    assert len(pd.read_parquet(tmp_path / "out" / "points.parquet")) == 3
    assert (tmp_path / "out" / "lines_applicant_income_usd.png").is_file()  # the default


def test_a_sample_sweep_runs(tmp_path: Path) -> None:
    design = ('[sample]\nmethod = "sobol"\ncount = 4\n[sample.bounds]\n'
              '"projects.rating.lifetime.median" = ["1w", "4w"]\n'
              '"dispatch.delay.mean" = ["1d", "1w"]\n')
    path = write(tmp_path, sweep_text(design, replications=1))
    result = invoke("sweep", path, "--jobs", "1", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    runs = pd.read_csv(tmp_path / "out" / "runs.csv")
    assert runs["projects.rating.lifetime.median"].between(168, 672).all()
    assert not list((tmp_path / "out").glob("heatmap_*"))  # a sample is no grid
    # the tables keep hours; the terminal shows swept durations and latencies in days
    # (they printed as bare hours, "388.612", before)
    lines = result.stdout.splitlines()
    rows = lines[lines.index(next(x for x in lines if x.lstrip().startswith("point"))) + 1:][:4]
    for row, (_, run) in zip(rows, runs.groupby("point"), strict=True):
        days = float(run["projects.rating.lifetime.median"].iloc[0]) / 24
        assert f"{days:.1f} days" in row and row.count(" days") >= 2, row


def test_an_existing_folder_needs_resume_or_force(finished: tuple[Path, Path, str]) -> None:
    path, out, _ = finished
    before = snapshot(out)
    assert_one_line_error(invoke("sweep", path, "--out", out), "already holds this sweep",
                          "--resume", "--force")
    assert_one_line_error(invoke("sweep", path, "--out", out, "--resume", "--force"),
                          "--resume and --force")
    assert snapshot(out) == before


BAD_FILES = [
    ("unknown key in a grid", '[grid]\n"projects.rating.arrivals_per_wek" = [0.5]\n',
     "grid.projects.rating.arrivals_per_wek: at point 0 = 0.5: unknown key"),
    ("empty grid", "[grid]\n", "grid: empty"),
    ("bounds with low above high",
     '[sample]\nmethod = "lhs"\ncount = 4\n[sample.bounds]\n'
     '"projects.rating.arrivals_per_week" = [1.0, 0.5]\n', "low must be below high"),
    ("sobol count not a power of two",
     '[sample]\nmethod = "sobol"\ncount = 6\n[sample.bounds]\n'
     '"projects.rating.arrivals_per_week" = [0.5, 1.0]\n', "needs a power of two, got 6"),
]


@pytest.mark.parametrize(("label", "design", "message"), BAD_FILES,
                         ids=[b[0] for b in BAD_FILES])
def test_bad_sweep_files_touch_nothing(tmp_path: Path, finished: tuple[Path, Path, str],
                                       label: str, design: str, message: str) -> None:
    _, out, _ = finished
    before = snapshot(out)
    path = write(tmp_path, sweep_text(design))
    assert_one_line_error(invoke("sweep", path, "--out", out, "--force"), str(path), message)
    assert snapshot(out) == before


def test_an_unreachable_scheduler_fails_fast_with_its_address(
        tmp_path: Path, finished: tuple[Path, Path, str]) -> None:
    pytest.importorskip("distributed")
    path, out, _ = finished
    before = snapshot(out)
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    started = time.monotonic()
    result = invoke("sweep", path, "--out", out, "--force", "--scheduler", address,
                    "--scheduler-timeout", "1.5")
    assert time.monotonic() - started < 15
    assert_one_line_error(result, f"--scheduler {address}: cannot reach the Dask scheduler"
                                  " within 1.5 s")
    assert snapshot(out) == before


def test_without_dask_the_scheduler_option_says_how_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    path = write(tmp_path, grid_text())
    assert_one_line_error(invoke("sweep", path, "--scheduler", "local", "--out",
                                 tmp_path / "out"), "pip install 'gigsim[dask]'")
    assert not (tmp_path / "out").exists()


def test_bad_options(tmp_path: Path) -> None:
    path = write(tmp_path, grid_text())
    assert_one_line_error(invoke("sweep", path, "--jobs", "-1", "--out", tmp_path / "o"),
                          "--jobs")
    assert_one_line_error(invoke("sweep", path, "--set", "nope", "--out", tmp_path / "o"),
                          "expected KEY=VALUE")
    assert_one_line_error(invoke("sweep", path, "--set", "workers.generalists.count=-1",
                                 "--out", tmp_path / "o"),
                          "--set: workers.generalists.count", "must be zero or positive")
    assert_one_line_error(invoke("sweep", tmp_path / "missing.toml"), "no such file")
    assert not (tmp_path / "o").exists()


def test_set_on_the_command_line_is_part_of_the_sweep(tmp_path: Path,
                                                      finished: tuple[Path, Path, str]) -> None:
    path, out, _ = finished
    result = invoke("sweep", path, "--set", 'simulation.horizon="10w"', "--out", out,
                    "--resume")
    assert_one_line_error(result, "holds a different sweep")


def test_runs_keep_the_applicant_metrics_and_show_them_by_default(tmp_path: Path) -> None:
    """A sweep file that names no metrics shows the per-applicant ones, and each run's values
    are what a comparison of the same scenario and replication gives."""
    from gigsim.analysis.applicants import applicant_summary
    from gigsim.studies.sweep.spec import DEFAULT_METRICS

    text = sweep_text('[grid]\n"projects.rating.arrivals_per_week" = [0.5]\n', replications=2)
    result = invoke("sweep", write(tmp_path, text), "--jobs", "1", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert all(metric.startswith("applicant_") for metric in DEFAULT_METRICS)
    assert all(metric in result.stdout for metric in DEFAULT_METRICS)
    runs = pd.read_csv(tmp_path / "out" / "runs.csv")
    scenario = gigsim.load_scenario(
        GENERALIST, overrides={**tomllib.loads(TINY_SET)["set"],
                               "projects.rating.arrivals_per_week": 0.5})
    alone = gigsim.simulate(scenario, replications=2, seed=5)
    expected = applicant_summary(alone.records).xs("all", level="group")
    for metric in DEFAULT_METRICS:
        np.testing.assert_allclose(runs[metric], expected[metric], rtol=1e-9)

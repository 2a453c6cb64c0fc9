"""``gigsim sweep --precision``: each point runs rounds until its own intervals are narrow."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from gigsim.errors import ScenarioError
from gigsim.studies.precision import check_metric
from gigsim.studies.sweep import ProcessBackend, SerialBackend, load_sweep, run_sweep

from ._support import assert_one_line_error, invoke, sweep_text, write

# Two points far apart: few projects (income rare and noisy) and many (steady income).
POINTS = '[grid]\n"projects.rating.arrivals_per_week" = [0.25, 1.0]\n'
BY_PRECISION = 'replications = "auto"\nprecision = 0.1\nmax_replications = 25\n'


def _text(extra: str = BY_PRECISION) -> str:
    return sweep_text(POINTS, extra=extra).replace("replications = 2\n", "")


def test_each_point_runs_until_its_own_targets_are_met_whatever_the_backend(
        tmp_path: Path) -> None:
    spec = load_sweep(write(tmp_path, _text()))
    assert spec.goal is not None and spec.goal.metrics == (
        "applicant_income_usd", "applicant_zero_month_share")
    serial = run_sweep(spec, tmp_path / "serial", backend=SerialBackend())
    counts = serial.points["replications"].tolist()
    assert all(n % 5 == 0 and 10 <= n <= 25 for n in counts)
    assert counts[0] > counts[1]  # the noisier point needed more
    runs = serial.runs
    for point, n in enumerate(counts):  # what the table says, checked from its own runs
        mine = runs[runs["point"] == point]
        assert mine["replication"].tolist() == list(range(n))
        met = all(check_metric(m, mine[m], 0.1).met for m in spec.goal.metrics)
        assert serial.points.loc[point, "precision_met"] == met
        shorter = all(check_metric(m, mine[m][:n - 5], 0.1).met for m in spec.goal.metrics)
        assert n == 10 or not shorter  # it did not run a round more than it needed
        assert met or n == 25
    manifest = json.loads((tmp_path / "serial" / "manifest.json").read_text())
    chosen = manifest["replications_chosen"]
    assert [p["replications"] for p in chosen["points"]] == counts
    assert manifest["runs"] == sum(counts)
    # two processes, and a resume after losing the last round of the first point: the same
    parallel = run_sweep(spec, tmp_path / "parallel", backend=ProcessBackend(2))
    pd.testing.assert_frame_equal(serial.points, parallel.points)
    for replication in range(counts[0] - 5, counts[0]):
        (tmp_path / "parallel" / "runs" / f"p000000-r{replication:04d}.json").unlink()
    resumed = run_sweep(spec, tmp_path / "parallel", resume=True)
    assert resumed.computed == 5
    pd.testing.assert_frame_equal(serial.points, resumed.points)
    pd.testing.assert_frame_equal(serial.runs, resumed.runs)


def test_a_sweep_without_precision_keeps_its_digest_and_says_its_replications(
        tmp_path: Path) -> None:
    text = sweep_text(POINTS)
    spec = load_sweep(write(tmp_path, text))
    assert spec.goal is None and "precision" not in spec.resolved()
    out = tmp_path / "out"
    result = invoke("sweep", write(tmp_path, text), "--out", out, "-j", "1",
                    "--set", 'simulation.horizon="8w"')
    assert result.exit_code == 0, result.output
    assert "2 replication(s) at every point (as given; no precision asked)" in result.stdout
    assert "precision_met" not in pd.read_csv(out / "points.csv").columns


def test_the_command_line_asks_for_precision_over_the_files_replications(
        tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("sweep", write(tmp_path, sweep_text(POINTS)), "--out", out, "-j", "1",
                    "--precision", "50%", "--max-replications", "10")
    assert result.exit_code == 0, result.output
    assert ("replications per point chosen by precision 50% on applicant_income_usd,"
            " applicant_zero_month_share: 10 (column replications); " in result.stdout)
    points = pd.read_csv(out / "points.csv")
    assert points["replications"].tolist() == [10, 10]
    short = points.loc[~points["precision_met"], "point"].tolist()
    assert short == [0]  # few projects: income too rare to pin down in 10 replications
    assert ("not met at 1 point(s) (point 0), stopped at --max-replications 10"
            in result.stdout)
    assert "     10         SHORT" in result.stdout


@pytest.mark.parametrize("extra, key, fragment", [
    ("precision = 0.05\n", "precision", 'only with replications = "auto"'),
    ('replications = "auto"\nmax_replications = 3\n', "max_replications", "at least 10"),
    ('replications = "auto"\nprecision = 2\n', "precision", "between 0 and 1"),
    ('replications = "auto"\nprecision_metrics = ["income"]\n', "precision_metrics",
     "unknown metric `income`"),
])
def test_bad_precision_keys_name_the_file_and_key(tmp_path: Path, extra: str, key: str,
                                                  fragment: str) -> None:
    path = write(tmp_path, _text(extra))
    with pytest.raises(ScenarioError) as caught:
        load_sweep(path)
    assert caught.value.key == key and fragment in str(caught.value)
    assert str(path) in str(caught.value)


def test_precision_and_replications_on_the_command_line_are_one_line(tmp_path: Path) -> None:
    result = invoke("sweep", write(tmp_path, sweep_text(POINTS)), "--precision", "5%",
                    "-r", "3", "--out", tmp_path / "out")
    assert_one_line_error(result, "--precision", "--replications", "not both")


def test_a_base_scenario_asking_for_replications_auto_makes_a_sweep_by_precision(
        tmp_path: Path) -> None:
    auto = '"simulation.replications" = "auto"\n"simulation.precision" = 0.2\n'
    text = _text("").replace("[set]\n", "[set]\n" + auto, 1)
    spec = load_sweep(write(tmp_path, text))
    assert spec.goal is not None and spec.goal.precision == 0.2
    assert spec.replications == spec.goal.max_replications == 200
    assert spec.resolved()["precision"]["precision"] == 0.2  # in the digest
    # a count in the sweep file wins over the scenario's "auto"
    counted = load_sweep(write(tmp_path, "replications = 3\n" + text, "counted.toml"))
    assert counted.goal is None and counted.replications == 3

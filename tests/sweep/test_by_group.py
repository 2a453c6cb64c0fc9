"""gigsim sweep split by worker group, as compare: each group's applicants alone, per run and
per point, by default when the scenario has several groups."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gigsim
from gigsim.analysis.applicants import APPLICANT_METRICS
from gigsim.studies.comparison import compare
from gigsim.studies.sweep.spec import DEFAULT_METRICS

from ._support import ROOT, invoke, sweep_text, write

PLATFORM = ROOT / "scenarios" / "platform.toml"
# scenarios/platform.toml shrunk (seats with workers), 16 weeks: two groups with applicants
SMALL_PLATFORM = """\
[set]
"workers.generalists.count" = 300
"workers.generalists.arrivals_per_week" = 30
"workers.specialists.count" = 80
"workers.specialists.arrivals_per_week" = 8
"projects.rating.seats.median" = 80
"projects.stem.seats.median" = 5
"simulation.horizon" = "16w"
"simulation.warmup" = "4w"
"""
GROUPS = ("generalists", "specialists")


def platform_sweep(folder: Path) -> Path:
    text = (f'name = "groups"\nscenario = "{PLATFORM.as_posix()}"\nreplications = 2\nseed = 3\n'
            f'{SMALL_PLATFORM}\n[grid]\n"dispatch.policy" = ["longest-idle", "random"]\n')
    return write(folder, text)


@pytest.fixture(scope="module")
def by_group(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("by-group")
    result = invoke("sweep", platform_sweep(folder), "--out", folder / "out", "--jobs", "1")
    assert result.exit_code == 0, (result.output, result.exception)
    return folder / "out", result.stdout


def test_two_groups_are_split_by_default(by_group: tuple[Path, str]) -> None:
    out, stdout = by_group
    runs = pd.read_csv(out / "runs.csv")
    split = pd.read_csv(out / "runs_by_group.csv")
    assert list(split["group"].unique()) == list(GROUPS)
    assert len(split) == 2 * len(runs)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["by_group"] == list(GROUPS)
    assert {"runs_by_group.csv", "points_by_group.csv"} <= set(manifest["files"])
    # the groups partition each run's applicants, and their income adds up to the pooled
    for run in runs.itertuples():
        mine = split[(split["point"] == run.point) & (split["replication"] == run.replication)]
        assert mine["applicant_count"].sum() == run.applicant_count
        income = (mine["applicant_income_usd"] * mine["applicant_count"]).sum()
        assert income == pytest.approx(run.applicant_income_usd * run.applicant_count)
    assert split["applicant_count"].min() > 0
    assert "per applicant, by worker group" in stdout
    # one swept key: a line per group for each per-applicant metric shown
    drawn = {name for name in manifest["files"] if name.startswith("lines_by_group_")}
    assert drawn == {f"lines_by_group_{m}.png" for m in DEFAULT_METRICS
                     if m in APPLICANT_METRICS}
    assert drawn and all((out / name).stat().st_size > 0 for name in drawn)
    for group in GROUPS:
        assert f"random {group} " in " ".join(stdout.split())


def test_points_by_group_are_the_means_of_the_runs(by_group: tuple[Path, str]) -> None:
    out, _ = by_group
    split = pd.read_csv(out / "runs_by_group.csv")
    points = pd.read_csv(out / "points_by_group.csv")
    assert len(points) == 2 * len(GROUPS)
    for row in points.itertuples():
        mine = split[(split["point"] == row.point) & (split["group"] == row.group)]
        for metric in APPLICANT_METRICS:
            assert getattr(row, metric) == pytest.approx(mine[metric].mean(), nan_ok=True)
        assert row.applicant_stay_share_ci_low <= row.applicant_stay_share
        assert 0 <= row.applicant_stay_share_ci_low <= row.applicant_stay_share_ci_high <= 1


def test_a_groups_values_are_compares(by_group: tuple[Path, str]) -> None:
    """The same scenario, seed and replications through compare give each group the same
    per-replication values (a sweep with common random numbers runs every point on its seed)."""
    out, _ = by_group
    split = pd.read_csv(out / "runs_by_group.csv")
    seed = int(split["seed"].iloc[0])
    scenario = gigsim.load_scenario(PLATFORM, overrides=_small_overrides())
    comparison = compare(scenario, {"random": {"dispatch.policy": "random"}},
                         replications=2, seed=seed, keep_tables=False)
    for group in GROUPS:
        values = comparison.values("random", group)
        mine = split[(split["group"] == group) & (split["point"] == 1)].set_index("replication")
        for metric in ("applicant_count", "applicant_income_usd", "applicant_stay_share"):
            np.testing.assert_allclose(mine[metric].to_numpy(), values[metric].to_numpy(),
                                       rtol=1e-12)


def _small_overrides() -> dict[str, object]:
    overrides: dict[str, object] = {}
    for line in SMALL_PLATFORM.splitlines()[1:]:
        key, value = line.split(" = ")
        overrides[key.strip('"')] = value.strip('"') if value.startswith('"') else int(value)
    return overrides


def test_by_none_pools_only(tmp_path: Path) -> None:
    result = invoke("sweep", platform_sweep(tmp_path), "--out", tmp_path / "out", "--jobs", "1",
                    "--by", "none")
    assert result.exit_code == 0, (result.output, result.exception)
    assert not (tmp_path / "out" / "runs_by_group.csv").exists()
    assert not list((tmp_path / "out").glob("lines_by_group_*"))
    assert "by worker group" not in result.stdout
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["by_group"] == []


def test_one_group_has_nothing_to_split(tmp_path: Path) -> None:
    sweep = write(tmp_path, sweep_text('[grid]\n"dispatch.policy" = ["longest-idle"]\n',
                                       replications=1))
    result = invoke("sweep", sweep, "--out", tmp_path / "out", "--jobs", "1")
    assert result.exit_code == 0, (result.output, result.exception)
    assert not (tmp_path / "out" / "runs_by_group.csv").exists()

"""Sweep files: grids, samples, seeds, digests, and the errors that name the file and the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from gigsim.errors import ScenarioError
from gigsim.studies.sweep import load_sweep, point_seed
from gigsim.studies.sweep.design import expand_values

from ._support import GENERALIST, SWEEPS, grid_text, sweep_text, write


def test_grid_is_full_factorial_last_key_fastest(tmp_path: Path) -> None:
    spec = load_sweep(write(tmp_path, grid_text()))
    assert spec.kind == "grid" and spec.runs == 12
    assert [tuple(p.overrides.values()) for p in spec.points] == [
        (0.25, 0.0), (0.25, 1.0), (0.5, 0.0), (0.5, 1.0), (1.0, 0.0), (1.0, 1.0)]
    point = spec.points[3]
    assert point.scenario.projects[0].arrivals_per_week == 0.5
    assert point.scenario.workers[0].count == 300  # the [set] table applies at every point


@pytest.mark.parametrize(("raw", "expected"), [
    ({"from": 0.0, "to": 1.0, "count": 5}, [0.0, 0.25, 0.5, 0.75, 1.0]),
    ({"from": 0.125, "to": 1.0, "count": 4, "log": True}, [0.125, 0.25, 0.5, 1.0]),
    ({"from": 0.1, "to": 0.5, "step": 0.1}, [0.1, 0.2, 0.3, 0.4, 0.5]),
    ({"from": 200, "to": 1000, "count": 5}, [200, 400, 600, 800, 1000]),
    (["1w", "2w"], ["1w", "2w"]),
])
def test_ranges(raw: object, expected: list[object]) -> None:
    values = expand_values("k", raw, "f.toml", "grid")
    assert values == expected
    assert [type(v) for v in values] == [type(v) for v in expected]


def test_unquoted_dotted_keys_mean_the_same(tmp_path: Path) -> None:
    quoted = load_sweep(write(tmp_path, grid_text(), "a.toml"))
    text = grid_text().replace('"projects.rating.arrivals_per_week"',
                               "projects.rating.arrivals_per_week")
    assert load_sweep(write(tmp_path, text, "b.toml")).digest() == quoted.digest()


@pytest.mark.parametrize("method", ["random", "lhs", "sobol"])
def test_samples_stay_in_bounds_and_repeat(tmp_path: Path, method: str) -> None:
    design = f"""
[sample]
method = "{method}"
count = 8
[sample.bounds]
"projects.rating.arrivals_per_week" = [0.25, 1.0]
"projects.rating.lifetime.median" = ["1w", "4w"]
"workers.generalists.count" = {{ low = 200, high = 400, integer = true }}
"""
    spec = load_sweep(write(tmp_path, sweep_text(design)))
    again = load_sweep(write(tmp_path, sweep_text(design), "again.toml"))
    assert len(spec.points) == 8 and spec.digest() == again.digest()
    x = np.array([[p.columns[k] for k in spec.keys] for p in spec.points])
    assert ((x[:, 0] >= 0.25) & (x[:, 0] <= 1.0)).all()
    assert ((x[:, 1] >= 168) & (x[:, 1] <= 4 * 168)).all()  # durations: hours in the tables
    assert (x[:, 2] == np.round(x[:, 2])).all()
    first = spec.points[0]
    assert first.overrides["projects.rating.lifetime.median"].endswith("h")
    assert isinstance(first.overrides["workers.generalists.count"], int)
    assert first.scenario.workers[0].count == first.overrides["workers.generalists.count"]
    other_seed = load_sweep(write(tmp_path, sweep_text(design, seed=6), "other.toml"))
    assert other_seed.points[0].columns != first.columns


def test_latin_hypercube_puts_one_point_in_each_stratum(tmp_path: Path) -> None:
    design = """
[sample]
method = "lhs"
count = 10
[sample.bounds]
"projects.rating.arrivals_per_week" = [0.0, 1.0]
"projects.rating.notice.probability" = [0.0, 1.0]
"""
    spec = load_sweep(write(tmp_path, sweep_text(design)))
    for key in spec.keys:
        strata = sorted(int(p.columns[key] * 10) for p in spec.points)
        assert strata == list(range(10))


def test_seeds_common_or_per_point(tmp_path: Path) -> None:
    common = load_sweep(write(tmp_path, grid_text(crn=True), "c.toml"))
    own = load_sweep(write(tmp_path, grid_text(crn=False), "o.toml"))
    assert {common.run_seed(p.index) for p in common.points} == {5}
    seeds = [own.run_seed(p.index) for p in own.points]
    assert len(set(seeds)) == len(seeds)
    assert seeds == [point_seed(5, i) for i in range(len(seeds))]
    assert min(seeds) >= 0 and max(seeds) < 2**63
    assert common.digest() != own.digest()


def test_digest_follows_what_decides_the_results(tmp_path: Path) -> None:
    base = load_sweep(write(tmp_path, grid_text(), "base.toml")).digest()
    # where the file is does not matter
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(tmp_path / "base.toml", elsewhere / "moved.toml")
    assert load_sweep(elsewhere / "moved.toml").digest() == base
    for old, new in [("replications = 2", "replications = 3"), ("seed = 5", "seed = 6"),
                     ("[0.0, 1.0]", "[0.0, 0.5]"), ('= "12w"', '= "13w"')]:
        changed = grid_text().replace(old, new)
        assert changed != grid_text()
        assert load_sweep(write(tmp_path, changed, "changed.toml")).digest() != base
    # metrics only choose figures: the same runs
    same = grid_text().replace('"latency_mean_h"]', '"idle_share"]')
    assert load_sweep(write(tmp_path, same, "same.toml")).digest() == base


def test_changes_merge_into_the_file(tmp_path: Path) -> None:
    spec = load_sweep(write(tmp_path, grid_text()),
                      {"replications": 1, "set": {"simulation.horizon": "6w"},
                       "grid": {"projects.rating.arrivals_per_week": [0.5]}})
    assert spec.runs == 2
    assert spec.base.simulation.horizon_h == 6 * 168
    assert spec.base.workers[0].count == 300  # the rest of [set] is kept


@pytest.mark.parametrize("name", ["arrival_notice", "lifetime_sample",
                                  "sensitivity_generalist"])
def test_shipped_sweeps_load(name: str) -> None:
    spec = load_sweep(SWEEPS / f"{name}.toml")
    assert spec.name == name and spec.points
    assert spec.base.source.endswith("generalist.toml")


def test_shipped_grid_is_the_documented_one() -> None:
    spec = load_sweep(SWEEPS / "arrival_notice.toml")
    assert spec.keys == ("projects.rating.arrivals_per_week",
                         "projects.rating.notice.probability")
    assert spec.runs == 64
    assert sorted({p.columns[spec.keys[0]] for p in spec.points}) == [0.125, 0.25, 0.5, 1.0]


def test_every_key_of_the_shipped_sweeps_is_commented() -> None:
    for path in SWEEPS.glob("*.toml"):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if "=" not in line or line.lstrip().startswith("#"):
                continue
            previous = lines[number - 1].strip() if number else ""
            assert "#" in line or previous.startswith("#"), (path.name, line)


BAD = [
    ("unknown key in a grid",
     '[grid]\n"projects.rating.arrivals_per_wek" = [0.5, 1.0]\n',
     "grid.projects.rating.arrivals_per_wek", "unknown key"),
    ("unknown generator in a grid", '[grid]\n"projects.nosuch.arrivals_per_week" = [1.0]\n',
     "grid.projects.nosuch.arrivals_per_week", "no projects entry named 'nosuch'"),
    ("empty grid", "[grid]\n", "grid", "empty"),
    ("empty list", '[grid]\n"projects.rating.arrivals_per_week" = []\n',
     "grid.projects.rating.arrivals_per_week", "empty list"),
    ("bad value at a point", '[grid]\n"projects.rating.notice.probability" = [0.5, 1.5]\n',
     "grid.projects.rating.notice.probability", "at point 1 = 1.5"),
    ("range with count and step",
     '[grid]\n"projects.rating.arrivals_per_week" = { from = 1, to = 2, count = 2, step = 1 }\n',
     "grid.projects.rating.arrivals_per_week", "either count or step"),
    ("low equal to high",
     '[sample]\nmethod = "lhs"\ncount = 4\n[sample.bounds]\n'
     '"projects.rating.arrivals_per_week" = [1.0, 1.0]\n',
     "sample.bounds.projects.rating.arrivals_per_week", "low must be below high"),
    ("low above high",
     '[sample]\nmethod = "random"\ncount = 4\n[sample.bounds]\n'
     '"projects.rating.lifetime.median" = ["3w", "1w"]\n',
     "sample.bounds.projects.rating.lifetime.median", "low must be below high"),
    ("sobol count not a power of two",
     '[sample]\nmethod = "sobol"\ncount = 12\n[sample.bounds]\n'
     '"projects.rating.arrivals_per_week" = [0.5, 1.0]\n',
     "sample.count", "power of two, got 12 (try 8 or 16)"),
    ("lhs count below its minimum",
     '[sample]\nmethod = "lhs"\ncount = 1\n[sample.bounds]\n'
     '"projects.rating.arrivals_per_week" = [0.5, 1.0]\n',
     "sample.count", "at least 2"),
    ("unknown method",
     '[sample]\nmethod = "halton"\ncount = 4\n[sample.bounds]\n"k" = [0.5, 1.0]\n',
     "sample.method", "unknown value 'halton'"),
    ("sensitivity n not a power of two",
     '[sensitivity]\nmethod = "sobol"\nn = 10\n[sensitivity.bounds]\n'
     '"projects.rating.arrivals_per_week" = [0.5, 1.0]\n',
     "sensitivity.n", "power of two"),
    ("morris levels odd",
     '[sensitivity]\nmethod = "morris"\nn = 4\nlevels = 3\n[sensitivity.bounds]\n'
     '"projects.rating.arrivals_per_week" = [0.5, 1.0]\n',
     "sensitivity.levels", "even"),
    ("grid and sample", '[grid]\n"dispatch.policy" = ["random"]\n'
     '[sample]\nmethod = "lhs"\ncount = 4\n', "", "exactly one of"),
    ("no design", "", "", "exactly one of"),
]


@pytest.mark.parametrize(("label", "design", "key", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_sweep_files_name_the_key(tmp_path: Path, label: str, design: str, key: str,
                                      message: str) -> None:
    path = write(tmp_path, sweep_text(design))
    with pytest.raises(ScenarioError) as caught:
        load_sweep(path)
    assert caught.value.source == str(path)
    assert caught.value.key == key, str(caught.value)
    assert message in caught.value.message, str(caught.value)


def test_bad_top_level_keys(tmp_path: Path) -> None:
    grid = '[grid]\n"dispatch.policy" = ["random"]\n'
    with pytest.raises(ScenarioError, match="metrics: unknown metric 'income'"):
        load_sweep(write(tmp_path, sweep_text(grid, extra='metrics = ["income"]')))
    with pytest.raises(ScenarioError, match="replicatons: unknown key"):
        load_sweep(write(tmp_path, sweep_text(grid, extra="replicatons = 2")))
    with pytest.raises(ScenarioError, match="no such file"):
        load_sweep(write(tmp_path, sweep_text(grid).replace(GENERALIST.as_posix(), "nope.toml")))
    with pytest.raises(ScenarioError, match=r"set\.workers\.generalists\.count"):
        load_sweep(write(tmp_path, sweep_text(grid).replace("= 300", "= -3")))

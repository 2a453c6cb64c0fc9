"""The engine reproduces the recorded statistics of the first engine (v1) on every variant.

``fixtures.json`` holds, for each variant of ``fixture_variants.py`` and each metric, the mean
over 60 replications of engine v1 (seed 20261201, recorded at commit 4794d89; v1 was removed
after 4ff84e0, the last commit that has it) of the metric's per-replication value, and its
standard error. Here the engine (``gigsim.simulate``) simulates each variant with another seed
(``SEED``) and ``REPLICATIONS`` replications, and every metric must agree:

    |mean_new - mean_fixture| <= 4 * sqrt(se_fixture**2 + se_new**2)

A metric whose standard error is 0 on both sides (the same value in every replication, e.g. no
exits in a variant without attrition) must match exactly, to rounding (1e-9 relative).

False alarms: the two means are independent (different seeds), so under "same model" the
difference over its combined standard error is close to a Welch t statistic with about
60 + 30 - 2 degrees of freedom, and exceeds 4 with probability about 1.3e-4 (6.3e-5 for a
normal; the estimated standard errors fatten the tail). There are at most 27 variants x 15
metrics = 405 comparisons, fewer where both standard errors are 0, so a correct
engine fails at most about 405 x 1.3e-4 = 5% of the seeds it could be run with (a union bound;
the variants share a seed, so their comparisons are positively correlated and the true rate is
lower: on v1 with this seed the 356 z values have mean -0.01, sd 0.46, largest |z| 2.65). The
seed is fixed, so a pass stays a pass. The other way round: the standard error of 30 replications is
about sqrt(2) times that of the fixture's 60, so the band is about 4 * sqrt(3) = 6.9 fixture
standard errors wide on each side, and a real difference of that size is caught half the time
(README.md lists what that is for each metric).
``test_false_alarm_rate_is_as_documented`` recomputes these figures from the fixture.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import fixture_variants as fv
import pandas as pd
import pytest
from scipy import stats

import gigsim

FIXTURE = Path(__file__).with_name("fixtures.json")
SEED = 20261202  # not the recording's seed: the two samples are independent
REPLICATIONS = 30
BAND = 4.0  # combined standard errors
RELATIVE_EXACT = 1e-9


def _fixture() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return document


FIXTURES = _fixture()


def _compare(name: str, metric: str, recorded: dict[str, Any], new: dict[str, float]
             ) -> str | None:
    """None if ``new`` agrees with ``recorded``, else a line saying how it differs."""
    old_mean, old_se, old_n = recorded["mean"], recorded["se"], recorded["n"]
    if old_n == 0 or new["n"] == 0:
        if old_n == new["n"]:
            return None
        return f"{name} / {metric}: defined in {new['n']} replications, fixture {old_n}"
    if old_n < 2 or new["n"] < 2:
        return f"{name} / {metric}: too few replications with a value ({new['n']}, {old_n})"
    combined = math.hypot(old_se, new["se"])
    difference = new["mean"] - old_mean
    if combined == 0:
        if abs(difference) <= RELATIVE_EXACT * max(1.0, abs(old_mean)):
            return None
        return (f"{name} / {metric}: {new['mean']:.6g} in every replication, fixture"
                f" {old_mean:.6g} in every replication")
    z = difference / combined
    if abs(z) <= BAND:
        return None
    return (f"{name} / {metric}: {new['mean']:.6g} ± {new['se']:.3g} vs fixture"
            f" {old_mean:.6g} ± {old_se:.3g}, off by {z:+.2f} combined standard errors")


def test_fixture_is_stamped_and_current() -> None:
    assert FIXTURES["engine"] == "v1"
    assert FIXTURES["seed"] != SEED
    assert FIXTURES["replications"] >= 30
    assert FIXTURES["gigsim_commit"] and FIXTURES["gigsim_commit"] != "unknown"
    assert list(FIXTURES["metrics"]) == list(fv.METRICS)
    assert set(FIXTURES["variants"]) == set(fv.VARIANTS), \
        "variants changed: re-record with tests/validation/engine_fixtures/record.py"
    stale = [name for name, entry in FIXTURES["variants"].items()
             if entry["digest"] != fv.digest(name)]
    assert not stale, f"re-record the fixtures: the definitions of {stale} changed"
    assert len(fv.VARIANTS) >= 20


def test_false_alarm_rate_is_as_documented() -> None:
    df = FIXTURES["replications"] + REPLICATIONS - 2
    per_comparison = 2 * float(stats.t.sf(BAND, df))
    comparisons = sum(1 for entry in FIXTURES["variants"].values()
                      for m in entry["metrics"].values() if m["n"] >= 2)
    union = comparisons * per_comparison  # a bound on the chance of any false alarm
    print(f"{comparisons} comparisons, each {per_comparison:.2g}, any of them <= {union:.3f}")
    assert comparisons <= len(fv.VARIANTS) * len(fv.METRICS) <= 27 * 15
    assert per_comparison == pytest.approx(1.3e-4, abs=0.1e-4)
    assert union <= 0.055


def _values(name: str) -> pd.DataFrame:
    """Per-replication metrics of variant ``name`` on the engine."""
    results = gigsim.simulate(fv.scenario(name), replications=REPLICATIONS, seed=SEED)
    return fv.measure(results)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(fv.VARIANTS))
def test_engine_matches_the_recorded_statistics(name: str) -> None:
    values = _values(name)
    recorded = FIXTURES["variants"][name]["metrics"]
    failures = [line for metric in fv.METRICS
                if (line := _compare(name, metric, recorded[metric],
                                     fv.mean_and_se(values[metric]))) is not None]
    assert not failures, "\n".join(failures)


def test_recording_writes_what_the_comparison_reads(tmp_path: Path) -> None:
    import record  # beside this file

    document = record.record(seed=7, replications=3, names=["no-delay"])
    out = tmp_path / "fixtures.json"
    record.write(document, out)
    again = json.loads(out.read_text(encoding="utf-8"))
    assert again["engine"] == record.ENGINE and again["seed"] == 7 and again["replications"] == 3
    assert again["gigsim_commit"] == record._commit()  # "unknown" outside a git checkout
    assert list(again["variants"]) == ["no-delay"]
    entry = again["variants"]["no-delay"]
    assert entry["digest"] == fv.digest("no-delay")
    values = fv.measure(gigsim.simulate(fv.scenario("no-delay"), replications=3, seed=7))
    for metric in fv.METRICS:
        expected = fv.mean_and_se(values[metric])
        assert entry["metrics"][metric]["n"] == expected["n"] == 3
        assert entry["metrics"][metric]["mean"] == pytest.approx(expected["mean"], rel=1e-12)
    assert [p.name for p in tmp_path.iterdir()] == ["fixtures.json"]  # no temporary left


def test_the_comparisons_can_fail() -> None:
    """The comparison flags a shift, a constant that differs, and a value defined too rarely."""
    base = pd.Series([10.0, 11.0, 9.0, 10.5, 9.5, 10.0])
    recorded = fv.mean_and_se(base)
    assert _compare("v", "m", recorded, fv.mean_and_se(base)) is None
    assert _compare("v", "m", recorded, fv.mean_and_se(base + 5.0)) is not None
    constant = fv.mean_and_se(pd.Series([3.0] * 6))
    assert _compare("v", "m", constant, constant) is None
    assert _compare("v", "m", constant, fv.mean_and_se(pd.Series([3.001] * 6))) is not None
    assert _compare("v", "m", recorded, fv.mean_and_se(pd.Series([10.0]))) is not None

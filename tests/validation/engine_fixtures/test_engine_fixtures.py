"""Every engine reproduces the recorded statistics of engine v1 on every fixture variant.

``fixtures.json`` holds, for each variant of ``fixture_variants.py`` and each metric, the mean
over 60 replications of engine v1 (seed 20261201) of the metric's per-replication value, and
its standard error. Here each engine in ``gigsim.engines.ENGINES`` simulates each variant with
another seed (``SEED``) and ``REPLICATIONS`` replications, and every metric must agree:

    |mean_new - mean_fixture| <= 4 * sqrt(se_fixture**2 + se_new**2)

A metric whose standard error is 0 on both sides (the same value in every replication, e.g. no
exits in a variant without attrition) must match exactly, to rounding (1e-9 relative).

False alarms: the two means are independent (different seeds), so under "same model" the
difference over its combined standard error is close to a Welch t statistic with about
60 + 30 - 2 degrees of freedom, and exceeds 4 with probability about 1.3e-4 (6.3e-5 for a
normal; the estimated standard errors fatten the tail). There are at most 27 variants x 15
metrics = 405 comparisons per engine, fewer where both standard errors are 0, so a correct
engine fails at most about 405 x 1.3e-4 = 5% of the seeds it could be run with (a union bound;
the variants share a seed, so their comparisons are positively correlated and the true rate is
lower: on v1 with this seed the 356 z values have mean -0.01, sd 0.46, largest |z| 2.65). The
seed is fixed, so a pass stays a pass. The other way round: the standard error of 30 replications is
about sqrt(2) times that of the fixture's 60, so the band is about 4 * sqrt(3) = 6.9 fixture
standard errors wide on each side, and a real difference of that size is caught half the time
(README.md lists what that is for each metric).
``test_false_alarm_rate_is_as_documented`` recomputes these figures from the fixture.

While v1 is still an engine, ``test_engine_matches_v1_replication_by_replication`` also compares
every other engine with v1 on the same seed, replication by replication (see the comment above
it): a far tighter check where the engines share their random streams.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

import fixture_variants as fv
import pandas as pd
import pytest
from scipy import stats

import gigsim
from gigsim.engines import ENGINES

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


@functools.cache
def _values(engine: str, name: str) -> pd.DataFrame:
    """Per-replication metrics of variant ``name`` on ``engine`` (kept for the paired test)."""
    results = gigsim.simulate(fv.scenario(name), replications=REPLICATIONS, seed=SEED,
                              engine=engine)
    return fv.measure(results)


@pytest.mark.slow
@pytest.mark.parametrize("engine", sorted(ENGINES))
@pytest.mark.parametrize("name", list(fv.VARIANTS))
def test_engine_matches_the_recorded_statistics(engine: str, name: str) -> None:
    values = _values(engine, name)
    recorded = FIXTURES["variants"][name]["metrics"]
    failures = [line for metric in fv.METRICS
                if (line := _compare(name, metric, recorded[metric],
                                     fv.mean_and_se(values[metric]))) is not None]
    assert not failures, f"engine {engine}:\n" + "\n".join(failures)


# While engine v1 is still there, each other engine is also compared with it replication by
# replication, on the same seed: engines that draw projects and workers from the same named
# streams (docs/model.md, section 8) then share most of their randomness, and the paired
# differences are far less noisy than the difference of two independent means. The test is
# valid whether or not they share it: replications are independent, so the mean paired
# difference over its standard error is a t statistic with n - 1 degrees of freedom, held to the
# quantile with the two-sided tail of a 4-sigma normal band (6.3e-5; 4.67 for 30 replications),
# at most 405 x 6.3e-5 = 2.6% for any false alarm among a variant's metrics over all variants.
# A metric with the same value on both engines in every replication (exits, where only the
# workers' own draws decide them) must have a zero difference.

PAIRED_TAIL = 2 * float(stats.norm.sf(4.0))
OTHER_ENGINES = [engine for engine in sorted(ENGINES) if engine != "v1"] if "v1" in ENGINES \
    else []


def _paired(name: str, metric: str, reference: pd.Series, other: pd.Series) -> str | None:
    """None if ``other`` agrees with ``reference`` replication by replication, else why not."""
    both = reference.notna() & other.notna()
    if (reference.notna() != other.notna()).any():
        return (f"{name} / {metric}: defined in {int(other.notna().sum())} replications,"
                f" v1 in {int(reference.notna().sum())}")
    difference = (other[both] - reference[both]).to_numpy(dtype=float)
    if len(difference) == 0:
        return None  # undefined in every replication on both engines
    if len(difference) < 2:
        return f"{name} / {metric}: too few replications with a value ({len(difference)})"
    mean = float(difference.mean())
    se = float(difference.std(ddof=1) / math.sqrt(len(difference)))
    if se == 0:
        if abs(mean) <= RELATIVE_EXACT * max(1.0, float(reference[both].abs().max())):
            return None
        return f"{name} / {metric}: differs from v1 by {mean:+.6g} in every replication"
    k = float(stats.t.ppf(1 - PAIRED_TAIL / 2, len(difference) - 1))
    if abs(mean) <= k * se:
        return None
    return (f"{name} / {metric}: {float(other[both].mean()):.6g} vs v1"
            f" {float(reference[both].mean()):.6g}, paired difference {mean:+.4g}"
            f" ± {se:.3g}, off by {mean / se:+.2f} standard errors (band {k:.2f})")


@pytest.mark.slow
@pytest.mark.parametrize("engine", OTHER_ENGINES)
@pytest.mark.parametrize("name", list(fv.VARIANTS))
def test_engine_matches_v1_replication_by_replication(engine: str, name: str) -> None:
    reference, other = _values("v1", name), _values(engine, name)
    failures = [line for metric in fv.METRICS
                if (line := _paired(name, metric, reference[metric], other[metric]))
                is not None]
    assert not failures, f"engine {engine} against v1, same seed:\n" + "\n".join(failures)


def test_recording_writes_what_the_comparison_reads(tmp_path: Path) -> None:
    import record  # beside this file

    document = record.record(seed=7, replications=3, names=["no-delay"])
    out = tmp_path / "fixtures.json"
    record.write(document, out)
    again = json.loads(out.read_text(encoding="utf-8"))
    assert again["engine"] == "v1" and again["seed"] == 7 and again["replications"] == 3
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
    """Both comparisons flag a shift, a constant that differs, and a value defined too rarely."""
    base = pd.Series([10.0, 11.0, 9.0, 10.5, 9.5, 10.0])
    recorded = fv.mean_and_se(base)
    assert _compare("v", "m", recorded, fv.mean_and_se(base)) is None
    assert _compare("v", "m", recorded, fv.mean_and_se(base + 5.0)) is not None
    constant = fv.mean_and_se(pd.Series([3.0] * 6))
    assert _compare("v", "m", constant, constant) is None
    assert _compare("v", "m", constant, fv.mean_and_se(pd.Series([3.001] * 6))) is not None
    assert _compare("v", "m", recorded, fv.mean_and_se(pd.Series([10.0]))) is not None
    noise = pd.Series([0.01, -0.02, 0.015, -0.005, 0.0, 0.01])
    assert _paired("v", "m", base, base + noise) is None
    assert _paired("v", "m", base, base + 0.5 + noise) is not None
    assert _paired("v", "m", base, base + 0.5) is not None  # same shift in every replication
    assert _paired("v", "m", base, base.where(base > 10.0)) is not None  # defined differently
    one = pd.Series([math.nan] * 5 + [4.0])
    assert _paired("v", "m", one, one + 1.0) is not None
    nowhere = pd.Series([math.nan] * 6)
    assert _paired("v", "m", nowhere, nowhere) is None

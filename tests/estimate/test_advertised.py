"""The advertised rate: an optional project-generator key that people read and the engine never."""

from __future__ import annotations

import math

import pytest

import gigsim
from gigsim.errors import ScenarioError
from gigsim.studies.estimate import advertised_pay

from ._support import SCENARIOS


def test_the_bundled_scenarios_post_the_seed_s_rate_for_specialists() -> None:
    specialist = gigsim.load_scenario(SCENARIOS / "specialist.toml")
    assert specialist.projects[0].advertised_pay_per_hour == 45
    assert specialist.projects[0].pay_per_hour.mean == pytest.approx(30)  # realised, lower
    platform = gigsim.load_scenario(SCENARIOS / "platform.toml")
    by_name = {g.name: g.advertised_pay_per_hour for g in platform.projects}
    assert by_name == {"rating": None, "stem": 45}
    generalist = gigsim.load_scenario(SCENARIOS / "generalist.toml")
    assert generalist.projects[0].advertised_pay_per_hour is None  # the default: none
    assert math.isnan(advertised_pay(generalist, "generalists"))
    # platform specialists take both kinds of seat; only stem posts a rate
    assert advertised_pay(platform, "specialists") == 45


@pytest.mark.parametrize("value", ["0", "-5", "'lots'"])
def test_a_bad_advertised_rate_names_the_key(value: str) -> None:
    with pytest.raises(ScenarioError, match=r"projects\.stem\.advertised_pay_per_hour"):
        gigsim.load_scenario(SCENARIOS / "specialist.toml",
                             overrides={"projects.stem.advertised_pay_per_hour": value})


def test_the_simulation_never_reads_it() -> None:
    path = SCENARIOS / "specialist.toml"
    small = {"simulation.horizon": "4w", "workers.specialists.count": "100",
             "workers.specialists.arrivals_per_week": "5"}
    posted = gigsim.simulate(gigsim.load_scenario(path, overrides=small), replications=1)
    other = gigsim.simulate(gigsim.load_scenario(
        path, overrides={**small, "projects.stem.advertised_pay_per_hour": "99"}),
        replications=1)
    assert posted.worker_months.equals(other.worker_months)
    assert posted.spells.equals(other.spells)

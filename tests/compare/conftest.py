"""Shared fixtures for the compare tests: a shrunk platform scenario and one comparison of it."""

from __future__ import annotations

import pytest

import gigsim
from gigsim.studies.comparison import Comparison, compare

from ._support import PLATFORM, SMALL_PLATFORM


@pytest.fixture(scope="session")
def small_platform() -> gigsim.Scenario:
    """The shrunk platform scenario."""
    return gigsim.load_scenario(PLATFORM, overrides=SMALL_PLATFORM)


@pytest.fixture(scope="session")
def policy_comparison(small_platform: gigsim.Scenario) -> Comparison:
    """longest-idle (the scenario as it is) against random, 8 replications on seed 11."""
    return compare(small_platform, {"longest-idle": {}, "random": {"dispatch.policy": "random"}},
                   replications=8, seed=11)

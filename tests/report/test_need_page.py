"""The monthly need on the worker's page and its exceedance figure (issue 24)."""

from __future__ import annotations

import dataclasses
import html
import math

import numpy as np
import pytest

from gigsim.presentation.figures.estimate import estimate_figures, exceedance_figure
from gigsim.presentation.need import need_sentence
from gigsim.presentation.report import build_worker_page
from gigsim.studies.estimate import Estimate, estimate_profile

from .test_report import PNG, _assert_self_contained, _images, _narrow_images


@pytest.fixture(scope="module")
def with_need() -> Estimate:
    return estimate_profile("generalist", hours_per_week=20, months=6, replications=4, seed=4,
                            monthly_need_usd=800)


def test_the_page_answers_the_need_with_its_curve(with_need: Estimate) -> None:
    page = build_worker_page(with_need)
    _assert_self_contained(page)
    section = page.split('<section id="need">')[1].split("</section>")[0]
    assert html.escape(need_sentence(with_need, for_page=True)) in section
    assert "what you need" in section
    assert '<figure id="exceedance">' in section
    assert len(_images(section)) == 1 and _images(section)[0].startswith(PNG)
    assert len(_narrow_images(section)) == 1
    assert "--" not in page.split("</style>")[1]  # a page names no command-line option
    plain = build_worker_page(dataclasses.replace(with_need, need=None))
    assert 'id="need"' not in plain and len(_images(plain)) == len(_images(page)) - 1


def test_the_exceedance_figure_marks_the_need_and_the_reference_month(
        with_need: Estimate) -> None:
    assert with_need.need is not None
    figure = estimate_figures(with_need, ["exceedance"])["exceedance"]
    axes = figure.axes[0]
    marked = sorted(line.get_xdata()[0] for line in axes.get_lines()
                    if len(set(line.get_xdata())) == 1)
    assert marked == pytest.approx(sorted([800, with_need.reference_monthly_usd]))
    steps = [line for line in axes.get_lines() if len(set(line.get_xdata())) > 1]
    assert len(steps) == 2
    for line in steps:  # percentages, from 100% at $0, never rising
        y = np.asarray(line.get_ydata(), dtype=float)
        assert y[0] == pytest.approx(100) and (np.diff(y) <= 1e-9).all()
    assert len(axes.collections) == 2  # the two 95% bands
    bare = exceedance_figure(with_need.need.exceedance, None, math.nan)
    assert all(len(set(line.get_xdata())) > 1 for line in bare.axes[0].get_lines())

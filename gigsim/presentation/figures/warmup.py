"""The warm-up chosen from the output: the pilot's weekly series with the cut marked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from gigsim.presentation.figures.base import new_figure, set_title, set_xlabel

# What each panel's axis says (the series of gigsim.analysis.series, averaged over the pilot)
LABELS = {"workers": "workers on the platform", "seats_filled": "seats held",
          "income_usd": "income a week, all workers ($)"}


def warmup_figure(chosen: Mapping[str, Any]) -> Figure:
    """One panel per weekly series of the pilot, the warm-up chosen as a shaded span.

    ``chosen`` is ``warmup_chosen`` of a ``summary.json``: each series week by week (a time
    average over each week, averaged over the pilot's replications), its own MSER-5 cut
    (dotted) and the warm-up taken, the largest cut (shaded up to a solid line).
    """
    series = chosen["series"]
    cut = float(chosen["warmup_weeks"])
    figure = new_figure(7.0, 2.2 * len(series) + 0.8)
    axes_list = figure.subplots(len(series), 1, sharex=True, squeeze=False)[:, 0]
    for axes, (name, entry) in zip(axes_list, series.items(), strict=True):
        weekly = np.asarray(entry["weekly"], dtype=float)
        weeks = np.arange(len(weekly)) + 0.5  # a week's average, drawn at its middle
        axes.axvspan(0, cut, color="0.85", zorder=0)
        axes.plot(weeks, weekly, color="C0", lw=1.2)
        axes.axvline(cut, color="k", lw=1.2)
        own = chosen.get("truncation_weeks", {}).get(name)
        if own is not None and float(own) != cut:
            axes.axvline(float(own), color="C3", lw=1, linestyle=":")
        axes.set_ylabel(LABELS.get(name, name), fontsize="small")
        axes.grid(True, alpha=0.3)
    axes_list[0].set_xlim(0, max(len(s["weekly"]) for s in series.values()))
    set_xlabel(axes_list[-1], "week of the pilot run, from an empty start")
    set_title(axes_list[0], f"Warm-up chosen by MSER-5: {cut:g} week(s) (shaded), the largest"
                            " of each series' cut (dotted where it is earlier); pilot of"
                            f" {chosen.get('pilot_replications', '?')} replications, averaged")
    return figure


def common_warmup_figure(chosen: Mapping[str, Any]) -> Figure:
    """One panel per weekly series, a line per variant, the common warm-up shaded.

    ``chosen`` is ``warmup_chosen`` of a comparison's ``summary.json``: each variant's own
    choice (its pilot's series and cut, dotted in its colour) and the warm-up every variant
    ran with, the largest of them (shaded up to a solid line).
    """
    variants = chosen["variants"]
    cut = float(chosen["warmup_weeks"])
    names = list(next(iter(variants.values()))["series"])
    figure = new_figure(7.0, 2.2 * len(names) + 0.8)
    axes_list = figure.subplots(len(names), 1, sharex=True, squeeze=False)[:, 0]
    longest = 0
    for axes, name in zip(axes_list, names, strict=True):
        axes.axvspan(0, cut, color="0.85", zorder=0)
        for k, (variant, own) in enumerate(variants.items()):
            weekly = np.asarray(own["series"][name]["weekly"], dtype=float)
            longest = max(longest, len(weekly))
            axes.plot(np.arange(len(weekly)) + 0.5, weekly, color=f"C{k}", lw=1.2,
                      label=f"{variant} ({own['warmup_weeks']} w)")
            if float(own["warmup_weeks"]) != cut:
                axes.axvline(float(own["warmup_weeks"]), color=f"C{k}", lw=1, linestyle=":")
        axes.axvline(cut, color="k", lw=1.2)
        axes.set_ylabel(LABELS.get(name, name), fontsize="small")
        axes.grid(True, alpha=0.3)
    axes_list[0].set_xlim(0, longest)
    axes_list[0].legend(fontsize="small", title="variant (its own warm-up)",
                        title_fontsize="small")
    set_xlabel(axes_list[-1], "week of the pilot run, from an empty start")
    set_title(axes_list[0], f"Warm-up for every variant: {cut:g} week(s) (shaded), the largest"
                            " of each variant's MSER-5 choice (dotted where it is earlier);"
                            " each pilot's replications averaged")
    return figure

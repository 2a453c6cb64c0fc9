"""An estimate's details in words: who is followed, their market, the first paid hour, its footing.

The sentences below the verdict (:mod:`gigsim.presentation.verdict`) that the text ``gigsim
estimate`` prints, its JSON form, the worker's page and ``gigsim app`` share; each says what
it counts over, as docs/model.md ("A worker's estimate") defines it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from gigsim.presentation.wording import days, money, pct, with_ci

if TYPE_CHECKING:
    from gigsim.studies.estimate import Estimate

# how the wait for the first paid hour is counted
FIRST_PAY = ("from applying to the first paid hour; a worker who left without one counts as"
             " never paid within the months followed")


def share_of(part: int, whole: int) -> float:
    """``part`` ÷ ``whole``; NaN when ``whole`` is 0."""
    return part / whole if whole else math.nan


def first_paid_hour(est: Estimate) -> str:
    """The wait for the first paid hour: who got one, who left without, who still waits.

    Everyone onboarded is followed from applying to the end, so the shares are counted, not
    estimated; one who left without a paid hour counts as never paid, not as a wait cut short.
    """
    counts, first, months = est.first_pay_counts, est.first_pay, est.months
    whole = counts["onboarded"]
    if not whole:
        return "First paid hour after applying: n/a: no applicant was onboarded."
    median = (f"longer than the {months} month(s): fewer than half were paid within them"
              if math.isnan(first.median) else days(first.median))
    return (f"First paid hour after applying: {with_ci(est.paid_within_share, '{:.0f}%', 100)}"
            f" of those onboarded were paid within the {months} month(s) (a mean over"
            f" replications); of the {whole} onboarded in all, {counts['left_unpaid']}"
            f" ({pct(share_of(counts['left_unpaid'], whole))}) left without a paid hour and"
            f" {counts['waiting']} ({pct(share_of(counts['waiting'], whole))}) were still waiting"
            f" at the end. Median wait {median}; mean {days(est.first_pay_restricted_mean_h)}"
            f" restricted to the {months} month(s) (a longer wait, or leaving unpaid, counts as"
            f" {months} month(s)).")


def who_is_followed(est: Estimate, for_page: bool = False) -> str:
    """Who the cohort are: like the group (and how many left, why) or never quitting.

    ``for_page`` says in words what the terminal names by its option (``--stay``).
    """
    left = est.leavers
    if est.stay:
        how = "" if for_page else " (--stay)"
        return (f"Followed: {left['onboarded']} applicants who passed onboarding, who never quit"
                f"{how}: all on the platform for all {est.months} month(s).")
    gone = left["impatience"] + left["hazard"]
    other = ("rather than people who never quit" if for_page
             else "--stay follows people who never quit")
    return (f"Followed: {left['onboarded']} applicants who passed onboarding, who behave like"
            f" the group ({other}): {gone} left within the"
            f" {est.months} month(s), {left['impatience']} after an idle spell longer than"
            f" their patience and {left['hazard']} for other reasons (the leave hazard); their"
            " months after leaving are not counted.")


MARKET_MONTHS = "worker-months on the platform (every tenure, their own weekly hours)"


def market_sentence(est: Estimate, for_page: bool = False) -> str:
    """How a cohort's first months differ from the group's months of every tenure.

    The figures are the group's in the estimate's own simulated market, said as computed: no
    command is named, since none prints them so. ``for_page`` is kept for callers; the words
    are the same on a page and in the terminal.
    """
    del for_page
    market = est.market
    return (f"A cohort's first months differ from a market of every tenure: in the same"
            f" simulation, the {est.group} group's {MARKET_MONTHS} have a median income of"
            f" {money(market['median_usd'])} (pooled over those months and the replications)"
            f" and no income in {with_ci(market['zero_share'], '{:.0f}%', 100)} of them"
            " (a mean over replications).")


def based_on(est: Estimate) -> str:
    """What the estimate rests on: replications, applicants, who was onboarded, the market.

    The last line of :func:`~gigsim.presentation.verdict.render` and of a page's answer
    (``gigsim app``), which each add their own ending.
    """
    return (f"{est.replications} replication(s) × {est.cohort} applicants (seed {est.seed}),"
            f" {est.applicants} applicants and {est.onboarded} onboarded in all; market"
            f" simulated at {est.market_scale:.0%} of its size" + warmup_phrase(est))


def warmup_phrase(est: Estimate) -> str:
    """With ``warmup = "auto"``: when the cohort applied, and how that warm-up was chosen."""
    chosen = est.warmup_choice
    if chosen is None:
        return ""
    return (f", applying after a warm-up of {chosen.weeks} week(s) chosen by MSER-5 on a pilot"
            f" of the market ({chosen.pilot_replications} replication(s) × {chosen.pilot_weeks}"
            " weeks, not counted among the replications)"
            + ("; warning: the longest warm-up MSER-5 considers, a series may still be changing"
               if chosen.at_limit else ""))

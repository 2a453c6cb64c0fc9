"""When an estimate's cohort is paid: days to the first money, and months with none arriving.

With a pay schedule (``[pay]``, docs/model.md §5 "When the money arrives"), what a worker earns
arrives after each pay period and its lag, once the balance reaches the minimum. For the
onboarded of the cohort, :func:`money_arriving` reads the wait from applying to the first
payment (Kaplan–Meier: one with no payment within the months followed counts as waiting past
them, as for the first paid hour) and the share of their months on the platform in which no
money arrived. Without a schedule, money arrives as it is earned and there is nothing to add.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gigsim.analysis.results import Results
from gigsim.analysis.statistics import share_interval
from gigsim.analysis.survival import Survival, kaplan_meier

Interval = tuple[float, float, float]
KEYS = ["replication", "worker_id"]


@dataclass(frozen=True)
class MoneyArriving:
    """The cohort's money under the pay schedule, over the months followed."""

    # hours from applying to the first payment; no payment within the months: censored there
    first_money: Survival
    onboarded: int  # the workers it is over: the cohort's onboarded, every replication
    received: int  # of them, those with a payment within the months followed
    received_within_share: Interval  # share of the onboarded paid within, per replication
    no_money_share: Interval  # share of their months on the platform with no money arriving


def money_arriving(results: Results, onboarded: pd.DataFrame, months: pd.DataFrame,
                   follow_h: float) -> MoneyArriving | None:
    """:class:`MoneyArriving` for the ``onboarded`` rows of ``workers`` (None without [pay]).

    ``months`` are their worker-months on the platform (``available_h > 0``, with
    ``received_usd``); ``follow_h`` the hours followed from applying.
    """
    if results.scenario.pay_schedules is None:
        return None
    reps = results.replications
    keys = pd.MultiIndex.from_frame(onboarded[KEYS])
    payments = results.table("payments")
    first_at = payments.groupby(KEYS)["paid_h"].min().reindex(keys).to_numpy(dtype=float)
    start = onboarded["joined_h"].to_numpy(dtype=float)
    never = np.isnan(first_at) | (first_at >= follow_h)
    first_money = kaplan_meier(np.where(never, follow_h, first_at) - start, never)
    replication = onboarded["replication"].to_numpy()
    within = [float(np.mean(~never[replication == r])) if np.any(replication == r)
              else math.nan for r in range(reps)]
    by_rep = dict(tuple(months.groupby("replication")))
    none_arrived = [float((by_rep[r]["received_usd"] <= 0).mean()) if r in by_rep else math.nan
                    for r in range(reps)]
    return MoneyArriving(first_money, len(onboarded), int((~never).sum()),
                         share_interval(within), share_interval(none_arrived))

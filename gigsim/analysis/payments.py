"""When the money arrives: a pay schedule applied to the records after the run.

Income accrues evenly within each spell (docs/model.md §5), so what a worker earned in each pay
period is exact from the spells. The periods run from time 0 of the run, warm-up included; each
period's balance (earned in it, plus what was carried) is paid at the period's end plus the lag
if it reaches the minimum, and carried otherwise. A worker who leaves has their balance settled
at the end of the period in which they left: paid if it reaches the minimum, else forfeited
(docs/model.md §5, "When the money arrives"). With several platforms each platform's schedule
applies to the money earned on it (the spells' ``platform``), and a platform without one pays
as it is earned: that money arrives in the month it is earned, with no payment rows (§5,
"Several platforms"). Nothing here touches a live simulation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gigsim.analysis.periods import split_at_periods
from gigsim.engine.records import Records
from gigsim.scenario.pay import Pay, PaySchedule, schedules
from gigsim.scenario.units import HOURS_PER_MONTH

# period_earnings reads the spells this many at a time, which bounds its scratch memory
SPELLS_CHUNK = 1 << 18


def closed_periods(end_h: float, every_h: float) -> int:
    """How many periods ``[k·every, (k+1)·every)`` have ended by ``end_h`` (their end ≤ it)."""
    count = int(end_h // every_h)
    while (count + 1) * every_h <= end_h:
        count += 1
    while count > 0 and count * every_h > end_h:
        count -= 1
    return count


def period_earnings(records: Records, every_h: float, platform: int | None = None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What each worker earned in each pay period: ``(worker, period, usd)``, usd > 0.

    Sorted by worker, then period. A spell's income is spread evenly over its length and split
    at the period boundaries; a spell of length 0 puts its income in the period it starts in.
    With ``platform``, the income earned on that platform only.
    """
    s = records.spells
    earning = np.flatnonzero((s["income_usd"] > 0) if platform is None
                             else (s["income_usd"] > 0) & (s["platform"] == platform))
    n_periods = int(np.ceil(records.end_h / every_h)) + 1
    parts = []
    for lo in range(0, len(earning), SPELLS_CHUNK):
        rows = earning[lo:lo + SPELLS_CHUNK]
        start, stop = s["start"][rows], s["end"][rows]
        usd, worker = s["income_usd"][rows], s["worker"][rows].astype(np.int64)
        row, period, share = split_at_periods(start, stop, every_h)
        keys, inverse = np.unique(worker[row] * n_periods + period, return_inverse=True)
        parts.append((keys, np.bincount(inverse, weights=usd[row] * share,
                                        minlength=len(keys))))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    keys, inverse = np.unique(np.concatenate([k for k, _ in parts]), return_inverse=True)
    sums = np.bincount(inverse, weights=np.concatenate([v for _, v in parts]),
                       minlength=len(keys))
    keep = sums > 0
    keys, sums = keys[keep], sums[keep]
    return keys // n_periods, keys % n_periods, sums


@dataclass(frozen=True)
class Settlement:
    """A replication's pay schedule worked out, in absolute hours from the start of the run.

    ``worker``, ``paid_at`` and ``usd`` are the payments (every period closed by the end of the
    run, warm-up included, also those whose lag takes them past the end). Per worker (arrays
    indexed by worker id): ``earned_usd`` over the whole run, ``paid_usd`` in those payments,
    ``held_usd`` earned but not yet settled at the end of the run (carried below the minimum,
    or earned in a period still open), ``forfeited_usd`` lost on leaving (below the minimum
    at the end of the period of leaving) and ``settled_at`` (that period's end; NaN if none).
    Per worker, ``earned = paid + held + forfeited`` up to rounding.
    """

    worker: np.ndarray
    paid_at: np.ndarray
    usd: np.ndarray
    platform: np.ndarray  # each payment's platform code
    earned_usd: np.ndarray
    paid_usd: np.ndarray
    held_usd: np.ndarray
    forfeited_usd: np.ndarray
    settled_at: np.ndarray


def settle(records: Records, pay: Pay) -> Settlement:
    """Apply ``pay`` to a replication's earnings (docs/model.md §5, "When the money arrives").

    With one schedule per platform, each to the money earned on its platform: the payments
    of every platform, and per worker the sums over them (``earned_usd`` counts the platforms
    with a schedule only; ``settled_at`` is the last platform's).
    """
    if isinstance(pay, PaySchedule):
        return _settle(records, pay, None, 0)
    parts = [_settle(records, schedule, k, k) for k, schedule in
             enumerate(schedules(pay, len(records.platform_names))) if schedule is not None]
    joined = {name: np.concatenate([getattr(part, name) for part in parts])
              for name in ("worker", "paid_at", "usd", "platform")}
    summed = {name: np.sum([getattr(part, name) for part in parts], axis=0)
              for name in ("earned_usd", "paid_usd", "held_usd", "forfeited_usd")}
    return Settlement(**joined, **summed,
                      settled_at=np.fmax.reduce([part.settled_at for part in parts]))


def _settle(records: Records, pay: PaySchedule, platform: int | None, code: int
            ) -> Settlement:
    """``pay`` applied to the money earned on ``platform`` (None: all); payments coded ``code``."""
    every, minimum = pay.every_h, pay.minimum_usd
    n_workers = len(records.workers["worker"])
    worker, period, usd = period_earnings(records, every, platform)
    closed = closed_periods(records.end_h, every)
    left = np.asarray(records.workers["left"], dtype=float)
    leaving = np.where(np.isnan(left), -1, np.floor(np.nan_to_num(left) / every)).astype(np.int64)
    order = np.argsort(period, kind="stable")  # by period, then worker
    by_period = np.searchsorted(period[order], np.arange(closed + 1))
    leavers = np.flatnonzero((leaving >= 0) & (leaving < closed))
    leavers = leavers[np.argsort(leaving[leavers], kind="stable")]
    by_leaving = np.searchsorted(leaving[leavers], np.arange(closed + 1))
    balance = np.zeros(n_workers)
    forfeited = np.zeros(n_workers)
    settled_at = np.full(n_workers, np.nan)
    paid_worker, paid_at, paid_usd = [], [], []
    for k in range(closed):
        rows = order[by_period[k]:by_period[k + 1]]
        if len(rows):
            who = worker[rows]
            balance[who] += usd[rows]
            due = who[(balance[who] >= minimum) & (balance[who] > 0)]
            if len(due):
                paid_worker.append(due)
                paid_at.append(np.full(len(due), (k + 1) * every + pay.lag_h))
                paid_usd.append(balance[due].copy())
                balance[due] = 0.0
        gone = leavers[by_leaving[k]:by_leaving[k + 1]]
        if len(gone):  # below the minimum at the end of the period of leaving: forfeited
            forfeited[gone] = balance[gone]
            settled_at[gone] = (k + 1) * every
            balance[gone] = 0.0
    still_open = period >= closed
    held = balance + np.bincount(worker[still_open], weights=usd[still_open],
                                 minlength=n_workers)
    payments = (np.concatenate(paid_worker) if paid_worker else np.zeros(0, dtype=np.int64),
                np.concatenate(paid_at) if paid_at else np.zeros(0),
                np.concatenate(paid_usd) if paid_usd else np.zeros(0))
    return Settlement(
        worker=payments[0], paid_at=payments[1], usd=payments[2],
        platform=np.full(len(payments[0]), code, dtype=np.int64),
        earned_usd=np.bincount(worker, weights=usd, minlength=n_workers),
        paid_usd=np.bincount(payments[0], weights=payments[2], minlength=n_workers),
        held_usd=held, forfeited_usd=forfeited, settled_at=settled_at)


def _in_window(records: Records, times: np.ndarray) -> np.ndarray:
    return (times >= records.warmup_h) & (times < records.end_h)


def payments_table(records: Records, pay: Pay) -> pd.DataFrame:
    """One row per payment made inside the observation window, by worker, then time.

    ``paid_h`` is hours since the end of the warm-up. Payments made during the warm-up are
    left out, as are those falling at or after the end of the run (they are in
    :class:`Settlement`, not here).
    """
    settled = settle(records, pay)
    keep = _in_window(records, settled.paid_at)
    worker, paid_at = settled.worker[keep], settled.paid_at[keep]
    order = np.lexsort((settled.platform[keep], paid_at, worker))
    return pd.DataFrame({
        "replication": records.replication,
        "worker_id": worker[order].astype(np.int64),
        "platform": pd.Categorical.from_codes(settled.platform[keep][order],
                                              categories=pd.Index(list(records.platform_names))),
        "paid_h": paid_at[order] - records.warmup_h,
        "usd": settled.usd[keep][order],
    })


def with_received(worker_months: pd.DataFrame, records: Records, pay: Pay,
                  settled: Settlement | None = None) -> pd.DataFrame:
    """``worker_months`` with ``received_usd``: the money arriving in each worker-month.

    The payments of :func:`payments_table`, by the month they arrive in. A payment that
    arrives after its worker left (the last period's, paid on the schedule) gets a row of its
    own, with no hours and no income (``available_h = 0``), so that the column adds up to every
    payment in the window. With several platforms, the money earned on a platform without a
    schedule is received in the month it is earned (its ``income_<platform>_usd``).
    ``settled`` is :func:`settle`'s answer, when the caller has it.
    """
    n_months = int(max(1, np.ceil(records.horizon_h / HOURS_PER_MONTH)))
    settled = settle(records, pay) if settled is None else settled
    keep = _in_window(records, settled.paid_at)
    month = np.minimum(np.floor((settled.paid_at[keep] - records.warmup_h)
                                / HOURS_PER_MONTH).astype(np.int64), n_months - 1)
    paid_keys, inverse = np.unique(settled.worker[keep] * n_months + month, return_inverse=True)
    received = np.bincount(inverse, weights=settled.usd[keep], minlength=len(paid_keys))
    frame = worker_months
    keys = frame["worker_id"].to_numpy(np.int64) * n_months + frame["month"].to_numpy(np.int64)
    extra = np.setdiff1d(paid_keys, keys)
    if len(extra):  # months after leaving in which the last payment arrives
        worker = extra // n_months
        rows = pd.DataFrame({column: np.zeros(len(extra)) for column in frame.columns})
        rows["replication"] = records.replication
        rows["worker_id"] = worker
        rows["month"] = extra % n_months
        rows["group"] = pd.Categorical.from_codes(
            np.asarray(records.workers["group"], dtype=np.int64)[worker],
            categories=pd.Index(list(records.group_names)))
        frame = pd.concat([frame, rows.astype(frame.dtypes.to_dict())], ignore_index=True)
        keys = np.concatenate([keys, extra])
        order = np.argsort(keys, kind="stable")
        frame = frame.iloc[order].reset_index(drop=True)
        keys = keys[order]
    else:
        frame = frame.copy()
    column = np.zeros(len(keys))
    if len(paid_keys):
        at = np.minimum(np.searchsorted(paid_keys, keys), len(paid_keys) - 1)
        found = paid_keys[at] == keys
        column[found] = received[at[found]]
    if not isinstance(pay, PaySchedule):  # platforms paying as earned
        for name, schedule in zip(records.platform_names, pay, strict=True):
            if schedule is None:
                column += frame[f"income_{name}_usd"].to_numpy()
    frame.insert(list(frame.columns).index("income_usd") + 1, "received_usd", column)
    return frame


def pay_metrics(records: Records, pay: Pay, all_months: pd.DataFrame
                ) -> dict[str, float]:
    """The summary metrics of a pay schedule for one replication (docs/model.md §10).

    ``all_months`` is the replication's worker-months without ``received_usd``
    (:func:`~gigsim.analysis.metrics.worker_months_table`).
    """
    settled = settle(records, pay)
    all_months = with_received(all_months, records, pay, settled)
    months = all_months[all_months["available_h"] > 0]
    received = months["received_usd"].to_numpy()
    closed = _in_window(records, settled.settled_at)
    earned = float(settled.earned_usd[closed].sum())
    return {
        "received_mean_usd": float(np.mean(received)) if len(received) else np.nan,
        "no_money_arriving_share": float(np.mean(received <= 0)) if len(received) else np.nan,
        "forfeited_share": float(settled.forfeited_usd[closed].sum()) / earned if earned > 0
        else np.nan,
    }


PAY_METRICS: dict[str, str] = {
    "received_mean_usd": "money received per worker-month on the platform, mean (pay"
                         " schedule): what arrived in the month, ÷ worker-months with"
                         " onboarded time",
    "no_money_arriving_share": "share of worker-months in which no money arrived (pay"
                               " schedule)",
    "forfeited_share": "share of leavers' earnings forfeited (a balance below the minimum"
                       " when they left), leavers whose account closed in the window",
}


def with_accounts(workers: pd.DataFrame, records: Records, pay: Pay) -> pd.DataFrame:
    """``workers`` with each worker's ``forfeited_usd`` and ``unpaid_at_end_usd`` (whole run).

    ``forfeited_usd``: lost on leaving, a balance below the minimum at the end of the period of
    leaving; ``unpaid_at_end_usd``: earned but not received by the end of the run (carried
    below the minimum, earned in a period still open, or paid after the end by the lag).
    """
    settled = settle(records, pay)
    late = settled.paid_at >= records.end_h
    due = np.bincount(settled.worker[late], weights=settled.usd[late],
                      minlength=len(settled.held_usd))
    who = workers["worker_id"].to_numpy(np.int64)
    return workers.assign(forfeited_usd=settled.forfeited_usd[who],
                          unpaid_at_end_usd=(settled.held_usd + due)[who])

"""Tables from hand-built records: month bucketing, warm-up clipping, zero-length spells."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from _records import Recorder

from gigsim.analysis.metrics import (
    MONTH_COLUMNS,
    exit_within_year,
    latencies_table,
    project_fills_table,
    projects_table,
    spells_table,
    worker_months_table,
    workers_table,
)
from gigsim.engine.records import LeaveCause, Records, ReleaseCause, SpellKind
from gigsim.scenario.units import HOURS_PER_MONTH as MONTH

NAN = math.nan
ASSESSMENT, IDLE, TRAINING, WORK = (int(k) for k in list(SpellKind)[:4])


def spell(worker: int, kind: int, start: float, end: float, *, project: int = -1,
          censored: bool = False, available: float = 0.0, worked: float = 0.0,
          underused: float = 0.0, idle: float = 0.0, paid_training: float = 0.0,
          unpaid_training: float = 0.0, paid_assessment: float = 0.0,
          unpaid_assessment: float = 0.0, checking: float = 0.0, income: float = 0.0
          ) -> tuple[float, ...]:
    return (worker, kind, start, end, project, censored, available, worked, underused, idle,
            paid_training, unpaid_training, paid_assessment, unpaid_assessment, checking, income)


def worker_row(worker: int, group: int = 0, joined: float = 0.0, onboarded: float = 0.0,
               left: float = NAN, cause: int = int(LeaveCause.STILL_HERE)) -> tuple[float, ...]:
    return (worker, group, joined, onboarded, left, cause, 20.0, 0.5)


def project_row(project: int, launch: float, end: float, *, generator: int = 0,
                notice_at: float = NAN, filled: int = 0, fill_sum: float = 0.0,
                unfilled: float = 0.0) -> tuple[float, ...]:
    notice = not math.isnan(notice_at)
    return (project, generator, launch, end, 5, notice, notice_at, 16.0, 20.0, 2.0, False,
            math.inf, filled, fill_sum, unfilled)


def build(spells: Sequence[tuple[float, ...]] = (), *,
          latencies: Sequence[tuple[float, ...]] = (),
          workers: Sequence[tuple[float, ...]] | None = None,
          projects: Sequence[tuple[float, ...]] = (),
          warmup_h: float = 0.0, horizon_h: float = 2 * MONTH,
          groups: tuple[str, ...] = ("generalists",), replication: int = 0) -> Records:
    recorder = Recorder()
    recorder.spells.extend(spells)
    recorder.latencies.extend(latencies)
    if workers is None:
        count = 1 + max((int(s[0]) for s in spells), default=-1)
        workers = [worker_row(i) for i in range(count)]
    return recorder.freeze(replication=replication, warmup_h=warmup_h, horizon_h=horizon_h,
                           group_names=groups, generator_names=("rating", "coding"),
                           workers=workers, projects=list(projects))


def month_rows(records: Records, worker: int = 0) -> pd.DataFrame:
    table = worker_months_table(records)
    return table[table["worker_id"] == worker].set_index("month")


# --- records -------------------------------------------------------------------------------------


def test_records_are_read_only_columns() -> None:
    records = build([spell(0, IDLE, 0.0, 10.0, available=2.0, idle=2.0)])
    assert records.spells["start"].tolist() == [0.0]
    assert records.end_h == 2 * MONTH
    with pytest.raises(TypeError):
        records.spells["start"] = np.zeros(1)  # type: ignore[index]


# --- month bucketing -----------------------------------------------------------------------------


def test_spell_across_a_month_boundary_is_split_pro_rata() -> None:
    records = build([
        spell(0, IDLE, 700.0, 760.0, available=60.0, idle=60.0, checking=6.0),
        spell(0, WORK, 760.0, 1000.0, project=3, available=240.0, worked=200.0,
              underused=40.0, income=3200.0),
    ])
    rows = month_rows(records)
    assert rows.index.tolist() == [0, 1]
    assert rows.loc[0, "idle_h"] == pytest.approx(30.5)
    assert rows.loc[1, "idle_h"] == pytest.approx(29.5)
    assert rows.loc[0, "checking_h"] == pytest.approx(3.05)
    assert rows.loc[0, "unpaid_h"] == pytest.approx(3.05)
    assert rows.loc[0, "income_usd"] == 0.0
    assert rows.loc[1, "income_usd"] == pytest.approx(3200.0)
    assert rows.loc[1, "worked_h"] == pytest.approx(200.0)
    assert rows.loc[1, "underused_h"] == pytest.approx(40.0)
    assert rows.loc[1, "available_h"] == pytest.approx(29.5 + 240.0)
    assert rows["available_h"].sum() == pytest.approx(300.0)


def test_month_is_730_5_hours() -> None:
    records = build([spell(0, IDLE, 730.0, 731.0, available=1.0, idle=1.0)])
    rows = month_rows(records)
    assert rows.loc[0, "idle_h"] == pytest.approx(0.5)
    assert rows.loc[1, "idle_h"] == pytest.approx(0.5)


def test_spell_over_three_months_keeps_its_totals() -> None:
    records = build([spell(0, WORK, 0.0, 2000.0, available=2000.0, worked=1000.0,
                           underused=1000.0, income=15000.0)], horizon_h=3 * MONTH)
    rows = month_rows(records)
    assert rows.index.tolist() == [0, 1, 2]
    np.testing.assert_allclose(rows["available_h"], [MONTH, MONTH, 2000.0 - 2 * MONTH])
    np.testing.assert_allclose(rows["income_usd"], np.array([MONTH, MONTH, 2000 - 2 * MONTH])
                               * 7.5)
    assert rows["income_usd"].sum() == pytest.approx(15000.0)


def test_spell_ending_exactly_on_a_month_boundary_stays_in_its_month() -> None:
    records = build([
        spell(0, IDLE, 0.0, MONTH, available=MONTH, idle=MONTH),
        spell(0, IDLE, MONTH, MONTH + 10.0, available=10.0, idle=10.0),
    ])
    rows = month_rows(records)
    assert rows.loc[0, "idle_h"] == pytest.approx(MONTH)
    assert rows.loc[1, "idle_h"] == pytest.approx(10.0)


def test_months_of_different_workers_do_not_mix() -> None:
    records = build([
        spell(0, IDLE, 0.0, 10.0, available=10.0, idle=10.0),
        spell(0, IDLE, MONTH + 1, MONTH + 3, available=2.0, idle=2.0),
        spell(1, WORK, 0.0, 5.0, available=5.0, worked=5.0, income=80.0),
        spell(1, WORK, MONTH + 1, MONTH + 2, available=1.0, worked=1.0, income=16.0),
    ], workers=[worker_row(0, group=1), worker_row(1, group=0)],
        groups=("generalists", "doctors"))
    table = worker_months_table(records).set_index(["worker_id", "month"])
    assert table.loc[(0, 0), "idle_h"] == pytest.approx(10.0)
    assert table.loc[(0, 1), "idle_h"] == pytest.approx(2.0)
    assert table.loc[(1, 0), "income_usd"] == pytest.approx(80.0)
    assert table.loc[(1, 1), "income_usd"] == pytest.approx(16.0)
    assert table.loc[(0, 0), "group"] == "doctors"
    assert table.loc[(1, 0), "group"] == "generalists"
    assert list(table["group"].cat.categories) == ["generalists", "doctors"]


def test_worker_months_columns_and_unpaid_hours() -> None:
    records = build([
        spell(0, ASSESSMENT, 0.0, 10.0, paid_assessment=1.0, income=15.0),
        spell(0, TRAINING, 10.0, 12.0, project=0, available=2.0, unpaid_training=2.0),
        spell(0, IDLE, 12.0, 20.0, available=8.0, idle=8.0, checking=1.0),
        spell(1, ASSESSMENT, 0.0, 5.0, unpaid_assessment=2.0),
    ])
    table = worker_months_table(records)
    for column in ("replication", "worker_id", "group", "month", *MONTH_COLUMNS):
        assert column in table.columns
    rows = table.set_index("worker_id")
    assert rows.loc[0, "unpaid_h"] == pytest.approx(3.0)
    assert rows.loc[0, "paid_assessment_h"] == pytest.approx(1.0)
    assert rows.loc[0, "income_usd"] == pytest.approx(15.0)
    assert rows.loc[0, "available_h"] == pytest.approx(10.0)
    assert rows.loc[1, "unpaid_h"] == pytest.approx(2.0)
    assert rows.loc[1, "available_h"] == 0.0  # not yet onboarded


# --- warm-up clipping ----------------------------------------------------------------------------


def test_warmup_clips_spells_and_prorates_their_hours() -> None:
    warmup = 100.0
    records = build([
        spell(0, IDLE, 0.0, 100.0, available=100.0, idle=100.0),  # all in the warm-up
        spell(0, WORK, 50.0, 150.0, available=100.0, worked=80.0, underused=20.0,
              income=1600.0, project=0),
        spell(0, IDLE, 150.0, 2 * MONTH + 150.0, available=200.0, idle=200.0, censored=True),
    ], warmup_h=warmup, horizon_h=2 * MONTH)
    table = spells_table(records)
    assert len(table) == 2
    work, idle = table.iloc[0], table.iloc[1]
    assert (work["start_h"], work["end_h"]) == (0.0, pytest.approx(50.0))
    assert work["left_truncated"]
    assert work["worked_h"] == pytest.approx(40.0)
    assert work["income_usd"] == pytest.approx(800.0)
    assert work["kind"] == "work"
    assert work["project_id"] == 0
    assert idle["start_h"] == pytest.approx(50.0)
    assert idle["end_h"] == pytest.approx(2 * MONTH)  # clipped at the end of the horizon
    assert not idle["left_truncated"]
    assert idle["censored"]
    share = (2 * MONTH - 50.0) / (2 * MONTH)
    assert idle["idle_h"] == pytest.approx(200.0 * share)


def test_months_count_from_the_end_of_the_warmup() -> None:
    warmup = MONTH
    records = build([
        spell(0, IDLE, 0.0, warmup + 10.0, available=warmup + 10.0, idle=warmup + 10.0),
        spell(0, WORK, warmup + 10.0, 2 * MONTH + 20.0, available=MONTH + 10.0,
              worked=MONTH + 10.0, income=10.0 * (MONTH + 10.0)),
    ], warmup_h=warmup, horizon_h=2 * MONTH)
    rows = month_rows(records)
    assert rows.index.tolist() == [0, 1]
    assert rows.loc[0, "idle_h"] == pytest.approx(10.0)
    assert rows.loc[0, "worked_h"] == pytest.approx(MONTH - 10.0)
    assert rows.loc[1, "worked_h"] == pytest.approx(20.0)
    assert rows.loc[1, "income_usd"] == pytest.approx(200.0)


def test_spell_entirely_in_the_warmup_leaves_no_month() -> None:
    records = build([spell(0, IDLE, 0.0, 50.0, available=50.0, idle=50.0)], warmup_h=50.0)
    assert worker_months_table(records).empty
    assert spells_table(records).empty


# --- zero-length spells --------------------------------------------------------------------------


def test_zero_length_spells_inside_the_window_keep_their_hours() -> None:
    warmup = 100.0
    records = build([
        spell(0, ASSESSMENT, 50.0, 50.0, unpaid_assessment=1.0),  # before the warm-up end
        spell(1, ASSESSMENT, warmup, warmup, unpaid_assessment=2.0),  # at the warm-up end
        spell(2, ASSESSMENT, warmup + MONTH, warmup + MONTH, unpaid_assessment=3.0),
        spell(3, ASSESSMENT, warmup + 2 * MONTH, warmup + 2 * MONTH, unpaid_assessment=4.0),
    ], warmup_h=warmup, horizon_h=2 * MONTH)
    spells = spells_table(records)
    assert spells["worker_id"].tolist() == [1, 2]
    assert spells["unpaid_assessment_h"].tolist() == [2.0, 3.0]
    assert (spells["start_h"] == spells["end_h"]).all()
    months = worker_months_table(records).set_index("worker_id")
    assert months.index.tolist() == [1, 2]
    assert months.loc[1, "month"] == 0
    assert months.loc[2, "month"] == 1  # a zero-length spell on the boundary opens month 1
    assert months.loc[2, "unpaid_h"] == pytest.approx(3.0)


def test_empty_records_give_empty_tables() -> None:
    records = build([], workers=[])
    for table in (worker_months_table(records), spells_table(records),
                  latencies_table(records), projects_table(records), workers_table(records)):
        assert table.empty
    assert "income_usd" in worker_months_table(records).columns
    assert "latency_h" in latencies_table(records).columns


# --- latencies -----------------------------------------------------------------------------------


def test_latencies_keep_releases_inside_the_window() -> None:
    warmup = 100.0
    end = warmup + 2 * MONTH
    onboarded, no_notice, notice = (int(c) for c in list(ReleaseCause)[:3])
    records = build(
        [spell(i, IDLE, 0.0, 1.0, available=1.0, idle=1.0) for i in range(5)],
        latencies=[
            (0, 50.0, 80.0, False, onboarded),  # released during the warm-up: dropped
            (1, warmup, 5.0, False, no_notice),  # released at the warm-up end: kept
            (2, 300.0, 0.0, False, notice),  # seamless: zero latency
            (3, end - 10.0, 10.0, True, no_notice),  # censored at the horizon
            (4, end, 0.0, True, onboarded),  # released at the end: dropped
        ],
        warmup_h=warmup,
    )
    table = latencies_table(records)
    assert table["worker_id"].tolist() == [1, 2, 3]
    np.testing.assert_allclose(table["released_h"], [0.0, 200.0, 2 * MONTH - 10.0])
    np.testing.assert_allclose(table["latency_h"], [5.0, 0.0, 10.0])
    assert table["censored"].tolist() == [False, False, True]
    assert table["censored"].dtype == bool
    assert table["cause"].tolist() == ["end_without_notice", "end_with_notice",
                                       "end_without_notice"]
    assert list(table["cause"].cat.categories) == [
        "onboarded", "end_without_notice", "end_with_notice", "failed_qualification",
        "spare_hours", "returned"]
    assert table["slot"].tolist() == [0, 0, 0]  # workers who hold one project at most


# --- projects and workers ------------------------------------------------------------------------


def test_projects_table_keeps_projects_alive_in_the_window() -> None:
    warmup = 100.0
    end = warmup + 2 * MONTH
    records = build([], workers=[], warmup_h=warmup, projects=[
        project_row(0, 0.0, 90.0),  # over before the warm-up ends
        project_row(1, 50.0, 200.0, generator=1, notice_at=150.0, filled=2, fill_sum=10.0),
        project_row(2, 300.0, 2000.0, unfilled=7.0),
        project_row(3, end, end + 100.0),  # launched at the end
    ])
    table = projects_table(records)
    assert table["project_id"].tolist() == [1, 2]
    assert table["generator"].tolist() == ["coding", "rating"]
    np.testing.assert_allclose(table["launch_h"], [-50.0, 200.0])
    np.testing.assert_allclose(table["end_h"], [100.0, 1900.0])
    assert table["notice"].tolist() == [True, False]
    assert table.loc[0, "notice_h"] == pytest.approx(50.0)
    assert math.isnan(table.loc[1, "notice_h"])
    fills = project_fills_table(records)
    assert fills["seats_filled"].tolist() == [2, 0]
    assert fills.loc[0, "fill_latency_mean_h"] == pytest.approx(5.0)
    assert math.isnan(fills.loc[1, "fill_latency_mean_h"])
    assert fills["unfilled_seat_h"].tolist() == [0.0, 7.0]


def test_workers_table_keeps_workers_on_the_platform_in_the_window() -> None:
    warmup = 100.0
    end = warmup + 2 * MONTH
    records = build([], warmup_h=warmup, workers=[
        worker_row(0, left=50.0, cause=int(LeaveCause.HAZARD)),  # gone before the window
        worker_row(1, left=warmup, cause=int(LeaveCause.IMPATIENCE)),  # gone at its start
        worker_row(2, left=500.0, cause=int(LeaveCause.FAILED_ASSESSMENT), onboarded=NAN),
        worker_row(3, joined=300.0, onboarded=310.0),
        worker_row(4, joined=end),  # joins at the end
    ])
    table = workers_table(records)
    assert table["worker_id"].tolist() == [2, 3]
    assert table["leave_cause"].tolist() == ["failed_assessment", "still_here"]
    np.testing.assert_allclose(table["joined_h"], [-100.0, 200.0])
    assert table["left_h"].iloc[0] == pytest.approx(400.0)
    assert math.isnan(table["left_h"].iloc[1])


def test_exit_within_year() -> None:
    year = 8766.0
    records = build([], warmup_h=0.0, horizon_h=2 * year, workers=[
        worker_row(0, onboarded=0.0, left=100.0),  # left within a year
        worker_row(1, onboarded=0.0, left=year + 1.0),  # stayed a year
        worker_row(2, onboarded=10.0),  # still here
        worker_row(3, onboarded=year + 10.0, left=year + 20.0),  # onboarded too late to count
        worker_row(4, onboarded=NAN, left=5.0),  # never onboarded
    ])
    assert exit_within_year(records) == (1, 3)


def test_worker_joining_and_leaving_at_the_warmup_end_is_listed_like_its_spell() -> None:
    """Failing a zero-wait assessment at the warm-up end: a zero-length spell in the window."""
    warmup = 100.0
    records = build(
        [spell(0, ASSESSMENT, warmup, warmup, unpaid_assessment=1.0),
         spell(1, ASSESSMENT, 50.0, 50.0, unpaid_assessment=1.0)],
        workers=[
            worker_row(0, joined=warmup, onboarded=NAN, left=warmup,
                       cause=int(LeaveCause.FAILED_ASSESSMENT)),
            worker_row(1, joined=50.0, onboarded=NAN, left=50.0,
                       cause=int(LeaveCause.FAILED_ASSESSMENT)),
        ],
        warmup_h=warmup,
    )
    assert spells_table(records)["worker_id"].tolist() == [0]
    assert worker_months_table(records)["worker_id"].tolist() == [0]
    assert workers_table(records)["worker_id"].tolist() == [0]


def test_worker_months_read_in_chunks_add_up_to_the_same_table(monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    """A worker-month whose spells fall in different chunks still gets one row with its sums."""
    from gigsim.analysis import metrics
    from gigsim.engine import run_replication
    from gigsim.scenario import load_scenario

    scenario = load_scenario("scenarios/specialist.toml",
                             {"simulation.horizon": "6mo", "simulation.warmup": "4w"})
    records = run_replication(scenario, 3, 0)
    whole = worker_months_table(records)
    monkeypatch.setattr(metrics, "MONTHS_CHUNK", 97)
    assert len(records.spells["worker"]) > 20 * 97  # many chunks, most worker-months split
    chunked = worker_months_table(records)
    assert chunked.columns.tolist() == whole.columns.tolist()
    for name in ("worker_id", "group", "month"):
        assert chunked[name].tolist() == whole[name].tolist()
    for name in MONTH_COLUMNS:  # the same sums, added in another order
        np.testing.assert_allclose(chunked[name], whole[name], rtol=1e-12, atol=1e-9)


def test_onboarded_hours_are_the_clock_hours_of_non_assessment_spells() -> None:
    from gigsim.analysis.metrics import onboarded_hours

    records = build([
        spell(0, ASSESSMENT, 0.0, 10.0), spell(0, IDLE, 10.0, 50.0),
        spell(0, WORK, 50.0, 100.0, project=1), spell(1, IDLE, 5.0, 25.0),
    ], warmup_h=20.0, horizon_h=70.0)
    hours = onboarded_hours(records)
    assert hours.to_dict() == {0: 30.0 + 40.0, 1: 5.0}

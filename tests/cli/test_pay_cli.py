"""``gigsim run`` with a pay schedule: the payments table, money received, the printed lines."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from ._support import MINIMAL_TOML, assert_ok, invoke

PAY = ("--set", "pay.every=1w", "--set", "pay.lag=3d", "--set", "pay.minimum_usd=20")


def run(tmp_path: Path, *extra: str) -> tuple[str, Path]:
    scenario = tmp_path / "mini.toml"
    scenario.write_text(MINIMAL_TOML, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("run", scenario, "-r", "2", "--format", "csv", "--out", out, *extra)
    assert_ok(result)
    return result.output, out


def test_a_pay_schedule_adds_payments_received_money_and_three_lines(tmp_path: Path) -> None:
    output, out = run(tmp_path, *PAY, "--report")
    payments = pd.read_csv(out / "payments.csv")
    months = pd.read_csv(out / "worker_months.csv")
    assert list(payments.columns) == ["replication", "worker_id", "platform", "paid_h", "usd"]
    assert len(payments) > 0 and (payments["usd"] >= 20).all()
    assert abs(months["received_usd"].sum() - payments["usd"].sum()) < 1e-6
    assert "forfeited_usd" in pd.read_csv(out / "workers.csv")
    metrics = json.loads((out / "summary.json").read_text())["metrics"]
    assert 0 <= metrics["no_money_arriving_share"]["mean"] <= 1
    assert "months no money arrived" in output and "paid every 1w, 3d after the period," \
        " at least $20.00" in output
    assert "leavers: earnings forfeited" in output
    received = metrics["received_mean_usd"]["mean"]
    assert f"money received, month        ${received:,.0f}" in output
    assert received == pytest.approx(  # ÷ the worker-months with onboarded time
        months.loc[months["available_h"] > 0].groupby("replication")["received_usd"].mean()
        .mean())
    page = (out / "report.html").read_text()
    assert 'id="cash_flow_fan"' in page and "Months with no money arriving" in page
    assert "payments" in json.loads((out / "manifest.json").read_text())["tables"]


def test_without_a_pay_schedule_nothing_is_added(tmp_path: Path) -> None:
    output, out = run(tmp_path, "--report")
    assert not (out / "payments.csv").exists()
    assert "received_usd" not in pd.read_csv(out / "worker_months.csv")
    assert "no_money_arriving_share" not in json.loads((out / "summary.json").read_text())[
        "metrics"]
    assert "money arrived" not in output and "cash_flow_fan" not in (out / "report.html"
                                                                     ).read_text()

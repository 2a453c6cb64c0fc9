"""``gigsim fit`` from the command line: the printed TOML, the folder, the scenario copy."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from gigsim.cli import main
from gigsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def log(tmp_path: Path) -> Path:
    rng = np.random.default_rng(4)
    life = rng.lognormal(math.log(19), 1.1, 300)  # days
    window = rng.uniform(0, 90, 300)
    rows = [f"{min(a, b):.3f},{int(a > b)}" for a, b in zip(life, window, strict=True)]
    path = tmp_path / "projects.csv"
    path.write_text("lifetime_d,running\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _fit(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["fit", *args])
    return result.exit_code, result.stdout, result.stderr


def test_prints_a_line_to_paste_and_writes_the_folder(log: Path, tmp_path: Path) -> None:
    out = tmp_path / "fit"
    code, stdout, _ = _fit(str(log), "--column", "lifetime_d", "--unit", "d", "--censored",
                           "running", "--out", str(out))
    assert code == 0
    line = next(x for x in stdout.splitlines() if x.startswith("lifetime_d = "))
    value = tomllib.loads(line)["lifetime_d"]
    assert value["dist"] == "lognormal" and value["median"].endswith("d")
    assert sorted(p.name for p in out.iterdir()) == ["fit.toml", "fits.csv", "qq.png",
                                                     "survival.png"]
    code, _, stderr = _fit(str(log), "--column", "lifetime_d", "--out", str(out))
    assert code == 2 and "already exists; use --force" in stderr


def test_into_writes_a_checked_copy_and_never_the_scenario(log: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "generalist.toml"
    original = (ROOT / "scenarios" / "generalist.toml").read_text(encoding="utf-8")
    scenario.write_text(original, encoding="utf-8")
    args = [str(log), "--column", "lifetime_d", "--unit", "d", "--censored", "running",
            "--out", str(tmp_path / "fit"), "--into", str(scenario), "--key",
            "projects.rating.lifetime"]
    code, stdout, _ = _fit(*args)
    assert code == 0
    copy = tmp_path / "generalist-fitted.toml"
    assert scenario.read_text(encoding="utf-8") == original
    text = copy.read_text(encoding="utf-8")
    assert "# was: lifetime = { dist = \"lognormal\", median = \"3w\", sigma = 1.0 }" in text
    line = next(x for x in stdout.splitlines() if x.startswith("lifetime = "))
    assert tomllib.loads(text)["projects"][0]["lifetime"] == tomllib.loads(line)["lifetime"]
    assert load_scenario(copy).projects[0].name == "rating"
    # a second run must not replace the copy, nor ever the scenario, without --force
    before = copy.read_text(encoding="utf-8")
    args[args.index("--out") + 1] = str(tmp_path / "fit2")
    code, _, stderr = _fit(*args)
    assert code == 2 and "generalist-fitted.toml: already exists; use --force" in stderr
    code, _, stderr = _fit(*args, "--scenario-out", str(scenario))
    assert code == 2 and "is the scenario itself; use --force" in stderr
    assert scenario.read_text(encoding="utf-8") == original
    assert copy.read_text(encoding="utf-8") == before
    assert not (tmp_path / "fit2").exists()
    code, _, _ = _fit(*args, "--force")
    assert code == 0 and (tmp_path / "fit2").is_dir()


@pytest.mark.parametrize(("extra", "expected"), [
    (["--column", "nope"], "--column 'nope': no such column"),
    (["--column", "lifetime_d", "--into", "x.toml"], "--into and --key go together"),
    (["--column", "lifetime_d", "--unit", "fortnights"], "--unit: unknown unit"),
    (["--column", "lifetime_d", "--family", "beta"], "--family: 'beta' is not one for a"),
    (["--column", "lifetime_d", "--into", "SCENARIO", "--key", "projects.rating.seats"],
     "--key: projects.rating.seats"),
    (["--column", "lifetime_d", "--into", "SCENARIO", "--key", "projects.nope.lifetime"],
     "no projects entry named 'nope'"),
])
def test_bad_options_get_one_line_and_exit_2(log: Path, tmp_path: Path, extra: list[str],
                                             expected: str) -> None:
    extra = [str(ROOT / "scenarios" / "generalist.toml") if x == "SCENARIO" else x
             for x in extra]
    code, stdout, stderr = _fit(str(log), "--out", str(tmp_path / "f"), "--unit", "d", *extra)
    assert code == 2, stdout
    assert expected in stderr and len(stderr.strip().splitlines()) == 1
    assert not (tmp_path / "f").exists()
    assert not list((ROOT / "scenarios").glob("*-fitted.toml"))


def _days_log(tmp_path: Path, column: str) -> Path:
    rng = np.random.default_rng(5)
    days = rng.lognormal(math.log(19), 0.8, 200)
    path = tmp_path / "spells.csv"
    path.write_text(f"{column}\n" + "\n".join(f"{d:.3f}" for d in days) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("column", ["duration_days", "duration_d", "Duration (days)"])
def test_a_duration_column_is_read_in_the_unit_its_name_gives(tmp_path: Path,
                                                              column: str) -> None:
    # values drawn in days with median 19: read as hours, the printed median was 24× too short
    code, stdout, stderr = _fit(str(_days_log(tmp_path, column)), "--column", column,
                                "--family", "lognormal", "--out", str(tmp_path / "f"))
    assert code == 0, stderr
    assert "read in days (from the column's name)" in stdout
    line = next(x for x in stdout.splitlines() if " = { dist" in x)
    median = next(iter(tomllib.loads(line).values()))["median"]
    assert median.endswith("d") and 16 < float(median[:-1]) < 23


def test_a_duration_column_without_a_unit_is_refused(tmp_path: Path) -> None:
    log = _days_log(tmp_path, "duration")
    code, stdout, stderr = _fit(str(log), "--column", "duration", "--out", str(tmp_path / "f"))
    assert code == 2 and stdout == ""
    assert len(stderr.strip().splitlines()) == 1
    assert f"{log}: --column 'duration': its name gives no unit" in stderr
    assert "give --unit" in stderr and not (tmp_path / "f").exists()
    code, stdout, _ = _fit(str(log), "--column", "duration", "--unit", "w", "--family",
                           "lognormal", "--out", str(tmp_path / "f"))
    assert code == 0 and "read in weeks (--unit w)" in stdout
    line = next(x for x in stdout.splitlines() if " = { dist" in x)
    assert tomllib.loads(line)["duration"]["median"].endswith("w")


def test_a_unit_that_contradicts_the_column_name_is_refused(tmp_path: Path) -> None:
    log = _days_log(tmp_path, "duration_days")
    code, _, stderr = _fit(str(log), "--column", "duration_days", "--unit", "h", "--out",
                           str(tmp_path / "f"))
    assert code == 2 and len(stderr.strip().splitlines()) == 1
    assert "--unit h: the column's name 'duration_days' says days, not hours" in stderr

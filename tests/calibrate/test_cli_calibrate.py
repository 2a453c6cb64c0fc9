"""``gigsim calibrate``: the file's errors, --check, the results folder and --resume."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from gigsim.cli import main
from gigsim.scenario import load_scenario

HERE = Path(__file__).parent

BASE = f"""\
name = "tiny"
scenario = "{(HERE / 'small.toml').as_posix()}"
replications = 2
seed = 5
max_evaluations = 5

[parameters]
"workers.raters.checking_hours_per_day" = {{ low = 0.2, high = 2.0 }}
"projects.rating.lifetime.median" = {{ low = "1w", high = "6w" }}

[targets]
unpaid_share = {{ value = 0.25, tolerance = 0.05 }}
months_with_income_share = {{ value = 0.85, tolerance = 0.05 }}
"""


def _file(tmp_path: Path, text: str = BASE) -> Path:
    path = tmp_path / "calibration.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["calibrate", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("unpaid_share =", "unpaid_hours =", "targets.unpaid_hours: unknown metric"),
    ('low = 0.2, high = 2.0', 'low = 2.0, high = 0.2', "expected low < high"),
    ('low = 0.2, high = 2.0', 'low = 0.2, high = 2.0, step = 1',
     "parameters.workers.raters.checking_hours_per_day.step: unknown key"),
    ('value = 0.25, tolerance = 0.05', 'value = 0.25, tolerance = 0', "must be positive"),
    ('low = "1w", high = "6w"', 'low = 1, high = 6', 'bare number 1'),
    ('"workers.raters.checking', '"workers.nobody.checking', "no workers entry named"),
    ("seed = 5", "seed = 5\nbudget = 3", "budget: unknown key"),
    # a target's keys are read as a scenario file's are (schema.Section), in the same words
    ('value = 0.25, tolerance = 0.05', 'value = 0.25, tolerance = 0.05, standard_error = -1',
     "targets.unpaid_share.standard_error: must be zero or positive, got -1"),
    ('value = 0.25, tolerance = 0.05', 'value = 0.25, tolerance = 0.05, wieght = 2',
     "targets.unpaid_share.wieght: unknown key (did you mean `weight`?) (expected one of:"
     " standard_error, tolerance, value, weight)"),
    ('value = 0.25, tolerance = 0.05', 'value = inf, tolerance = 0.05',
     "targets.unpaid_share.value: expected a finite number, got inf"),
    ('value = 0.25, tolerance = 0.05', 'value = 0.25, tolerance = 0.05, weight = -1',
     "targets.unpaid_share.weight: must be positive, got -1"),
])
def test_bad_files_get_one_line_and_exit_2(tmp_path: Path, old: str, new: str,
                                           expected: str) -> None:
    assert old in BASE
    code, _, stderr = _run(str(_file(tmp_path, BASE.replace(old, new, 1))), "--check",
                           "--jobs", "1")
    assert code == 2 and expected in stderr, stderr
    assert len(stderr.strip().splitlines()) == 1


def test_bad_options_get_one_line_and_exit_2(tmp_path: Path) -> None:
    for option, value, expected in (("--seed", "-1", "--seed: must be at least 0"),
                                    ("--replications", "1", "--replications: must be at"),
                                    ("--jobs", "-2", "--jobs: must be at least 0")):
        code, _, stderr = _run(str(_file(tmp_path)), "--check", option, value)
        assert code == 2 and expected in stderr and len(stderr.strip().splitlines()) == 1


def test_check_exits_1_off_target_and_0_on_target(tmp_path: Path) -> None:
    code, stdout, _ = _run(str(_file(tmp_path)), "--check", "--jobs", "1")
    assert code == 1 and "NOT every target" in stdout
    # targets set to what the scenario gives, within a wide tolerance: on target
    lines = [x for x in stdout.splitlines() if x.strip().startswith(("unpaid", "months"))]
    achieved = {x.split()[0]: float(x.split()[4]) for x in lines}
    text = BASE.replace("value = 0.25, tolerance = 0.05",
                        f"value = {achieved['unpaid_share']}, tolerance = 0.01")
    text = text.replace("value = 0.85, tolerance = 0.05",
                        f"value = {achieved['months_with_income_share']}, tolerance = 0.01")
    code, stdout, _ = _run(str(_file(tmp_path, text)), "--check", "--jobs", "1")
    assert code == 0 and "every target is within its tolerance" in stdout


def test_writes_the_folder_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = [str(_file(tmp_path)), "--jobs", "1", "--out", str(out), "--quiet"]
    code, stdout, _ = _run(*args)
    assert code == 0 and stdout.strip() == str(out)
    names = {p.name for p in out.iterdir()}
    assert {"scenario.toml", "targets.csv", "parameters.csv", "trace.csv", "objective.png",
            "targets.png", "manifest.json", "evaluations"} <= names
    calibrated = out / "scenario.toml"
    text = calibrated.read_text(encoding="utf-8")
    assert "# was: checking_hours_per_day = 0.5" in text and "calibrated by gigsim" in text
    scenario = load_scenario(calibrated)
    assert scenario.workers[0].name == "raters"
    assert tomllib.loads(text)["projects"][0]["lifetime"]["median"].endswith("h")
    code, _, stderr = _run(*args)
    assert code == 2 and "already exists; use --resume" in stderr
    code, stdout, _ = _run(*args[:-1], "--resume")
    assert code == 0 and "(0 computed, " in stdout
    other = BASE.replace("seed = 5", "seed = 6")
    code, _, stderr = _run(str(_file(tmp_path, other)), "--out", str(out), "--resume",
                           "--jobs", "1")
    assert code == 2 and "holds evaluations of a different" in stderr

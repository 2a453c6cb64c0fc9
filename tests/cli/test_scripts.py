"""Scripts pasted from the README: the guarded form runs, an unguarded one stops in one line.

``simulate(jobs=2)`` starts processes with 'spawn', which import the calling script again; a
script that simulates at its top level used to end in an 87-line BrokenProcessPool traceback.
Each script runs in a fresh interpreter, as a user would run it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMALL = ('{"workers.generalists.count": 100, "workers.generalists.arrivals_per_week": 5,'
         ' "simulation.horizon": "6w", "simulation.warmup": "1w"}')
BODY = f"""
scenario = gigsim.load_scenario({str(ROOT / "scenarios" / "generalist.toml")!r},
                                overrides={SMALL})
results = gigsim.simulate(scenario, replications=3, seed=1, jobs=2)
print("income", results.summary()["income_mean_usd"])
"""


def run_script(tmp_path: Path, text: str, cwd: Path | None = None
               ) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "script.py"
    path.write_text(text, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, str(path)], cwd=cwd or tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_an_unguarded_script_stops_with_one_line_saying_what_to_add(tmp_path: Path) -> None:
    done = run_script(tmp_path, "import gigsim\n" + BODY)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr  # no traceback, here or in the started processes
    assert lines[0].startswith("simulate(jobs=2) starts worker processes, which re-run")
    assert lines[0].endswith("(or use jobs=1)")
    assert 'if __name__ == "__main__":' in lines[0]
    assert "income" not in done.stdout


def test_the_error_is_still_a_gigsim_error_for_code_that_catches_them(tmp_path: Path) -> None:
    caught = ("import gigsim\ntry:\n" + "\n".join(f"    {line}" for line in BODY.splitlines())
              + "\nexcept gigsim.GigsimError as error:\n    print('caught:', error)\n")
    done = run_script(tmp_path, caught)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("caught: simulate(jobs=2) starts worker processes")


def test_the_same_script_guarded_runs(tmp_path: Path) -> None:
    guarded = "import gigsim\n\nif __name__ == '__main__':\n" + "\n".join(
        f"    {line}" if line else "" for line in BODY.splitlines())
    done = run_script(tmp_path, guarded)
    assert done.returncode == 0, done.stderr
    assert re.search(r"income \d", done.stdout)


@pytest.mark.slow
def test_the_readme_example_runs_pasted_into_a_file(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("From Python:\n\n```python\n", 1)[1].split("```", 1)[0]
    assert "gigsim.simulate(" in block and "jobs=2" in block
    done = run_script(tmp_path, block, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "income_mean_usd" in done.stdout


def test_an_unguarded_sweep_on_local_processes_stops_the_same_way(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(f"""scenario = {str(ROOT / "scenarios" / "generalist.toml")!r}
replications = 1
seed = 1
[set]
"workers.generalists.count" = 100
"workers.generalists.arrivals_per_week" = 5
"simulation.horizon" = "4w"
[grid]
"dispatch.delay" = ["1d", "2d", "3d"]
""", encoding="utf-8")
    script = (f"from gigsim.studies.sweep import load_sweep, make_backend, run_sweep\n"
              f"spec = load_sweep({str(sweep)!r})\n"
              f"run_sweep(spec, {str(tmp_path / 'out')!r}, backend=make_backend(jobs=2))\n"
              "print('finished')\n")
    done = run_script(tmp_path, script)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines == ["a sweep on local processes starts worker processes, which re-run this"
                     " script's top level: put the code that calls it under"
                     ' `if __name__ == "__main__":` (or use jobs=1)'], done.stderr

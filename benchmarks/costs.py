"""Peak memory of each engine case, and the cold-start cost of a first command (issue 23 item 3).

- :func:`peak_memory` runs one case (the reference or the toy, one replication) in a fresh
  Python process and reads its peak resident set, ``VmHWM`` in ``/proc/self/status`` (the
  kernel's high-water mark of the process's memory, every short peak included), and its
  resident set ``VmRSS``, before the replication (after the imports and the scenario) and
  after it: the peak after less the resident set before is what the replication added at its
  peak (none when the imports' own peak was the higher). Not ``getrusage``'s ``ru_maxrss``: on
  Linux a process started from another keeps, as its ``ru_maxrss``, the high-water mark its
  parent had when it forked (the benchmark's own, ~160 MiB); it is stored beside.
- :func:`cold_start` times a command three ways, each in a fresh process: with an empty
  bytecode cache (``PYTHONPYCACHEPREFIX`` set to an empty directory, so that every module,
  numpy's and pandas' too, is compiled from source as on a first run without precompiled
  files), with only gigsim's own bytecode missing (what a first command after ``pip install
  -e .`` or a ``git pull`` meets: the dependencies come precompiled), and warm (the same cache
  again). The operating system's page cache is not emptied (that needs root), so "cold"
  means compiling, not reading from disk.
- :func:`import_time` sums ``python -X importtime -c "import gigsim.engine"``.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.scenarios import ROOT

CASE = """
import json, resource, sys, time
sys.path.insert(0, ".")
from benchmarks.baselines.common import ToyParams
from benchmarks.scenarios import SEED, reference_scenario, toy_scenario
from gigsim.engine import run_replication

def status_mib(field):
    with open("/proc/self/status") as status:
        line = next(row for row in status if row.startswith(field + ":"))
    return int(line.split()[1]) / 1024

case, workers, seats = {case!r}, {workers!r}, {seats!r}
if case == "reference":
    scenario, seed = reference_scenario(workers, 1), SEED
else:
    params = ToyParams(workers=int(workers), seats=seats)
    scenario, seed = toy_scenario(params), params.seed
before, now = status_mib("VmHWM"), status_mib("VmRSS")
started = time.perf_counter()
records = run_replication(scenario, seed, 0)
print(json.dumps({{"seconds": time.perf_counter() - started, "peak_before_run_mib": before,
                  "rss_before_run_mib": now, "peak_rss_mib": status_mib("VmHWM"),
                  "ru_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "events": records.events}}))
"""


def peak_memory(case: str, workers: float, seats: int | None = None) -> dict[str, Any]:
    """Peak RSS (``VmHWM``, MiB) of one replication of ``case`` in a fresh process."""
    done = subprocess.run([sys.executable, "-c", CASE.format(case=case, workers=workers,
                                                              seats=seats)],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    out.update(case=case, workers=workers, seats=seats,
               run_mib=out["peak_rss_mib"] - out["rss_before_run_mib"])
    return out


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds of ``command``, and its CPU seconds (user + system, ``RUSAGE_CHILDREN``)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def gigsim_command() -> str:
    """The ``gigsim`` console script of this interpreter's environment."""
    script = Path(sys.executable).parent / "gigsim"
    return str(script) if script.exists() else "gigsim"


def cold_start(args: list[str], again: bool = True) -> dict[str, Any]:
    """Seconds of ``gigsim ARGS`` cold (no bytecode), with only gigsim's missing, and warm.

    ``again``: a second warm run, last (the warm figure is the faster of the two).
    """
    import gigsim

    package = Path(gigsim.__file__).resolve().parent
    with tempfile.TemporaryDirectory(prefix="gigsim-cold-") as scratch:
        cache, out = Path(scratch) / "pycache", Path(scratch) / "out"
        env = {**os.environ, "PYTHONPYCACHEPREFIX": str(cache)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        command = [gigsim_command(), *args, "--out", str(out)]
        cold = _timed(command, env)
        shutil.rmtree(out, ignore_errors=True)
        own = cache / package.relative_to(package.anchor)  # the prefix mirrors the path
        cached_files = sum(1 for _ in cache.rglob("*.pyc"))
        own_files = sum(1 for _ in own.rglob("*.pyc"))
        warm = _timed(command, env)
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(own)
        gigsim_cold = _timed(command, env)
        shutil.rmtree(out, ignore_errors=True)
        warm_again = _timed(command, env) if again else warm
    best = min(warm, warm_again)
    runs = {"cold": cold, "gigsim_cold": gigsim_cold, "warm": warm, "warm_again": warm_again}
    out_: dict[str, Any] = {"command": ["gigsim", *args, "--out", "DIR"],
                            "compiled_files": cached_files, "gigsim_files": own_files,
                            "compile_cache": _compile_cache()}
    for name, (wall, cpu) in runs.items():
        out_[f"{name}_s"], out_[f"{name}_cpu_s"] = wall, cpu
    out_["cold_minus_warm_s"] = cold[0] - best[0]
    out_["cold_minus_warm_cpu_s"] = cold[1] - best[1]
    out_["gigsim_cold_minus_warm_s"] = gigsim_cold[0] - best[0]
    out_["gigsim_cold_minus_warm_cpu_s"] = gigsim_cold[1] - best[1]
    return out_


def _compile_cache() -> str | None:
    """A compiled-kernel cache the tree uses (numba's), if any; None today."""
    for path in (ROOT / "gigsim").rglob("*.py"):
        if "numba" in path.read_text(encoding="utf-8"):
            return f"numba in {path.relative_to(ROOT)}: not emptied by this benchmark"
    return None


def import_time(cold: bool = False) -> dict[str, Any]:
    """``python -X importtime -c "import gigsim.engine"``: the sum and the largest imports.

    The sum of every module's own time is the import's total (the interpreter's start-up
    is not in it); ``gigsim_own_s`` is that of gigsim's modules (``gigsim_largest``: the
    largest of them); ``largest``: the other packages by their cumulative time; ``wall_s``
    is the whole process. ``cold``: with an empty bytecode cache.
    """
    with tempfile.TemporaryDirectory(prefix="gigsim-import-") as scratch:
        env = dict(os.environ)
        if cold:
            env["PYTHONPYCACHEPREFIX"] = scratch
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import gigsim.engine"],
                              env=env, cwd=ROOT, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - started
    own_us, gigsim_us, packages, ours = 0, 0, [], []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|")
        name = name.strip()
        own_us += int(self_us)
        if name.split(".")[0] == "gigsim":
            gigsim_us += int(self_us)
            ours.append((name, int(self_us)))
        elif "." not in name:  # a package, imported once: its cumulative time is all of it
            packages.append((name, int(cumulative_us)))
    packages.sort(key=lambda row: -row[1])
    ours.sort(key=lambda row: -row[1])
    return {"total_s": own_us / 1e6, "gigsim_own_s": gigsim_us / 1e6, "wall_s": wall,
            "cold": cold, "largest": [(name, us / 1e6) for name, us in packages[:6]],
            "gigsim_largest": [(name, us / 1e6) for name, us in ours[:4]]}

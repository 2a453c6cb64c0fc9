"""``python -m benchmarks.outputs``: what ``make run`` writes and what ``compare`` holds (issue 12).

Two measurements, each of the ``gigsim`` command in a fresh process, as a user runs it:

- ``run``: ``gigsim run scenarios/generalist.toml --jobs 0`` (what ``make run`` does), and
  the same with ``--jobs 1`` (one process), its wall
  time from the shell, the simulation's own time from its manifest (``simulate_s``), the time
  spent writing (``write_s``) and the size of the results folder. Targets: the folder under
  25 MB; the wall time at most twice ``simulate_s``.
- ``compare``: ``gigsim compare scenarios/platform.toml`` with 5 variants, with ``--jobs 0``
  and with ``--jobs 1``: its wall time and the peak resident memory of the largest process
  it ran (gigsim and the worker processes it started: the resident memory of every process of
  the tree read from ``/proc`` every 0.2 s), and whether the two wrote the same
  ``comparison.csv``, byte for byte. Target: under 500 MB either way.

Timings depend on how busy the machine is; memory and size do not. ``--quick`` runs ``run``
only. Prints one line per figure and, with ``--json PATH``, writes them as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GIGSIM = [sys.executable, "-c", "from gigsim.cli import main; main()"]
VARIANTS = ("base:", "rand:dispatch.policy=random", "fair:dispatch.policy=least-earned",
            "best:dispatch.policy=best-rated", "nodelay:dispatch.delay=0")


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure_run(scratch: Path, jobs: int = 0) -> dict[str, Any]:
    """``make run``'s gigsim step: wall time, simulation time, writing time, folder size."""
    out = scratch / f"generalist-{jobs}"
    wall = _timed([*GIGSIM, "run", "scenarios/generalist.toml", "--jobs", str(jobs), "--force",
                   "--out", str(out), "-q"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    simulate_s = manifest["timings_s"]["simulate_s"]
    size = _folder_bytes(out)
    return {"wall_s": wall, "simulate_s": simulate_s, "write_s": manifest["timings_s"]["write_s"],
            "wall_over_simulate": wall / simulate_s, "folder_mb": size / 1e6,
            "files": sorted(p.name for p in out.iterdir()),
            "targets": {"folder under 25 MB": size < 25e6,
                        "wall at most 2 × simulate_s": wall <= 2 * simulate_s}}


def _children(pid: int) -> list[int]:
    """The processes ``pid`` started, and theirs (Linux: ``/proc/PID/task/TID/children``)."""
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found += [int(child) for child in handle.read().split()]
    except OSError:  # gone meanwhile
        return []
    return found + [grandchild for child in found for grandchild in _children(child)]


def _resident_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):  # gone meanwhile
        return 0


def _peak_resident(args: list[str]) -> tuple[float, int]:
    """Run ``args``; its wall time and the peak resident bytes of its largest process.

    Every process of the tree is read every 0.2 s, so a peak shorter than that may be missed.
    """
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max([peak, *(_resident_bytes(pid) for pid in [process.pid,
                                                              *_children(process.pid)])])
        time.sleep(0.2)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, args)
    return time.perf_counter() - started, peak


def measure_compare(scratch: Path) -> dict[str, Any]:
    """compare of 5 variants on platform.toml, ``--jobs 0`` then ``1``: time, peak memory."""
    figures: dict[str, Any] = {"variants": len(VARIANTS), "targets": {}}
    for jobs in (0, 1):
        args = [*GIGSIM, "compare", "scenarios/platform.toml", "--jobs", str(jobs), "--force",
                "--out", str(scratch / f"compare-{jobs}"), "-q"]
        for variant in VARIANTS:
            args += ["--variant", variant]
        wall, peak = _peak_resident(args)
        figures[f"jobs{jobs}"] = {"wall_s": wall, "peak_rss_mb": peak / 1e6}
        figures["targets"][f"peak under 500 MB, --jobs {jobs}"] = peak < 500e6
    tables = [(scratch / f"compare-{jobs}" / "comparison.csv").read_bytes() for jobs in (0, 1)]
    figures["targets"]["the same comparison.csv, --jobs 0 and 1"] = tables[0] == tables[1]
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run the measurements and print them."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.outputs", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="run only, not compare")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    options = parser.parse_args(argv)
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="gigsim-outputs-") as scratch:
        for jobs, name in ((0, "run"), (1, "run --jobs 1")):
            figures[name] = run = measure_run(Path(scratch), jobs)
            print(f"{name}: {run['wall_s']:.1f} s wall, simulation {run['simulate_s']:.1f} s"
                  f" ({run['wall_over_simulate']:.2f}×), writing {run['write_s']:.2f} s,"
                  f" folder {run['folder_mb']:.1f} MB ({', '.join(run['files'])})")
        if not options.quick:
            figures["compare"] = cmp = measure_compare(Path(scratch))
            for jobs in (0, 1):
                one = cmp[f"jobs{jobs}"]
                print(f"compare: {cmp['variants']} variants, --jobs {jobs}:"
                      f" {one['wall_s']:.1f} s wall, peak resident memory"
                      f" {one['peak_rss_mb']:.0f} MB (largest process)")
    for name, figure in figures.items():
        for target, met in figure["targets"].items():
            print(f"  {name}: {target}: {'met' if met else 'NOT met'}")
    if options.json is not None:
        options.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

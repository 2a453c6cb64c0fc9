"""Record the engine fixtures: each variant's metrics, mean and standard error over replications.

The ``fixtures.json`` in git was recorded with the first engine, v1, at commit 4794d89 (its
stamp); v1 was removed after commit 4ff84e0, the last commit that has it. To record v1 again,
run this script from a checkout of 4ff84e0 (``--engine v1`` there). From this commit on it
records the current engine (``gigsim.simulate``), stamped ``"engine": "v2"``; run from the
repository's root (about two minutes with --jobs 2 on the development machine)::

    .venv/bin/python tests/validation/engine_fixtures/record.py --jobs 2 --out /tmp/f.json

It writes ``fixtures.json`` beside this file (or ``--out``), replacing it, stamped with the
engine, seed, replications and the gigsim commit it was recorded at. The variants and metrics
are in ``fixture_variants.py``; ``test_engine_fixtures.py`` compares the engine with the file.
Replace the fixtures only when the model changes on purpose (see README.md).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

import gigsim

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # run as a path: the variants module is beside this file

import fixture_variants as fv  # noqa: E402

FIXTURE = HERE / "fixtures.json"
ENGINE = "v2"  # the engine in gigsim/engine/ (issue 10), the only one since 4ff84e0
SEED = 20261201
REPLICATIONS = 60


def _commit() -> str:
    """The gigsim commit (with ``-dirty`` when the working tree has changes), or "unknown"."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True,
                              check=True).stdout.strip()
    try:
        head = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", "gigsim")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


def record(seed: int = SEED, replications: int = REPLICATIONS, jobs: int = 1,
           names: list[str] | None = None) -> dict[str, Any]:
    """Simulate each variant and return the fixture document."""
    variants: dict[str, Any] = {}
    for name in names or list(fv.VARIANTS):
        started = time.perf_counter()
        results = gigsim.simulate(fv.scenario(name), replications=replications, seed=seed,
                                  jobs=jobs)
        values = fv.measure(results)
        variants[name] = {
            "digest": fv.digest(name),
            "metrics": {metric: _json_ready(fv.mean_and_se(values[metric]))
                        for metric in fv.METRICS},
        }
        print(f"{name:28s} {time.perf_counter() - started:6.1f} s", file=sys.stderr)
    return {
        "about": "engine fixtures: per variant and metric, the mean over replications of the"
                 " per-replication value, its standard error (sd / sqrt(n)) and n; see README.md",
        "engine": ENGINE,
        "seed": seed,
        "replications": replications,
        "gigsim_commit": _commit(),
        "gigsim_version": gigsim.__version__,
        "numpy_version": np.__version__,
        "recorded_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "metrics": fv.METRICS,
        "variants": variants,
    }


def _json_ready(stats: dict[str, float]) -> dict[str, float | None]:
    """NaN (a metric undefined in every replication) as JSON null."""
    return {key: None if math.isnan(value) else value for key, value in stats.items()}


def write(document: dict[str, Any], path: Path) -> None:
    """Write ``document`` as JSON to ``path`` atomically (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=1, allow_nan=False)
            out.write("\n")
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, record, write."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--replications", type=int, default=REPLICATIONS)
    parser.add_argument("--jobs", type=int, default=1, help="processes; 0 = one per core")
    parser.add_argument("--out", type=Path, default=FIXTURE)
    args = parser.parse_args(argv)
    document = record(args.seed, args.replications, args.jobs)
    write(document, args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

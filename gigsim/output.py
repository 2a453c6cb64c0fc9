"""Writing a results folder atomically: tables, summary, manifest and the scenario as run."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import simpy
import tomli_w

from gigsim.errors import GigsimError
from gigsim.results import TABLES, Results

Format = Literal["csv", "parquet"]


def parquet_available() -> bool:
    """Whether pyarrow is installed, so tables can be written as Parquet."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def check_target(out: Path, force: bool, fmt: Format = "csv") -> None:
    """Refuse to replace an existing folder unless ``force``, and what cannot be written."""
    if fmt == "parquet" and not parquet_available():
        raise GigsimError("--format parquet needs pyarrow: pip install 'gigsim[parquet]'")
    if out.exists() and not force:
        raise GigsimError(f"{out}: already exists; use --force to replace it, or --out elsewhere")
    nearest = next((p for p in out.parents if p.exists()), None)
    if nearest is not None and not nearest.is_dir():
        raise GigsimError(f"{out}: cannot create the folder, {nearest} is a file")


def resolved_scenario(results: Results) -> dict[str, Any]:
    """The scenario data as run: the file with its overrides, and the seed and replications used."""
    data = json.loads(json.dumps(dict(results.scenario.data)))  # a deep, plain copy
    simulation = data.setdefault("simulation", {})
    simulation["seed"] = results.seed
    simulation["replications"] = results.replications
    return data


def write_results(results: Results, out: str | Path, fmt: Format = "csv", force: bool = False,
                  manifest: Mapping[str, Any] | None = None) -> Path:
    """Write every table, ``summary.json``, ``manifest.json`` and ``scenario.toml`` to ``out``.

    Files are written to a temporary folder beside ``out`` and renamed into place, so a reader
    never sees a half-written folder. An existing ``out`` is replaced only with ``force``.
    """
    out = Path(out)
    check_target(out, force, fmt)
    started = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        for name in TABLES:
            frame: pd.DataFrame = getattr(results, name)
            if fmt == "parquet":
                frame.to_parquet(staging / f"{name}.parquet", index=False)
            else:
                frame.to_csv(staging / f"{name}.csv", index=False)
        summary = {"scenario": results.scenario.name, **results.summary().to_dict()}
        _write_json(staging / "summary.json", summary)
        (staging / "scenario.toml").write_text(tomli_w.dumps(resolved_scenario(results)),
                                               encoding="utf-8")
        timings = dict(results.timings)
        timings["write_s"] = time.perf_counter() - started
        _write_json(staging / "manifest.json", {
            "gigsim_version": _version(),
            "scenario": results.scenario.name,
            "scenario_file": results.scenario.source,
            "seed": results.seed,
            "replications": results.replications,
            "format": fmt,
            "tables": list(TABLES),
            "timings_s": timings,
            "events": int(sum(r.events for r in results.records)),
            "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "simpy": simpy.__version__,
            **(manifest or {}),
        })
        _replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def _replace(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    retired = out.parent / f".{out.name}.replaced-{os.getpid()}"
    out.rename(retired)
    try:
        staging.rename(out)
    except BaseException:
        retired.rename(out)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", encoding="utf-8")


def _version() -> str:
    from gigsim import __version__

    return __version__

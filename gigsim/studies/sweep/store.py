"""A sweep's folder: its spec, one small part file per finished run, and the final tables.

::

    OUT/
      spec.json            the resolved sweep and its digest, written before any run
      sweep.toml           the sweep file as given
      runs/p000012-r0003.json       one per finished run, written as it finishes
      tables/p000012-r0003/*.csv    each run's tables, with --keep-tables
      runs.csv, points.csv, manifest.json, scenario.toml, figures   at the end

Every file is written to a temporary name and renamed into place (``os.replace``), so a part
file is either complete or absent, whenever the process is stopped. A run is finished when its
part file exists; ``--resume`` runs only the others. ``spec.json`` holds the digest of the
resolved sweep, and a folder refuses to be resumed by a sweep with another digest.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from gigsim.analysis.applicants import APPLICANT_METRICS
from gigsim.errors import GigsimError
from gigsim.files import (
    Format,
    check_target,
    write_atomically,
    write_json,
    write_table,
)
from gigsim.studies.sweep.spec import SweepSpec
from gigsim.studies.sweep.task import RunOutcome

SPEC_FILE = "spec.json"
RUNS = "runs"
TABLES = "tables"
_PART = re.compile(r"^p(\d+)-r(\d+)\.json$")


def part_name(point: int, replication: int) -> str:
    """The stem of a run's part file, e.g. ``p000012-r0003``."""
    return f"p{point:06d}-r{replication:04d}"


@dataclass(frozen=True)
class FolderState:
    """What a results folder holds before a sweep starts."""

    exists: bool
    is_sweep: bool = False
    digest: str = ""
    finished: frozenset[tuple[int, int]] = frozenset()


class SweepStore:
    """The folder of one sweep: checks it, and persists runs as they finish."""

    def __init__(self, out: str | Path, spec: SweepSpec, keep_tables: bool = False) -> None:
        self.out = Path(out)
        self.spec = spec
        self.keep_tables = keep_tables  # a run counts as finished only with its tables
        self.digest = spec.digest()

    @property
    def runs_dir(self) -> Path:
        """Where the part files go."""
        return self.out / RUNS

    def state(self) -> FolderState:
        """Read what the folder holds, without changing it."""
        if not self.out.exists():
            return FolderState(False)
        spec_file = self.out / SPEC_FILE
        if not self.out.is_dir() or not spec_file.is_file():
            return FolderState(True)
        try:
            digest = str(json.loads(spec_file.read_text(encoding="utf-8"))["digest"])
        except (OSError, ValueError, KeyError, TypeError):
            return FolderState(True)
        return FolderState(True, True, digest, frozenset(self._finished()))

    def _finished(self) -> Iterable[tuple[int, int]]:
        if not self.runs_dir.is_dir():
            return
        for path in self.runs_dir.iterdir():
            match = _PART.match(path.name)
            if match is None:
                continue
            if self.keep_tables and not (self.out / TABLES / path.stem).is_dir():
                continue
            yield int(match.group(1)), int(match.group(2))

    def check(self, resume: bool, force: bool, fmt: Format = "csv") -> FolderState:
        """Refuse what cannot be done with the folder as it is; change nothing.

        A new folder is fine. An existing one needs ``--resume`` (same sweep only) or
        ``--force`` (replace it).
        """
        if resume and force:
            raise GigsimError("--resume and --force: give one (--resume keeps the finished"
                              " runs, --force discards them)")
        state = self.state()
        if not state.exists or force:
            check_target(self.out, True, fmt)
            return state
        if not state.is_sweep:
            raise GigsimError(f"{self.out}: already exists and is not a sweep folder; use"
                              " --force to replace it, or --out elsewhere")
        done = len(state.finished & self.expected())
        if state.digest != self.digest:
            raise GigsimError(
                f"{self.out}: holds a different sweep (spec {state.digest[:12]}, this one"
                f" {self.digest[:12]}); --resume needs the same sweep file, scenario and --set;"
                " use --force to replace it, or --out elsewhere")
        if not resume:
            if self.spec.goal is not None:  # how many runs it needs is known only by running
                raise GigsimError(f"{self.out}: already holds this sweep ({done} runs saved);"
                                  " use --resume to finish it or rewrite its tables, or --force"
                                  " to run it again")
            if done == self.spec.runs:
                raise GigsimError(f"{self.out}: already holds this sweep, finished; use"
                                  " --resume to rewrite its tables from the saved runs, or"
                                  " --force to run it again")
            raise GigsimError(f"{self.out}: already holds this sweep, unfinished ({done} of"
                              f" {self.spec.runs} runs done); use --resume to compute only the"
                              " missing runs, or --force to start over")
        check_target(self.out, True, fmt)
        return state

    def expected(self) -> set[tuple[int, int]]:
        """Every (point, replication) of the sweep."""
        return {(p.index, r) for p in self.spec.points for r in range(self.spec.replications)}

    def open(self, state: FolderState, force: bool) -> set[tuple[int, int]]:
        """Make the folder ready to take runs; return the runs already finished.

        With ``force`` an existing folder is moved aside and deleted first. ``spec.json`` and
        ``sweep.toml`` are written before any run.
        """
        if state.exists and (force or not state.is_sweep):
            retired = self.out.parent / f".{self.out.name}.replaced-{os.getpid()}"
            self.out.rename(retired)
            shutil.rmtree(retired, ignore_errors=True)
            state = FolderState(False)
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        for leftover in self.runs_dir.glob(".*.tmp-*"):  # a write cut short by a kill
            leftover.unlink(missing_ok=True)
        if not (self.out / SPEC_FILE).is_file():
            write_json(self.out / SPEC_FILE, {
                "digest": self.digest,
                "sweep": self.spec.name,
                "sweep_file": self.spec.source,
                "resolved": self.spec.resolved(),
            })
        if self.spec.text:
            write_atomically(self.out / "sweep.toml", self.spec.text)
        return set(state.finished) & self.expected()

    def save(self, outcome: RunOutcome, fmt: Format = "csv") -> None:
        """Persist one finished run: its tables (if any), then its part file."""
        stem = part_name(outcome.point, outcome.replication)
        if outcome.tables is not None:
            folder = self.out / TABLES / stem
            staging = self.out / TABLES / f".{stem}.tmp-{os.getpid()}"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            for name, frame in outcome.tables.items():
                write_table(frame, staging, name, fmt)
            shutil.rmtree(folder, ignore_errors=True)
            os.replace(staging, folder)
        write_json(self.runs_dir / f"{stem}.json", {
            "point": outcome.point,
            "replication": outcome.replication,
            "seed": outcome.seed,
            "simulate_s": outcome.simulate_s,
            "events": outcome.events,
            "metrics": dict(outcome.metrics),
            "groups": {group: dict(values) for group, values in outcome.groups.items()},
        })

    def load_runs(self) -> list[dict[str, Any]]:
        """Every finished run's part, for the sweep's expected runs, ordered by point and run."""
        expected = self.expected()
        parts = []
        for path in self.runs_dir.iterdir():
            match = _PART.match(path.name)
            if match is None or (int(match.group(1)), int(match.group(2))) not in expected:
                continue
            data = json.loads(path.read_text(encoding="utf-8"))
            data["metrics"] = {name: math.nan if data["metrics"].get(name) is None
                               else float(data["metrics"][name])
                               for name in self.spec.all_metrics}
            data["groups"] = {group: {name: math.nan if values.get(name) is None
                                      else float(values[name]) for name in APPLICANT_METRICS}
                              for group, values in data.get("groups", {}).items()}
            parts.append(data)
        parts.sort(key=lambda d: (d["point"], d["replication"]))
        return parts

    def write_frame(self, frame: pd.DataFrame, name: str, fmt: Format) -> str:
        """Write a final table atomically; returns its file name."""
        file = f"{name}.{fmt}"
        staging = self.out / f".{file}.tmp-{os.getpid()}"
        if fmt == "parquet":
            frame.to_parquet(staging, index=False)
        else:
            frame.to_csv(staging, index=False)
        os.replace(staging, self.out / file)
        return file

"""Writing a calibration's folder: the calibrated scenario, its tables, figures and manifest."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gigsim.files import (
    FigureFormat,
    environment,
    gigsim_version,
    write_atomically,
    write_json,
)
from gigsim.studies.fitting.calibrate import Calibration, parameter_text
from gigsim.studies.fitting.toml_edit import scenario_copy, write_text


def write_calibration(result: Calibration, folder: str | Path,
                      manifest: Mapping[str, Any] | None = None,
                      figure_format: FigureFormat = "png") -> list[str]:
    """Write the calibrated scenario, the tables, the figures and a manifest into ``folder``.

    Each file is written to a temporary name and renamed into place.
    """
    from gigsim.presentation.figures.fitting import objective_figure, targets_figure  # matplotlib

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    spec = result.spec
    comments = {}
    rows = {r["key"]: r for r in result.parameters.to_dict("records")}
    for p in spec.parameters:
        row = rows[p.key]
        interval = ("" if math.isnan(row["ci_low"]) else
                    f", 95% interval {parameter_text(p, row['ci_low'])} to"
                    f" {parameter_text(p, row['ci_high'])}")
        comments[p.key] = (f"{p.key}: calibrated by gigsim calibrate {spec.source}"
                           f" (method of simulated moments{interval})")
    text, _ = scenario_copy(spec.scenario_file, out / "scenario.toml",
                            spec.overrides(result.best.values), comments, force=True,
                            blame=spec.source)
    write_text(out / "scenario.toml", text)
    files = ["scenario.toml"]
    for name, frame in (("targets", result.targets), ("parameters", result.parameters),
                        ("trace", result.trace)):
        write_text(out / f"{name}.csv", frame.to_csv(index=False))
        files.append(f"{name}.csv")
    weights = sum(t.weight for t in spec.targets)
    for name, figure in (("objective", objective_figure(result.trace, weights)),
                         ("targets", targets_figure(result.targets))):
        drawn = io.BytesIO()
        figure.savefig(drawn, dpi=110, format=figure_format)
        write_atomically(out / f"{name}.{figure_format}", drawn.getvalue())
        files.append(f"{name}.{figure_format}")
    write_json(out / "manifest.json", {
        "gigsim_version": gigsim_version(), "calibration": spec.name,
        "calibration_file": spec.source, "scenario_file": spec.scenario_file,
        "digest": spec.digest(), "replications": spec.replications, "seed": spec.seed,
        "max_evaluations": spec.max_evaluations, "evaluations": len(result.trace),
        "computed_now": result.computed, "reused": result.reused,
        "objective": result.best.objective, "on_target": result.on_target,
        "calibrated": dict(result.best.values), "files": [*files, "manifest.json"],
        **environment(), **(manifest or {})})
    result.files = [*files, "manifest.json"]
    return result.files

"""Scenario sweeps: grids and samples of scenario keys, run locally or on a Dask cluster.

Load a sweep file, run it into a folder, read the tidy tables::

    from gigsim.studies.sweep import load_sweep, run_sweep, make_backend

    spec = load_sweep("scenarios/sweeps/arrival_notice.toml")
    result = run_sweep(spec, "results/arrival_notice-sweep", backend=make_backend(jobs=0))
    # figures=gigsim.presentation.figures.sweep.folder_figures also saves gigsim sweep's figures
    result.runs      # one row per (point, replication): swept keys and summary metrics
    result.points    # one row per point: each metric's mean and 95% interval

Each run persists as it finishes; ``run_sweep(..., resume=True)`` computes only what is missing.
A ``[sensitivity]`` sweep also gives SALib's indices (``result.indices``).
"""

from gigsim.studies.sweep.backends import DaskBackend, ProcessBackend, SerialBackend, make_backend
from gigsim.studies.sweep.runner import SweepResult, run_sweep
from gigsim.studies.sweep.spec import Point, SweepSpec, load_sweep, point_seed, sweep_from_dict

__all__ = [
    "DaskBackend",
    "Point",
    "ProcessBackend",
    "SerialBackend",
    "SweepResult",
    "SweepSpec",
    "load_sweep",
    "make_backend",
    "point_seed",
    "run_sweep",
    "sweep_from_dict",
]

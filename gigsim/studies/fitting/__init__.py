"""Scenarios from data: censored fits of distributions, and calibration to published moments.

Fit a column of a platform's log, censored where projects are still running::

    from gigsim.studies.fitting import read_sample, fit_sample
    report = fit_sample(read_sample("projects.csv", "lifetime_d", "running"))  # _d: days
    report.best.toml()           # '{ dist = "lognormal", median = "19d", sigma = 1.1 }'

Calibrate scenario keys to target metrics by simulated moments::

    from gigsim.studies.fitting import load_calibration, calibrate
    result = calibrate(load_calibration("scenarios/calibration/generalist.toml"), "out")
    result.targets, result.parameters, result.trace
"""

from gigsim.studies.fitting.calibrate import Calibration, calibrate, check
from gigsim.studies.fitting.data import Sample, make_sample, read_sample
from gigsim.studies.fitting.fit import Fit, FitReport, fit_sample
from gigsim.studies.fitting.spec import CalibrationSpec, load_calibration

__all__ = [
    "Calibration",
    "CalibrationSpec",
    "Fit",
    "FitReport",
    "Sample",
    "calibrate",
    "check",
    "fit_sample",
    "load_calibration",
    "make_sample",
    "read_sample",
]

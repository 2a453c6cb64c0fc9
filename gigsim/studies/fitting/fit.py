"""Maximum-likelihood fits of the scenario's distributions to a right-censored sample.

Each family is fitted by maximising the censored log-likelihood

    ℓ(θ) = Σ_ended log f(xᵢ; θ) + Σ_censored log S(xᵢ; θ),

where a censored value counts through the probability of lasting longer than it was seen.
scipy's ``dist.fit`` on :class:`scipy.stats.CensoredData` (location fixed at 0) gives the
estimate; a Nelder–Mead polish on the log-parameters makes sure it is the maximum of the same
ℓ that the intervals come from. Counts are fitted by Poisson (``P(X ≥ c)`` for a censored
count) and by the continuous families on the integer grid (``P(k − ½ < Y < k + ½)``), so that
every family's likelihood is a probability and their AICs compare.

Intervals are Wald intervals on the log scale from the observed information (the numerical
Hessian of −ℓ in log-parameters): ``exp(log θ̂ ± 1.96 se)``, so they stay positive.
Goodness of fit is the largest vertical gap between the data's Kaplan–Meier curve and the
fitted survival curve (a Kolmogorov–Smirnov distance that counts censored values as the
Kaplan–Meier estimate does). As a rough guide, gaps above 1.36/√(values that ended) — the 5%
point of the uncensored Kolmogorov–Smirnov test with known parameters — are flagged; with
estimated parameters and censoring the true 5% point is lower, so the flag is lenient.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy import optimize, stats

from gigsim.analysis.survival import Survival, kaplan_meier
from gigsim.errors import GigsimError
from gigsim.scenario.units import HOURS_PER_DAY, HOURS_PER_WEEK
from gigsim.studies.fitting.data import Sample

Z_95 = float(stats.norm.ppf(0.975))
EMPIRICAL_VALUES = 20  # an empirical fallback lists this many equally likely values


@dataclass(frozen=True)
class Family:
    """A distribution family in the scenario's syntax, and how scipy knows it."""

    name: str
    params: tuple[str, ...]
    unit_params: tuple[str, ...]  # the parameters measured in the sample's unit
    frozen: Callable[[Sequence[float]], Any]
    scipy_fit: Callable[[stats.CensoredData], list[float]] | None = None
    discrete: bool = False


def _fit_with(dist: Any, order: Callable[[tuple[float, ...]], list[float]]
              ) -> Callable[[stats.CensoredData], list[float]]:
    def fit(data: stats.CensoredData) -> list[float]:
        return order(tuple(float(v) for v in dist.fit(data, floc=0)))

    return fit


FAMILIES: dict[str, Family] = {
    "exponential": Family("exponential", ("mean",), ("mean",),
                          lambda t: stats.expon(scale=t[0]),
                          _fit_with(stats.expon, lambda p: [p[1]])),
    "lognormal": Family("lognormal", ("median", "sigma"), ("median",),
                        lambda t: stats.lognorm(t[1], scale=t[0]),
                        _fit_with(stats.lognorm, lambda p: [p[2], p[0]])),
    "gamma": Family("gamma", ("shape", "scale"), ("scale",),
                    lambda t: stats.gamma(t[0], scale=t[1]),
                    _fit_with(stats.gamma, lambda p: [p[0], p[2]])),
    "weibull": Family("weibull", ("shape", "scale"), ("scale",),
                      lambda t: stats.weibull_min(t[0], scale=t[1]),
                      _fit_with(stats.weibull_min, lambda p: [p[0], p[2]])),
    "poisson": Family("poisson", ("mean",), (), lambda t: stats.poisson(t[0]),
                      discrete=True),
}
CONTINUOUS = ("exponential", "lognormal", "gamma", "weibull")


@dataclass(frozen=True)
class Fit:
    """One family fitted to a sample: estimates, 95% intervals, likelihood, AIC, KM gap.

    ``params`` are in the scenario's syntax (durations in hours). The empirical fallback has
    ``values`` (equally likely) instead, and no likelihood or AIC.
    """

    family: str
    params: dict[str, float]
    ci_low: dict[str, float]
    ci_high: dict[str, float]
    log_likelihood: float
    aic: float
    km_distance: float
    kind: str
    values: tuple[float, ...] = ()
    note: str = ""

    @property
    def parametric(self) -> bool:
        """Whether this is a fitted family (not the empirical fallback)."""
        return self.family != "empirical"

    def survival(self, t: np.ndarray, left: bool = False) -> np.ndarray:
        """The fitted ``P(X > t)`` (``P(X ≥ t)`` with ``left``) at the sample's values ``t``."""
        t = np.asarray(t, dtype=float)
        if not self.parametric:
            values = np.asarray(self.values)
            above = values[None, :] >= t[:, None] if left else values[None, :] > t[:, None]
            return np.asarray(above.mean(axis=1))
        family = FAMILIES[self.family]
        dist = family.frozen([self.params[p] for p in family.params])
        if family.discrete:
            return np.asarray(dist.sf(t - 1 if left else t))
        if self.kind == "count":
            return np.asarray(dist.sf(np.maximum(t - 0.5, 0) if left else t + 0.5))
        return np.asarray(dist.sf(t))

    def quantile(self, p: np.ndarray) -> np.ndarray:
        """The fitted quantiles at probabilities ``p``."""
        if not self.parametric:
            return np.quantile(np.asarray(self.values), p, method="inverted_cdf")
        family = FAMILIES[self.family]
        return np.asarray(family.frozen([self.params[q] for q in family.params]).ppf(p))

    def toml(self) -> str:
        """The scenario-file form, e.g. ``{ dist = "lognormal", median = "19d", sigma = 1.1 }``.

        Numbers are rounded to three significant figures; durations get units.
        """
        if not self.parametric:
            shown = ", ".join(self._text(v, True) for v in self.values)
            return f'{{ dist = "empirical", values = [{shown}] }}'
        family = FAMILIES[self.family]
        parts = [f'dist = "{self.family}"']
        for name in family.params:
            parts.append(f"{name} = {self._text(self.params[name], name in family.unit_params)}")
        return "{ " + ", ".join(parts) + " }"

    def toml_data(self) -> dict[str, Any]:
        """The same as :meth:`toml`, as the parsed TOML table."""
        import tomllib

        return dict(tomllib.loads(f"value = {self.toml()}")["value"])

    def _text(self, value: float, in_unit: bool) -> str:
        if in_unit and self.kind == "duration":
            return f'"{duration_text(value)}"'
        if self.kind == "count" and in_unit and not self.parametric:
            return str(round(value))
        return _number(value)


def _number(value: float) -> str:
    text = f"{value:.3g}"
    if "e" not in text:
        return text
    number = float(text)
    return str(int(number)) if number.is_integer() else repr(number)


def duration_text(hours: float) -> str:
    """A duration with units, three significant figures: ``"13.5h"``, ``"19d"``, ``"2.6w"``."""
    if hours < 48:
        return f"{_number(hours)}h"
    if hours < 8 * HOURS_PER_WEEK:
        return f"{_number(hours / HOURS_PER_DAY)}d"
    return f"{_number(hours / HOURS_PER_WEEK)}w"


@dataclass(frozen=True)
class FitReport:
    """Every family fitted to one sample, best (lowest AIC) first, the fallback last."""

    sample: Sample
    fits: tuple[Fit, ...]
    curve: Survival = field(repr=False)

    @property
    def best(self) -> Fit:
        """The parametric fit with the lowest AIC."""
        return next(f for f in self.fits if f.parametric)

    @property
    def km_threshold(self) -> float:
        """1.36/√(values that ended): gaps above it are flagged (see the module's notes)."""
        return 1.36 / math.sqrt(self.sample.n_events)

    @property
    def recommended(self) -> Fit:
        """The best fit, or the empirical fallback when its Kaplan–Meier gap is flagged."""
        best = self.best
        if best.km_distance <= self.km_threshold:
            return best
        return next(f for f in self.fits if not f.parametric)

    def table(self) -> list[dict[str, Any]]:
        """One row per fit: family, parameters with intervals, ℓ, AIC, ΔAIC, KM gap."""
        best_aic = self.best.aic
        rows = []
        for fit in self.fits:
            row: dict[str, Any] = {"family": fit.family, "toml": fit.toml(),
                                   "log_likelihood": fit.log_likelihood, "aic": fit.aic,
                                   "delta_aic": fit.aic - best_aic, "km_distance": fit.km_distance}
            for name, value in fit.params.items():
                row[name] = value
                row[f"{name}_ci_low"] = fit.ci_low[name]
                row[f"{name}_ci_high"] = fit.ci_high[name]
            rows.append(row)
        return rows


def families_for(kind: str) -> tuple[str, ...]:
    """The families that make sense for a kind of sample."""
    return ("poisson", *CONTINUOUS) if kind == "count" else CONTINUOUS


def fit_sample(sample: Sample, families: Sequence[str] | None = None) -> FitReport:
    """Fit each family to ``sample`` and rank them by AIC; add the empirical fallback."""
    names = tuple(families) if families else families_for(sample.kind)
    for name in names:
        if name not in FAMILIES or name not in families_for(sample.kind):
            raise GigsimError(f"--family: {name!r} is not one for a {sample.kind} (choose from"
                              f" {', '.join(families_for(sample.kind))})")
    curve = kaplan_meier(sample.values, sample.censored)
    fits = [_fit_family(FAMILIES[name], sample, curve) for name in names]
    fits.sort(key=lambda f: (math.isnan(f.aic), f.aic))
    fits.append(_empirical(sample, curve))
    return FitReport(sample, tuple(fits), curve)


def log_likelihood(family: Family, theta: Sequence[float], sample: Sample) -> float:
    """The censored log-likelihood of ``theta`` (the scenario's parameters) on ``sample``."""
    dist = family.frozen(theta)
    x, cut = sample.values, sample.censored
    with np.errstate(divide="ignore", invalid="ignore"):
        if family.discrete:
            total = dist.logpmf(x[~cut]).sum() + dist.logsf(x[cut] - 1).sum()
        elif sample.kind == "count":
            ended = x[~cut]
            mass = dist.cdf(ended + 0.5) - dist.cdf(np.maximum(ended - 0.5, 0))
            total = np.log(mass).sum() + dist.logsf(np.maximum(x[cut] - 0.5, 0)).sum()
        else:
            total = dist.logpdf(x[~cut]).sum() + dist.logsf(x[cut]).sum()
    value = float(total)
    return value if math.isfinite(value) else -math.inf


def _censored_data(sample: Sample) -> stats.CensoredData:
    x, cut = sample.values, sample.censored
    if sample.kind == "count":
        ended = x[~cut]
        return stats.CensoredData(right=np.maximum(x[cut] - 0.5, 1e-9),
                                  interval=np.c_[np.maximum(ended - 0.5, 1e-9), ended + 0.5])
    return stats.CensoredData(uncensored=x[~cut], right=x[cut])


def _start(family: Family, sample: Sample) -> np.ndarray:
    ended = sample.values[~sample.censored]
    mean = float(max(ended.mean(), 1e-6))
    if family.scipy_fit is not None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                theta = np.asarray(family.scipy_fit(_censored_data(sample)), dtype=float)
            if np.all(np.isfinite(theta)) and np.all(theta > 0):
                return theta
        except (ValueError, RuntimeError, FloatingPointError):
            pass  # the polish below starts from the moments instead
    cv = float(ended.std() / mean) if len(ended) > 1 and ended.std() > 0 else 1.0
    starts = {"exponential": [mean], "poisson": [mean],
              "lognormal": [mean / math.sqrt(1 + cv * cv), math.sqrt(math.log1p(cv * cv))],
              "gamma": [1 / (cv * cv), mean * cv * cv], "weibull": [1.0, mean]}
    return np.asarray(starts[family.name], dtype=float)


def _fit_family(family: Family, sample: Sample, curve: Survival) -> Fit:
    def objective(eta: np.ndarray) -> float:
        value = -log_likelihood(family, np.exp(eta), sample)
        return value if math.isfinite(value) else 1e300

    eta0 = np.log(_start(family, sample))
    result = optimize.minimize(objective, eta0, method="Nelder-Mead",
                               options={"xatol": 1e-9, "fatol": 1e-10, "maxiter": 4000})
    eta = np.asarray(result.x, dtype=float)
    ll = -float(result.fun)
    k = len(family.params)
    se, note = _standard_errors(objective, eta)
    theta = np.exp(eta)
    params = dict(zip(family.params, theta.tolist(), strict=True))
    low = dict(zip(family.params, np.exp(eta - Z_95 * se).tolist(), strict=True))
    high = dict(zip(family.params, np.exp(eta + Z_95 * se).tolist(), strict=True))
    fit = Fit(family.name, params, low, high, ll, 2 * k - 2 * ll, math.nan, sample.kind,
              note=note if result.success else "the optimiser did not converge")
    return _with_distance(fit, sample, curve)


def _standard_errors(objective: Callable[[np.ndarray], float], eta: np.ndarray
                     ) -> tuple[np.ndarray, str]:
    """Standard errors of the log-parameters from the numerical Hessian of −ℓ."""
    hessian = numerical_hessian(objective, eta)
    try:
        cov = np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        return np.full(len(eta), math.nan), "the information matrix is singular: no intervals"
    variances = np.diag(cov)
    if not np.all(np.isfinite(variances)) or np.any(variances <= 0):
        return np.full(len(eta), math.nan), "the likelihood is flat here: no intervals"
    return np.sqrt(variances), ""


def numerical_hessian(f: Callable[[np.ndarray], float], x: np.ndarray,
                      step: float = 1e-4) -> np.ndarray:
    """The Hessian of ``f`` at ``x`` by central differences with steps ``step``."""
    n = len(x)
    h = np.zeros((n, n))
    f0 = f(x)
    for i in range(n):
        ei = np.zeros(n)
        ei[i] = step
        h[i, i] = (f(x + ei) - 2 * f0 + f(x - ei)) / step**2
        for j in range(i):
            ej = np.zeros(n)
            ej[j] = step
            h[i, j] = h[j, i] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej)
                                 + f(x - ei - ej)) / (4 * step**2)
    return h


def _with_distance(fit: Fit, sample: Sample, curve: Survival) -> Fit:
    """``fit`` with its largest gap from the Kaplan–Meier curve, on both sides of each step."""
    if len(curve.times) == 0:
        return fit
    times = curve.times
    after = curve.survival
    before = np.r_[1.0, after[:-1]]
    gap = max(float(np.max(np.abs(after - fit.survival(times)))),
              float(np.max(np.abs(before - fit.survival(times, left=True)))))
    return replace(fit, km_distance=gap)


def _empirical(sample: Sample, curve: Survival) -> Fit:
    """Equally likely values at the Kaplan–Meier quantiles of the midpoints of equal bins.

    Where the curve never falls that far (too many values still running), the value is the
    longest one seen: a floor, since those values are longer. Counts are rounded.
    """
    m = min(EMPIRICAL_VALUES, sample.n_events)
    probabilities = (np.arange(m) + 0.5) / m
    longest = float(sample.values.max())
    values = [curve.quantile(p) for p in probabilities]
    values = [longest if math.isnan(v) else v for v in values]
    if sample.kind == "count":
        values = [float(round(v)) for v in values]
    else:
        values = [float(_number(v)) for v in values]
    note = ("" if curve.survival.size and curve.survival[-1] <= 1 / (2 * m) else
            "the Kaplan–Meier curve ends above 0: the longest values are floors")
    fit = Fit("empirical", {}, {}, {}, math.nan, math.nan, math.nan, sample.kind,
              tuple(values), note)
    return _with_distance(fit, sample, curve)

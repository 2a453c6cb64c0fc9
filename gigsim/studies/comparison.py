"""Comparing variants of a scenario on common random numbers: paired differences and their CIs.

Every variant runs with the same seed and replications, so replication ``r`` of each variant
draws from the same random streams: variants that change only dispatch see the same projects
and the same workers, and the difference between two variants, replication by replication, is
free of most of the noise that separates two replications. :class:`Comparison` reports each
variant's mean with an interval within the metric's possible range
(:func:`gigsim.analysis.statistics.metric_interval`), and the paired difference against the first
variant with its t interval and the share of variance that pairing removed.

Its metrics are the outcomes per applicant (:mod:`gigsim.analysis.applicants`), which follow
everyone who applied whatever became of them, and the worker-month metrics of ``gigsim run``
(:data:`~gigsim.analysis.statistics.METRICS`): pooled (group ``all``) and, with ``by_group``,
per worker group (the project metrics pooled only).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from gigsim.analysis.applicants import (
    ALL,
    ALL_METRICS,
    APPLICANT_METRICS,
    PROJECT_METRICS,
    follow_up_months,
    study_metrics,
)
from gigsim.analysis.statistics import (
    json_number,
    metric_interval,
    paired_difference,
    replications_warning,
)
from gigsim.errors import GigsimError, ScenarioError
from gigsim.files import json_ready
from gigsim.scenario import Scenario
from gigsim.scenario.units import HOURS_PER_MONTH, format_duration
from gigsim.studies.comparison_text import (  # noqa: F401  (format_metric: re-exported)
    format_metric,
    format_table,
    reading,
    shown_description,
)
from gigsim.studies.folder import Folder, scenario_as_run
from gigsim.studies.runner import (
    Progress,
    check_count,
    choose_common_warmup,
    process_pool,
    simulate,
    stop_if_reimported,
)
from gigsim.studies.sizing import check_size
from gigsim.studies.variant_summary import (  # noqa: F401  (VariantSummary: re-exported)
    VariantResults,
    VariantSummary,
    run_summary,
    variant_applicants,
    variant_events,
)
from gigsim.studies.variants import check_variant_name

BASE = "base"  # the name of the scenario as it is, when compare adds it
CONFIDENCE_LEVEL = 0.95
FIXED_KEYS = ("simulation.seed", "simulation.replications")

VariantSpec = Mapping[str, Any] | Scenario

# What the terminal shows by default: outcomes per applicant, who is pushed out and how equal.
# The files keep every metric (--metrics chooses), the worker-month ones among them.
TERMINAL_METRICS = (
    "applicant_income_usd", "applicant_stay_share", "applicant_zero_month_share",
    "applicant_latency_median_h", "applicant_exit_failed_assessment_share",
    "applicant_exit_impatience_share", "applicant_exit_hazard_share",
    "applicant_never_paid_share", "applicant_income_gini", "applicant_bottom20_income_usd",
)

TABLE_COLUMNS = (
    "variant", "group", "metric", "mean", "ci_low", "ci_high", "diff_vs_first", "diff_ci_low",
    "diff_ci_high", "paired_var", "unpaired_var", "variance_reduction", "replications",
    "precision",
)
NUMBER_COLUMNS = TABLE_COLUMNS[3:12]  # mean … variance_reduction
DIFFERENCE_COLUMNS = TABLE_COLUMNS[6:12]  # NaN on the first variant's own rows


def with_base(variants: Mapping[str, VariantSpec]) -> dict[str, VariantSpec]:
    """The variants to run: as given, or with ``base`` (no overrides) first if only one is given.

    One variant alone is compared against the scenario as it is; two or more are compared as
    given, the first being the reference.
    """
    if not variants:
        raise GigsimError("compare needs at least one variant, e.g. rand:dispatch.policy=random")
    if len(variants) == 1:
        (name,) = variants
        if name == BASE:
            raise GigsimError(f"a single variant is compared against the scenario as it is,"
                              f" named {BASE!r}; name yours differently or give two or more")
        return {BASE: {}, **variants}
    return dict(variants)


def resolve_variants(scenario: Scenario, variants: Mapping[str, VariantSpec]
                     ) -> dict[str, Scenario]:
    """Build and validate the scenario of every variant, before anything is simulated.

    A variant is either dotted-key overrides of ``scenario`` (empty for the scenario as it is)
    or a :class:`~gigsim.scenario.Scenario` built already. Errors name the variant.
    """
    out: dict[str, Scenario] = {}
    for name, spec in with_base(variants).items():
        check_variant_name(name)
        if isinstance(spec, Scenario):
            out[name] = spec
            continue
        for key in FIXED_KEYS:
            if key in spec:
                raise GigsimError(
                    f"variant {name!r}: {key}: every variant runs with the same seed and"
                    " replications (common random numbers); set them for all with --seed and"
                    " --replications (seed= and replications= in Python)")
        try:
            out[name] = scenario.with_overrides(spec) if spec else scenario
        except ScenarioError as error:
            if error.source == "--set":  # the key was written by the variant
                raise GigsimError(f"variant {name!r}: {error.key}: {error.message}") from None
            raise GigsimError(f"variant {name!r}: {error}") from None
    return out


def compare(scenario: Scenario, variants: Mapping[str, VariantSpec],
            replications: int | None = None, seed: int | None = None, jobs: int = 1,
            progress: Progress | None = None, keep_tables: bool = True,
            by_group: bool | None = None, *, precision: float | None = None,
            precision_metrics: Sequence[str] | None = None,
            max_replications: int | None = None) -> Comparison:
    """Simulate every variant of ``scenario`` on the same seeds and compare them.

    ``variants`` maps names to dotted-key overrides of ``scenario`` (``{}`` for the scenario as
    it is) or to scenarios built already; with a single variant, the scenario as it is is
    added first as ``base``. The first variant is the reference for differences.
    ``replications`` and ``seed`` default to ``scenario``'s ``[simulation]`` values and are the
    same for every variant; ``jobs`` and ``progress`` are as for :func:`gigsim.simulate`
    (``progress`` counts replications over all variants). With ``keep_tables=False`` each
    variant keeps only its summary and what the figures draw
    (:class:`~gigsim.studies.variant_summary.VariantSummary`), made replication by
    replication, so memory holds one replication's records per process (``gigsim compare``
    does this).
    ``by_group`` splits the applicant metrics by worker group (default: when the scenario has
    more than one).

    With ``precision`` (or the scenario's ``replications = "auto"``, when ``replications`` is
    not given), every variant runs the same rounds of replications until each variant's paired
    difference from the first, on each of ``precision_metrics`` (default
    :data:`~gigsim.studies.paired_precision.COMPARE_METRICS`), has a 95% half-width within
    ``precision`` of the first variant's mean (percentage points for a share) or an interval
    clear of 0 by that margin, or ``max_replications`` (default 200) have run
    (:mod:`gigsim.studies.paired_precision`); ``Comparison.choices`` says how it went.
    """
    scenarios = resolve_variants(scenario, variants)
    overrides = {name: None if isinstance(spec, Scenario) else dict(spec)
                 for name, spec in with_base(variants).items()}
    if replications is not None and precision is not None:
        raise GigsimError("give either replications or precision, not both")
    if replications is None and precision is None:
        precision = scenario.simulation.precision
    seed = scenario.simulation.seed if seed is None else seed
    split = len(scenario.workers) > 1 if by_group is None else by_group
    warmup = choose_common_warmup(scenarios, seed, jobs)  # with warmup = "auto": one for all
    chosen = {} if warmup is None else {"warmup": warmup}
    if warmup is not None:
        scenario = warmup.apply(scenario)
        scenarios = {name: warmup.apply(variant) for name, variant in scenarios.items()}
    if precision is not None:
        from gigsim.studies.comparison_rounds import compare_to_precision  # imports this

        comparison = compare_to_precision(scenario, scenarios, seed, jobs, progress,
                                          keep_tables, split, overrides, by_group, precision,
                                          precision_metrics, max_replications)
        comparison.choices = {**chosen, **comparison.choices}
        return comparison
    if precision_metrics is not None or max_replications is not None:
        raise GigsimError("precision metrics and max replications apply only with a precision"
                          ' (or replications = "auto" in the scenario)')
    replications = scenario.simulation.replications if replications is None else replications
    results: dict[str, VariantResults] = {}
    if keep_tables:
        for name, variant in scenarios.items():
            results[name] = simulate(variant, replications=replications, seed=seed, jobs=jobs,
                                     progress=progress)
        return Comparison(scenario, results, overrides, by_group, chosen)
    stop_if_reimported()
    seed, requested = check_count("seed", seed, 0), check_count("jobs", jobs, 0)
    replications = check_count("replications", replications, 1)
    for variant in scenarios.values():
        check_size(variant, 1)  # one replication's records at a time
    jobs = requested or (os.cpu_count() or 1)
    with process_pool(min(jobs, replications)) as pool:  # one pool for every variant
        for name, variant in scenarios.items():
            results[name] = run_summary(variant, seed, range(replications), jobs, requested,
                                        progress, pool, by_group=split)
    return Comparison(scenario, results, overrides, by_group, chosen)


@dataclass
class Comparison:
    """Variants of one scenario simulated on the same seeds, and how they differ.

    ``results`` holds each variant's :class:`~gigsim.analysis.results.Results` in order, the first
    being the reference; ``overrides`` the overrides each was built with (None for a variant given
    as a scenario); ``by_group`` whether the applicant metrics are split by worker group too
    (None: when the scenario has more than one).
    """

    scenario: Scenario
    results: Mapping[str, VariantResults]
    overrides: Mapping[str, Mapping[str, Any] | None] = field(default_factory=dict)
    by_group: bool | None = None
    # What the comparison chose for itself: "warmup" (gigsim.studies.warmup.CommonWarmup) with
    # warmup = "auto", "replications" (gigsim.studies.paired_precision.PairedDecision) by
    # precision; each with to_dict() and describe()
    choices: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.results:
            raise GigsimError("a comparison needs at least one variant")
        runs = {(r.seed, r.replications) for r in self.results.values()}
        if len(runs) > 1:
            raise GigsimError("the variants of a comparison must share their seed and"
                              " replications, so that replications can be paired")

    @property
    def variants(self) -> tuple[str, ...]:
        """The variant names, in order."""
        return tuple(self.results)

    @property
    def reference(self) -> str:
        """The first variant: differences are against it."""
        return self.variants[0]

    @property
    def seed(self) -> int:
        """The seed every variant ran with."""
        return next(iter(self.results.values())).seed

    @property
    def replications(self) -> int:
        """How many replications every variant ran."""
        return next(iter(self.results.values())).replications

    def variant_overrides(self) -> dict[str, Any]:
        """Each variant's overrides, JSON-ready (null for a variant given as a scenario)."""
        return {name: json_ready(self.overrides.get(name)) for name in self.variants}

    @property
    def metric_descriptions(self) -> dict[str, str]:
        """Every metric compared, with its description: with ``[pay]``, the schedule's too."""
        return study_metrics(self.scenario.pay_schedules)

    @property
    def groups(self) -> tuple[str, ...]:
        """``all``, then each worker group when the comparison is split by group."""
        split = len(self.scenario.workers) > 1 if self.by_group is None else self.by_group
        return (ALL, *(g.name for g in self.scenario.workers)) if split else (ALL,)

    @cached_property
    def _applicants(self) -> dict[str, pd.DataFrame]:
        split = len(self.groups) > 1
        return {name: variant_applicants(r, split) for name, r in self.results.items()}

    def values(self, variant: str, group: str = ALL) -> pd.DataFrame:
        """One row per replication, one column per metric, for ``variant`` and ``group``.

        For ``all``, the applicant metrics and the worker-month metrics; for a worker group,
        those of its applicants and workers alone (the project metrics are not a group's).
        """
        applicants = pd.DataFrame(self._applicants[variant].xs(group, level="group"))
        if group != ALL:
            return applicants
        worker_months = self.results[variant].summary().per_replication
        return applicants[list(APPLICANT_METRICS)].join(worker_months, how="outer")

    def _metrics(self, group: str) -> tuple[str, ...]:
        if group == ALL:
            return tuple(self.metric_descriptions)
        columns = set(self.values(self.reference, group).columns)
        return tuple(m for m in ALL_METRICS if m in columns and m not in PROJECT_METRICS)

    @cached_property
    def per_replication(self) -> pd.DataFrame:
        """A long table: variant, group, replication, metric, value and diff_vs_first.

        ``diff_vs_first`` is the value minus the first variant's in the same replication.
        """
        frames = []
        for group in self.groups:
            first = self.values(self.reference, group)
            for metric in self._metrics(group):
                for name in self.variants:
                    values = self.values(name, group)[metric]
                    frames.append(pd.DataFrame({
                        "variant": name,
                        "group": group,
                        "replication": values.index.to_numpy(),
                        "metric": metric,
                        "value": values.to_numpy(),
                        "diff_vs_first": (values - first[metric]).to_numpy(),
                    }))
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def table(self) -> pd.DataFrame:
        """The tidy comparison: one row per metric, group and variant (:data:`TABLE_COLUMNS`).

        Group ``all`` has every metric; each worker group (with :attr:`groups`) every metric
        but the project ones, of its applicants and workers alone, paired replication by
        replication as the pooled ones.

        ``mean``, ``ci_low`` and ``ci_high`` are the variant's mean across replications and its
        95% interval (:func:`gigsim.analysis.statistics.metric_interval`: shares in [0, 1], money
        and durations ≥ 0). The other columns compare it with the first variant, replication by
        replication (NaN on the first variant's own rows): ``diff_vs_first`` and its 95% t
        interval ``diff_ci_low``–``diff_ci_high``; ``paired_var``, the variance of the
        per-replication differences; ``unpaired_var`` = var(first) + var(variant), what that
        variance would be with independent seeds; and ``variance_reduction`` =
        1 − paired_var / unpaired_var. ``replications``: how many stand behind every row;
        ``precision``: with ``--precision``, on each target metric's pooled rows of the other
        variants, which condition the difference met (``narrow``, ``clear of 0``) or
        ``short``; empty elsewhere.
        """
        decision = self.choices.get("replications")
        conditions = {} if decision is None else {
            (check.variant, check.metric): check.condition for check in decision.checks}
        rows = []
        for group in self.groups:
            first = self.values(self.reference, group)
            for metric in self._metrics(group):
                for name in self.variants:
                    values = self.values(name, group)[metric].to_numpy()
                    mean, low, high = metric_interval(metric, values.tolist(), CONFIDENCE_LEVEL)
                    row: dict[str, Any] = {"variant": name, "group": group, "metric": metric,
                                           "mean": mean, "ci_low": low, "ci_high": high}
                    if name == self.reference:
                        row.update({c: math.nan for c in DIFFERENCE_COLUMNS})
                    else:
                        d = paired_difference(first[metric].to_numpy(), values,
                                              CONFIDENCE_LEVEL)
                        row.update(diff_vs_first=d.mean, diff_ci_low=d.ci_low,
                                   diff_ci_high=d.ci_high, paired_var=d.paired_var,
                                   unpaired_var=d.unpaired_var,
                                   variance_reduction=d.variance_reduction)
                    row.update(replications=self.replications,
                               precision=conditions.get((name, metric), "")
                               if group == ALL else "")
                    rows.append(row)
        return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))

    def _rows(self) -> dict[tuple[str, str, str], dict[Any, Any]]:
        """The rows of :attr:`table` by (metric, group, variant)."""
        return {(row["metric"], row["group"], row["variant"]): row
                for row in self.table.to_dict(orient="records")}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form of :attr:`table` and :attr:`per_replication`, by metric and variant.

        ``metrics[m]["variants"]`` holds the pooled rows (group ``all``);
        ``metrics[m]["groups"][g]`` the same for each worker group (not the project metrics).
        """
        table = self._rows()
        metrics: dict[str, Any] = {}
        for metric, description in self.metric_descriptions.items():
            groups: dict[str, Any] = {}
            for group in self.groups:
                if metric not in self._metrics(group):
                    continue
                by_variant = {}
                for name in self.variants:
                    row = table[metric, group, name]
                    entry: dict[str, Any] = {c: json_number(row[c]) for c in NUMBER_COLUMNS}
                    entry["per_replication"] = [json_number(v)
                                                for v in self.values(name, group)[metric]]
                    by_variant[name] = entry
                groups[group] = by_variant
            metrics[metric] = {"description": description, "variants": groups[ALL],
                               "groups": {g: v for g, v in groups.items() if g != ALL}}
        return {
            "scenario": self.scenario.name,
            "seed": self.seed,
            "replications": self.replications,
            "confidence_level": CONFIDENCE_LEVEL,
            "reference": self.reference,
            "groups": list(self.groups),
            "variants": self.variant_overrides(),
            "metrics": metrics,
            "reading": reading(table, TERMINAL_METRICS, self.groups, self.variants)[2:],
            **self.choices_dict(),
        }

    def choices_dict(self) -> dict[str, Any]:
        """``warmup_chosen`` and ``replications_chosen``, JSON-ready, where they were chosen."""
        return {f"{name}_chosen": choice.to_dict() for name, choice in self.choices.items()}

    def replications_phrase(self) -> str:
        """How many replications stand behind every interval, and whether a precision was met."""
        decision = self.choices.get("replications")
        count = f"{self.replications} replication(s) per variant"
        if decision is None:
            return f"{count} (as given; no precision asked)"
        asked = f"{100 * decision.goal.precision:g}%"
        if decision.met:
            return f"{count}, chosen by precision {asked}: met for every variant"
        short = sorted({c.variant for c in decision.checks if not c.met})
        return (f"{count}, chosen by precision {asked}: not met for {', '.join(short)}"
                f" (stopped at {decision.goal.max_replications})")

    def folder(self) -> Folder:
        """What ``gigsim compare`` writes: the tables, :meth:`to_dict`, every scenario as run.

        ``comparison`` (:attr:`table`) and ``per_replication``; ``scenario.toml`` (the
        scenario as run) and ``variants.toml`` (every variant's scenario as run, one table per
        variant).
        """
        seed, replications = self.seed, self.replications
        timings = {f"simulate_s.{name}": r.timings.get("simulate_s", math.nan)
                   for name, r in self.results.items()}
        return Folder(
            tables={"comparison": lambda: self.table,
                    "per_replication": lambda: self.per_replication},
            summary=self.to_dict(),
            scenarios={
                "scenario": scenario_as_run(self.scenario, seed, replications),
                "variants": {name: scenario_as_run(r.scenario, seed, replications)
                             for name, r in self.results.items()},
            },
            manifest={
                "scenario": self.scenario.name,
                "scenario_file": self.scenario.source,
                "seed": seed,
                "replications": replications,
                "variants": list(self.variants),
                "reference": self.reference,
                "variant_overrides": self.variant_overrides(),
                **self.choices_dict(),
            },
            timings=timings,
            events=sum(variant_events(r) for r in self.results.values()),
        )

    def __str__(self) -> str:
        """A readable table of every metric (:meth:`format` chooses them)."""
        return self.format()

    def format(self, metrics: Sequence[str] | None = None) -> str:
        """A readable table and its reading, one sentence per variant and group under it.

        Per metric, each group's and variant's mean and its difference from the first.

        ``metrics`` names the metrics to show, in order (default: all of them).
        """
        known = self.metric_descriptions
        chosen = tuple(known) if metrics is None else tuple(metrics)
        for metric in chosen:
            if metric not in known:
                raise GigsimError(f"unknown metric {metric!r} (known: {', '.join(known)})")
        sim = self.scenario.simulation
        months = follow_up_months(sim.horizon_h)
        counts = self.table[(self.table["metric"] == "applicant_count")
                            & (self.table["variant"] == self.reference)]
        applicants = ", ".join(f"{row.group} {row.mean:,.0f}" for row in counts.itertuples())
        lines = [
            f"{self.scenario.name}: {len(self.variants)} variants × {self.replications_phrase()},"
            f" {format_duration(sim.horizon_h)} after {format_duration(sim.warmup_h)} warm-up"
            + (" (chosen by MSER-5)" if "warmup" in self.choices else "")
            + f", seed {self.seed} for every variant",
            f"differences are against {self.reference!r}, replication by replication"
            " (common random numbers)",
            f"applicants: everyone who applied in the first"
            f" {max(sim.horizon_h / HOURS_PER_MONTH - months, 0.0):.1f} months after the"
            f" warm-up, each followed {months} month(s) from applying; applicants per"
            f" replication ({self.reference}, mean): {applicants}",
        ]
        lines += [w for w in [replications_warning(self.replications)] if w]
        rows = self._rows()
        lines += format_table(rows, chosen, self.groups, self.variants, CONFIDENCE_LEVEL)
        lines += reading(rows, chosen, self.groups, self.variants)
        lines += ["", "pairing saves: 1 − var(per-replication differences) / (var(first) +"
                  " var(variant)),", "the share of a difference's variance removed by running"
                  " the variants on the same seeds"]
        if "warmup" in self.choices:
            lines += ["", self.choices["warmup"].describe()]
        if "replications" in self.choices:
            lines += ["", *self.choices["replications"].describe()]
        return "\n".join(lines)

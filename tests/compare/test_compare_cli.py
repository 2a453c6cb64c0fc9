"""``gigsim compare`` end to end: the results folder, the terminal table, and one-line errors."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from gigsim.analysis.applicants import ALL_METRICS as METRICS
from gigsim.analysis.applicants import PROJECT_METRICS
from gigsim.cli import main
from gigsim.scenario.policies import policy_names
from gigsim.studies.comparison import TABLE_COLUMNS, TERMINAL_METRICS

from ._support import PLATFORM, SMALL_PLATFORM_SETS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CSV_FILES = {"comparison.csv", "per_replication.csv", "summary.json", "manifest.json",
             "scenario.toml", "variants.toml", "income_ecdf.png", "latency_ecdf.png",
             "differences.png"}
DELAY_VARIANT = 'd:dispatch.delay={dist="exponential", mean="2d"},dispatch.policy=random'


def invoke(*args: str | Path) -> Result:
    """Run ``gigsim ARGS`` in-process; stdout and stderr are kept apart."""
    return CliRunner().invoke(main, [str(a) for a in args])


def compare_args(out: Path, *variants: str, replications: int = 3) -> list[str | Path]:
    """``gigsim compare`` on the shrunk platform scenario, writing to ``out``."""
    args: list[str | Path] = ["compare", PLATFORM, *SMALL_PLATFORM_SETS,
                              "-r", str(replications), "--seed", "4", "--out", out]
    for variant in variants:
        args += ["--variant", variant]
    return args


def assert_ok(result: Result) -> None:
    assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output


def assert_one_line_error(result: Result, *fragments: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gigsim: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert result.stdout == ""
    return lines[0]


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """One comparison of base, random and a delay variant, shared by the tests that read it."""
    out = tmp_path_factory.mktemp("compare") / "cmp"
    result = invoke(*compare_args(out, "base:", "rand:dispatch.policy=random", DELAY_VARIANT))
    assert_ok(result)
    return out, result


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``gigsim compare`` fail the test if it gets as far as simulating."""
    import gigsim.cli.compare
    import gigsim.cli.run

    def must_not_simulate(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulated although the input was bad")

    monkeypatch.setattr(gigsim.cli.compare, "compare_variants", must_not_simulate)


# --- the results folder ----------------------------------------------------------------------


def test_compare_writes_the_folder(compared: tuple[Path, Result]) -> None:
    out, _ = compared
    assert {p.name for p in out.iterdir()} == CSV_FILES
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no staging left
    for png in ("income_ecdf.png", "latency_ecdf.png", "differences.png"):
        assert (out / png).read_bytes().startswith(PNG_SIGNATURE)


def test_comparison_csv_is_the_tidy_table(compared: tuple[Path, Result]) -> None:
    out, _ = compared
    table = pd.read_csv(out / "comparison.csv")
    assert list(table.columns) == list(TABLE_COLUMNS)
    assert table["variant"].drop_duplicates().tolist() == ["base", "rand", "d"]
    assert table["metric"].drop_duplicates().tolist() == list(METRICS)
    assert table["group"].drop_duplicates().tolist() == ["all", "generalists", "specialists"]
    long = pd.read_csv(out / "per_replication.csv")
    assert len(long) == 3 * 3 * (len(METRICS) + 2 * (len(METRICS) - len(PROJECT_METRICS)))
    table = table[table["group"] == "all"]
    long = long[long["group"] == "all"]
    income = long[(long["metric"] == "income_mean_usd") & (long["variant"] == "rand")]
    row = table[(table["metric"] == "income_mean_usd") & (table["variant"] == "rand")].iloc[0]
    assert row["mean"] == pytest.approx(income["value"].mean())
    assert row["diff_vs_first"] == pytest.approx(income["diff_vs_first"].mean())


def test_summary_manifest_and_scenarios(compared: tuple[Path, Result]) -> None:
    out, _ = compared
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["reference"] == "base"
    assert summary["replications"] == 3 and summary["seed"] == 4
    assert summary["variants"]["d"] == {
        "dispatch.delay": {"dist": "exponential", "mean": "2d"}, "dispatch.policy": "random"}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["variants"] == ["base", "rand", "d"]
    assert manifest["variant_overrides"]["rand"] == {"dispatch.policy": "random"}
    assert manifest["overrides"]["workers.generalists.count"] == "400"  # the --set options
    assert manifest["seed"] == 4 and manifest["replications"] == 3
    scenario = tomllib.loads((out / "scenario.toml").read_text(encoding="utf-8"))
    assert scenario["simulation"]["seed"] == 4
    assert scenario["workers"][0]["count"] == 400
    variants = tomllib.loads((out / "variants.toml").read_text(encoding="utf-8"))
    assert list(variants) == ["base", "rand", "d"]
    assert variants["d"]["dispatch"]["delay"] == {"dist": "exponential", "mean": "2d"}
    assert variants["rand"]["dispatch"]["policy"] == "random"


def test_terminal_table(compared: tuple[Path, Result]) -> None:
    """The terminal shows the short default set of metrics; the files keep every one."""
    out, result = compared
    text = result.stdout
    for metric in METRICS:
        assert (f"\n{metric}: " in text) == (metric in TERMINAL_METRICS), metric
    assert f"{len(TERMINAL_METRICS)} of {len(METRICS)} metrics shown" in text
    assert "vs base [95% CI]" in text
    assert "pairing saves" in text
    assert f"results in {out}/" in text
    # one sentence per variant and group under the table, and what the shares divide by
    assert "reading (differences whose 95% interval excludes 0, against base):" in text
    for variant in ("rand", "d"):
        for who in ("all applicants", "generalists", "specialists"):
            assert f"\n  {variant} vs base, {who}: " in text, (variant, who)
    assert "applicants per replication (base, mean): all " in text
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["metric"]) == set(METRICS)


def test_metrics_option_chooses_what_the_terminal_shows(tmp_path: Path) -> None:
    chosen = ["latency_p90_h", "income_gini"]
    args = compare_args(tmp_path / "m", "rand:dispatch.policy=random", replications=2)
    result = invoke(*args, "--metrics", ",".join(chosen))
    assert_ok(result)
    shown = [line.split(":")[0] for line in result.stdout.splitlines()
             if line.split(":")[0] in METRICS]
    assert shown == chosen
    every = invoke(*compare_args(tmp_path / "all", "rand:dispatch.policy=random",
                                 replications=2), "--metrics", "all")
    assert_ok(every)
    assert all(f"\n{metric}: " in every.stdout for metric in METRICS)
    assert "metrics shown" not in every.stdout


def test_unknown_metric_is_named_with_the_closest(tmp_path: Path) -> None:
    out = tmp_path / "bad"
    result = invoke(*compare_args(out, "rand:dispatch.policy=random", replications=2),
                    "--metrics", "income_mean_usd,latency_mean")
    assert_one_line_error(result, "--metrics", "`latency_mean`", "did you mean")
    assert not out.exists()


def test_one_variant_is_compared_with_the_scenario_as_is(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    args = compare_args(Path("unused"), "rand:dispatch.policy=random", replications=2)
    args = args[: args.index("--out")] + args[args.index("--out") + 2:]  # the default folder
    result = invoke(*args, "--quiet", "--format", "parquet")
    assert_ok(result)
    out = Path("results") / "platform-compare"
    assert result.stdout.strip() == str(out)
    table = pd.read_parquet(out / "comparison.parquet")
    assert table["variant"].drop_duplicates().tolist() == ["base", "rand"]
    assert (out / "per_replication.parquet").exists()


def test_force_replaces_and_same_seed_same_table(compared: tuple[Path, Result],
                                                 tmp_path: Path) -> None:
    out = tmp_path / "again"
    out.mkdir()
    (out / "old.txt").write_text("old", encoding="utf-8")
    args = compare_args(out, "base:", "rand:dispatch.policy=random", DELAY_VARIANT)
    result = invoke(*args, "--force", "-q")
    assert_ok(result)
    assert not (out / "old.txt").exists()
    assert (out / "comparison.csv").read_bytes() == (compared[0] / "comparison.csv").read_bytes()


# --- bad input: one line, exit 2, nothing simulated or written --------------------------------


@pytest.mark.parametrize(("variants", "fragments"), [
    (['d:dispatch.delay={dist="exponential", mean="2d"'],
     ["--variant d", "cannot read", "dispatch.delay={dist=", "'}' is missing"]),
    (["rand"], ["no ':' after the name"]),
    (["rand:dispatch.policy"], ["cannot read 'dispatch.policy'"]),
    (["a:", "a:dispatch.policy=random"], ["the name 'a' is used twice"]),
    (["a:", "b:dispatch.policy=nope"],
     ["variant 'b'", "dispatch.policy", "'nope'", *policy_names()]),
    (["a:", "b:simulation.seed=3"], ["simulation.seed", "--seed"]),
    (["base:dispatch.policy=random"], ["single variant", "'base'"]),
    ([], ["give at least one --variant"]),
])
def test_bad_variants(tmp_path: Path, no_simulation: None, variants: list[str],
                      fragments: list[str]) -> None:
    out = tmp_path / "out"
    result = invoke(*compare_args(out, *variants))
    assert_one_line_error(result, *fragments)
    assert list(tmp_path.iterdir()) == []


def test_existing_folder_is_refused_before_simulating(tmp_path: Path,
                                                      no_simulation: None) -> None:
    result = invoke(*compare_args(tmp_path, "rand:dispatch.policy=random"))
    assert_one_line_error(result, "already exists", "--force")


def test_bad_options(tmp_path: Path, no_simulation: None) -> None:
    out = tmp_path / "out"
    result = invoke(*compare_args(out, "rand:dispatch.policy=random", replications=0))
    assert_one_line_error(result, "--replications", "at least 1")
    result = invoke(*compare_args(out, "rand:dispatch.policy=random"), "--set", "nope")
    assert_one_line_error(result, "--set", "KEY=VALUE")
    assert list(tmp_path.iterdir()) == []


def test_by_none_pools_every_applicant(tmp_path: Path) -> None:
    out = tmp_path / "pooled"
    result = invoke(*compare_args(out, "rand:dispatch.policy=random", replications=2),
                    "--by", "none")
    assert_ok(result)
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["group"]) == {"all"}
    assert "generalists" not in result.stdout

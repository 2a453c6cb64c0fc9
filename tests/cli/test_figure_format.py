"""--figure-format svg|pdf|png: every command that saves figures saves them in that format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gigsim.cli import main

ROOT = Path(__file__).resolve().parents[2]
SMALL = (ROOT / "tests" / "calibrate" / "small.toml").as_posix()
LOG = str(ROOT / "notebooks" / "data" / "synthetic_platform_log.csv")
MAGIC = {"svg": b"<svg", "pdf": b"%PDF-", "png": b"\x89PNG"}


def _files(tmp_path: Path) -> dict[str, str]:
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(f'scenario = "{SMALL}"\nreplications = 1\nseed = 1\n[grid]\n'
                     '"projects.rating.arrivals_per_week" = [2, 4]\n', encoding="utf-8")
    calibration = tmp_path / "calibration.toml"
    calibration.write_text(f'name = "c"\nscenario = "{SMALL}"\nreplications = 2\nseed = 1\n'
                           'max_evaluations = 1\n[parameters]\n'
                           '"projects.rating.arrivals_per_week" = { low = 1, high = 8 }\n'
                           '[targets]\nidle_share = { value = 0.5, tolerance = 0.1 }\n',
                           encoding="utf-8")
    return {"SWEEP": str(sweep), "CALIBRATION": str(calibration)}


COMMANDS = {
    "compare": (["compare", SMALL, "-r", "1", "--variant", "r:dispatch.policy=random"],
                ["income_ecdf", "latency_ecdf", "differences"]),
    "sweep": (["sweep", "SWEEP", "--jobs", "1"], ["lines_applicant_income_usd"]),
    "fit": (["fit", LOG, "--column", "lifetime_d", "--censored", "running"],
            ["survival", "qq"]),
    "calibrate": (["calibrate", "CALIBRATION", "--jobs", "1"], ["objective", "targets"]),
}


@pytest.mark.parametrize("kind", ["svg", "pdf"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_figures_are_saved_in_the_format_asked_for(tmp_path: Path, command: str,
                                                   kind: str) -> None:
    args, stems = COMMANDS[command]
    files = _files(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [*(files.get(a, a) for a in args), "--out", str(out),
                                       "--figure-format", kind])
    assert result.exit_code == 0, result.output
    for stem in stems:
        head = (out / f"{stem}.{kind}").read_bytes()[:400]
        assert MAGIC[kind] in head, (stem, head[:40])
    assert not list(out.glob("*.png"))
    manifest = out / "manifest.json"
    if command in ("compare", "sweep"):  # their manifests list the figures
        listed = json.loads(manifest.read_text(encoding="utf-8"))
        names = listed.get("figures", listed.get("files", []))
        assert all(f"{stem}.{kind}" in names for stem in stems), names


def test_an_unknown_figure_format_is_refused_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["compare", SMALL, "--variant", "r:dispatch.policy=random",
                                       "--out", str(tmp_path / "o"), "--figure-format", "gif"])
    assert result.exit_code == 2 and "--figure-format" in result.stderr
    assert not (tmp_path / "o").exists()

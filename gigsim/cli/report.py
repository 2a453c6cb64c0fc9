"""``gigsim report``: a results folder as one self-contained HTML page."""

from __future__ import annotations

import json
from pathlib import Path

import click

from gigsim.cli.common import user_errors
from gigsim.errors import GigsimError
from gigsim.presentation.output import REPORT_TABLES
from gigsim.presentation.report import write_report


def check_report_tables(folder: Path) -> None:
    """Name the tables a report needs that a results folder was written without.

    ``gigsim run`` writes four tables by default; the report also draws on spells and workers,
    which come with ``--tables all`` or ``--report``.
    """
    manifest = folder / "manifest.json"
    if not folder.is_dir() or not manifest.is_file():
        return  # write_report says what is wrong with it
    try:
        written = json.loads(manifest.read_text(encoding="utf-8")).get("tables")
    except (OSError, ValueError, AttributeError):
        return
    if not isinstance(written, list):
        return
    missing = [name for name in REPORT_TABLES if name not in written]
    if missing:
        raise GigsimError(f"{folder}: written without the {' and '.join(missing)} table(s) the"
                          " report draws on; run gigsim run again with --report (or"
                          " --tables all)")


@click.command(name="report")
@click.argument("results_dir", type=click.Path(file_okay=True))
@click.option("--out", "-o", type=click.Path(dir_okay=False),
              help="Where to write the page (default: RESULTS_DIR/report.html).")
def report_command(results_dir: str, out: str | None) -> None:
    """Write RESULTS_DIR/report.html, one page that opens offline in any browser.

    It holds the summary with its confidence intervals, the figures, the scenario as run and
    the manifest.

    RESULTS_DIR is a folder that `gigsim run` wrote (tables as CSV or Parquet).
    """
    user_errors(_report)(results_dir, out)


def _report(results_dir: str, out: str | None) -> None:
    check_report_tables(Path(results_dir))
    written = write_report(results_dir, out=out)
    click.echo(str(written))


COMMANDS = (report_command,)

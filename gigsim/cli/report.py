"""``gigsim report``: a results folder as one self-contained HTML page."""

from __future__ import annotations

import click

from gigsim.cli.common import user_errors
from gigsim.report import write_report


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
    written = write_report(results_dir, out=out)
    click.echo(str(written))


COMMANDS = (report_command,)

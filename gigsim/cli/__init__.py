"""The ``gigsim`` command line: one module per command, all registered on :func:`main`."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from gigsim.cli.common import interrupted


class Commands(click.Group):
    """gigsim's commands, each stopped by Ctrl-C the same way: one line, exit status 130.

    Without this, click prints "Aborted!" and exits 1; a command that keeps partial work
    (``sweep``, ``calibrate``) says where in its own line, with the same status.
    """

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; Ctrl-C anywhere in it ends in :func:`interrupted`."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            interrupted()


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gigsim")
def main() -> None:
    """Simulate gig-worker income under project churn."""
    # a policy named module:Class may live beside the scenario, as with `python -m`
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())


def _register() -> None:
    from gigsim.cli import app, calibrate, compare, estimate, fit, report, run, sweep

    for module in (run, compare, estimate, report, sweep, fit, calibrate, app):
        for command in module.COMMANDS:
            main.add_command(command)


_register()

__all__ = ["main"]

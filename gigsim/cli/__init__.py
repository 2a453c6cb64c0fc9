"""The ``gigsim`` command line: one module per command, all registered on :func:`main`."""

from __future__ import annotations

import os
import sys

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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

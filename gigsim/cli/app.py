"""``gigsim app``: the prospective worker's page, served on this machine."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gigsim.cli.common import at_least, interrupted, user_errors
from gigsim.errors import GigsimError


@click.command(name="app")
@click.option("--port", type=int, default=0, show_default=True,
              help="The port to listen on; 0 takes a free one.")
@click.option("--host", default=None,
              help="The address to listen on (default 127.0.0.1, this machine only). Any other"
                   " address serves the page to the network.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a browser.")
@click.option("--scenarios", "folder", type=click.Path(file_okay=False),
              help="The folder of scenario files the page offers (default: the bundled"
                   " scenarios/, or GIGSIM_SCENARIOS).")
@click.option("--workers", type=int, default=0, show_default=True,
              help="Worker processes that run estimates, one estimate each; 0 means one per"
                   " core.")
def app_command(port: int, host: str | None, open_browser: bool, folder: str | None,
                workers: int) -> None:
    """Serve an interactive page where a prospective worker asks "what would I earn?".

    Pick a role, the hours a week and the months; the page shows the verdict against a
    reference wage, the typical month, months with no income, the chance of failing
    onboarding, a fan chart and a drought curve, from the same estimate as `gigsim estimate`.
    Needs the app extra: pip install 'gigsim[app]'.

    \b
    Examples:
      gigsim app --open
      gigsim app --port 8765
    """  # noqa: D301  (\b is click's mark for a paragraph it must not rewrap)
    user_errors(_app)(port, host, open_browser, folder, workers)


def _app(port: int, host: str | None, open_browser: bool, folder: str | None,
         workers: int) -> None:
    at_least("--workers", workers, 0)
    try:
        from gigsim.app.serve import LOOPBACK, bind, is_loopback, serve
    except ImportError as error:
        raise GigsimError(f"gigsim app needs the app extra ({error.name} is missing):"
                          " pip install 'gigsim[app]'") from None
    from gigsim.studies.estimate import bundled_scenarios_dir

    scenarios = Path(folder) if folder is not None else bundled_scenarios_dir()
    if not scenarios.is_dir():
        raise GigsimError(f"--scenarios {folder}: not a folder")
    host = LOOPBACK if host is None else host
    sock = bind(host, port)
    if not is_loopback(host):
        click.echo(f"gigsim app: warning: listening on {host}, so the page is served to the"
                   " network: anyone who can reach this machine can use it", err=True)

    def ready(url: str, seconds: float) -> None:
        click.echo(f"gigsim app: serving {url} (ready in {seconds:.1f} s; Ctrl-C stops it)")
        sys.stdout.flush()

    try:
        serve(scenarios, sock, workers=workers or None, on_ready=ready,
              open_browser=open_browser)
    except KeyboardInterrupt:  # uvicorn stops on Ctrl-C, then raises it
        interrupted("the app stopped")


COMMANDS = (app_command,)

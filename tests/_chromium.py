"""Finding a Chromium for the browser tests (tests/report and tests/app): skip without one,
but fail under CI (``CI`` set), where ``.ci/run`` installs Debian's ``chromium``.

Pytest puts this folder on ``sys.path`` (for ``tests/conftest.py``), so a test imports this
module as ``_chromium``.
"""

from __future__ import annotations

import os
import shutil

import pytest

# The machine has no network: without the background-networking flags Chromium floods it with
# refused connections. Nothing here downloads a browser; Playwright drives this one.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")


def chromium_or_skip() -> str:
    """The Chromium binary to drive: ``GIGSIM_CHROMIUM``, else one on the PATH."""
    found = os.environ.get("GIGSIM_CHROMIUM") or next(
        (path for name in ("chromium", "chromium-browser", "google-chrome",
                           "google-chrome-stable") if (path := shutil.which(name))), None)
    if found is None:
        unavailable("headless Chromium is not installed: apt-get install chromium (Debian,"
                    " Ubuntu), or set GIGSIM_CHROMIUM to a Chromium or Chrome binary")
    return str(found)


def unavailable(message: str) -> None:
    """Skip, or fail under CI, which should have everything the browser tests need."""
    if os.environ.get("CI"):
        pytest.fail(f"{message}; .ci/run should have installed it")
    pytest.skip(message)

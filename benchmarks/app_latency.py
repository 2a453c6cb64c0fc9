"""How fast `gigsim app` answers: start-up, first answer, and a slider change to new numbers.

``python -m benchmarks.app_latency [--changes N]`` starts ``gigsim app`` on a free port of
127.0.0.1, opens it in headless Chromium (Playwright, the system's Chromium) and prints:

- start-up: from starting the command to the address printed (the server accepts
  connections), and to the first verdict shown in a freshly opened page;
- per slider change, for each bundled profile: from setting the hours slider to a value not
  asked before (so never from the cache) to the page showing the new verdict, no longer
  dimmed: what a person waits for. Median and maximum over the changes; and to the new
  figures, drawn after the numbers.

The machine's load average is printed beside them: the timings are wall clock.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]
SETTLED = "() => !!document.querySelector('#verdict') && !document.querySelector('.gigsim-stale')"
DRAWN = ("() => document.querySelectorAll('img[data-figure]').length === 3"
         " && !document.querySelector('.gigsim-drawing')")
ROLES = {"generalist": "generalist.toml/generalists", "specialist": "specialist.toml/specialists"}


def main() -> int:
    """Measure and print; 0 on success."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=6, help="slider changes per profile")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("GIGSIM_CHROMIUM") or shutil.which("chromium")
    if chromium is None:
        print("needs headless Chromium (apt-get install chromium, or GIGSIM_CHROMIUM)")
        return 2
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-c", "from gigsim.cli import main; main()", "app", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        found = re.search(r"serving (http://\S+/)", line)
        if not found:
            print(f"gigsim app did not start: {line}")
            return 1
        address_s = time.perf_counter() - started
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.set_default_timeout(120_000)
            page.goto(found.group(1))
            page.wait_for_function(SETTLED)
            first_s = time.perf_counter() - started
            print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
            print(f"start-up: address printed after {address_s:.1f} s; first verdict on a new"
                  f" page after {first_s:.1f} s (command started to verdict shown)")
            for name, key in ROLES.items():
                page.select_option("#role", key)
                page.wait_for_function(SETTLED)
                times, drawn = [], []
                for hours in range(21, 21 + args.changes):
                    before = page.inner_text("#verdict")
                    began = time.perf_counter()
                    page.fill("#hours", str(hours))
                    page.wait_for_function(
                        f"b => ({SETTLED})() && document.querySelector('#verdict').innerText"
                        " !== b", arg=before)
                    times.append(time.perf_counter() - began)
                    page.wait_for_function(DRAWN)
                    drawn.append(time.perf_counter() - began)
                print(f"{name}: slider change to new numbers, median"
                      f" {statistics.median(times):.2f} s, max {max(times):.2f} s over"
                      f" {len(times)} changes ({', '.join(f'{t:.2f}' for t in times)});"
                      f" to new figures, median {statistics.median(drawn):.2f} s")
            browser.close()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())

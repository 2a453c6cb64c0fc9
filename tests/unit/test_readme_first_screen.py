"""The README's first screen leads a prospective worker to their two commands."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
TARGETS = set(re.findall(r"^([a-z]+):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))


def test_the_first_screen_shows_estimate_and_the_app() -> None:
    first = "\n".join(README.splitlines()[:30])  # what a laptop shows before scrolling
    commands = re.findall(r"```sh\n(.*?)```", first, re.S)
    shown = "\n".join(commands)
    assert "gigsim estimate --profile" in shown and "make app" in shown
    assert "app" in TARGETS


def test_the_quick_start_keeps_make_run_and_make_test() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", quick, re.S)
    assert [line.split()[1] for line in block.strip().splitlines()] == ["run", "test"]
    assert {"run", "test"} <= TARGETS

"""What the benchmarks ran on: CPU, cores, memory, library versions, and the gigsim commit."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str | None:
    """A read-only git query (no optional locks: never touches the index)."""
    try:
        out = subprocess.run(["git", "--no-optional-locks", *args], cwd=ROOT,
                             capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def machine_info() -> dict[str, Any]:
    """The machine and software the benchmark ran on."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    commit = _git("rev-parse", "--short", "HEAD")
    changes = _git("status", "--porcelain", "--", "gigsim")
    return {
        "cpu_model": _cpu_model(),
        "nproc": usable,
        "cpu_count": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "numpy": _version("numpy"),
        "simpy": _version("simpy"),
        "pandas": _version("pandas"),
        "gigsim": _version("gigsim"),
        "git_commit": commit,
        "gigsim_modified": None if changes is None else bool(changes),
    }


def describe(info: dict[str, Any]) -> str:
    """One line for the top of the report."""
    code = info.get("git_commit") or "unknown commit"
    if info.get("gigsim_modified"):
        code += " + uncommitted changes in gigsim/"
    return (f"{info['cpu_model']}, {info['nproc']} cores, {info['memory_gib']} GiB; "
            f"Python {info['python']}, numpy {info['numpy']}, simpy {info['simpy']}, "
            f"pandas {info['pandas']}; gigsim {info['gigsim']} at {code}")

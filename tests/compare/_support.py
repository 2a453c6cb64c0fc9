"""Constants shared by the compare tests: the shrunk platform scenario, as overrides and --set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = ROOT / "scenarios" / "platform.toml"

# scenarios/platform.toml at a tenth of its size over 16 weeks: both worker groups, both
# generators and seats scarce enough that the dispatch policy matters; a replication takes
# about 50 ms.
SMALL_PLATFORM: dict[str, Any] = {
    "workers.generalists.count": 400,
    "workers.generalists.arrivals_per_week": 30,
    "workers.specialists.count": 80,
    "workers.specialists.arrivals_per_week": 4,
    "projects.rating.seats.median": 100,
    "projects.stem.seats.median": 5,
    "simulation.horizon": "16w",
    "simulation.warmup": "4w",
}

# The same as --set options for the CLI.
SMALL_PLATFORM_SETS: list[str] = [
    arg for key, value in SMALL_PLATFORM.items()
    for arg in ("--set", f"{key}={value}" if not isinstance(value, str) else f'{key}="{value}"')
]

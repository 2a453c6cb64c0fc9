"""Writing files and folders atomically: a reader finds each one whole or not at all.

Every layer that writes uses these: a sweep persisting each run as it finishes, a calibration
its cache, the presentation its results folders. So it sits below the scenario, the lowest
layer but :mod:`gigsim.errors` and :mod:`gigsim.randomness` (pyproject.toml,
``[tool.importlinter]``), and of gigsim imports only :mod:`gigsim.errors`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import os
import platform
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from gigsim.errors import GigsimError

Format = Literal["csv", "parquet"]


def parquet_available() -> bool:
    """Whether pyarrow is installed, so tables can be written as Parquet."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def default_format() -> Format:
    """Parquet where pyarrow is installed (a tenth of the time, a quarter of the size), else CSV."""
    return "parquet" if parquet_available() else "csv"


def check_target(out: Path, force: bool, fmt: Format = "csv") -> None:
    """Refuse to replace an existing folder unless ``force``, and what cannot be written."""
    if fmt == "parquet" and not parquet_available():
        raise GigsimError("--format parquet needs pyarrow: pip install 'gigsim[parquet]'")
    if out.exists() and not force:
        raise GigsimError(f"{out}: already exists; use --force to replace it, or --out elsewhere")
    nearest = next((p for p in out.parents if p.exists()), None)
    if nearest is not None and not nearest.is_dir():
        raise GigsimError(f"{out}: cannot create the folder, {nearest} is a file")


@contextmanager
def staged_folder(out: Path) -> Iterator[Path]:
    """A fresh temporary folder beside ``out``, renamed to ``out`` if the block succeeds.

    An existing ``out`` is replaced only once the new folder is complete; if the block fails,
    the temporary folder is removed and ``out`` is left as it was.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        yield staging
        _replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_table(frame: pd.DataFrame, folder: Path, name: str, fmt: Format) -> None:
    """Write ``frame`` as ``folder/name.csv`` or ``folder/name.parquet``, without its index."""
    if fmt == "parquet":
        # Dictionary-encoding float columns costs half the write time and saves nothing:
        # their values hardly repeat. Names, kinds and ids keep it.
        keyed = [str(c) for c in frame.columns if not pd.api.types.is_float_dtype(frame[c])]
        frame.to_parquet(folder / f"{name}.parquet", index=False, use_dictionary=keyed)
    else:
        frame.to_csv(folder / f"{name}.csv", index=False)


def write_atomically(path: Path, text: str | bytes) -> Path:
    """Write ``path`` through a temporary file beside it and ``os.replace``."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    if isinstance(text, bytes):
        tmp.write_bytes(text)
    else:
        tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    """JSON with NaN written as null, atomically."""
    write_atomically(path, json.dumps(_nan_to_none(data), indent=2, allow_nan=False) + "\n")


def gigsim_version() -> str:
    """The installed gigsim's version, for manifests (``0.0.0`` in a tree not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gigsim")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"


FigureFormat = Literal["png", "svg", "pdf"]
FIGURE_FORMATS: tuple[FigureFormat, ...] = ("png", "svg", "pdf")  # --figure-format, png first


def environment() -> dict[str, Any]:
    """What a manifest records about the run's software and time.

    ``git_commit`` is the commit of the gigsim source that ran, when it runs from a git
    checkout (``git_dirty``: whether tracked files differed from it), and null otherwise.
    """
    return {
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        **_own_commit(),
    }


@functools.cache
def _own_commit() -> dict[str, Any]:
    return source_commit()


def source_commit(root: Path | None = None) -> dict[str, Any]:
    """The git commit of gigsim's own source folder, if that folder is a git checkout.

    ``root`` is the folder that holds the ``gigsim`` package (default: this one's). Only a
    checkout whose top is that folder counts: an installed copy in a virtual environment
    that happens to sit inside some repository records no commit, rather than that
    repository's.
    """
    root = Path(__file__).resolve().parent.parent if root is None else root
    none: dict[str, Any] = {"git_commit": None, "git_dirty": None}
    if not (root / ".git").exists():
        return none

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()

    try:
        top = Path(git("rev-parse", "--show-toplevel")).resolve()
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):  # no git, or not a repository after all
        return none
    if top != root.resolve() or len(commit) != 40:
        return none
    return {"git_commit": commit, "git_dirty": dirty}


def json_number(value: Any) -> float | None:
    """A number as JSON can hold it: a plain float, or None (null) for NaN and for None.

    JSON has no NaN; every ``to_dict`` and JSON file of gigsim writes an unknown number as
    null through this one function.
    """
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def json_ready(value: Any) -> Any:
    """A deep copy that JSON can hold: mappings and lists as they are, TOML dates as strings."""
    return json.loads(json.dumps(value, default=str))


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, float):
        return json_number(value)
    if isinstance(value, Mapping):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nan_to_none(v) for v in value]
    return value


def _replace(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    retired = out.parent / f".{out.name}.replaced-{os.getpid()}"
    out.rename(retired)
    try:
        staging.rename(out)
    except BaseException:
        retired.rename(out)
        raise
    shutil.rmtree(retired, ignore_errors=True)

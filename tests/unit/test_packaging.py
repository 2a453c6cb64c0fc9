"""Packaging metadata: the license in the form setuptools takes without a warning, and a
CITATION.cff that agrees with pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_license_is_an_spdx_string_with_a_setuptools_that_reads_it() -> None:
    # `license = { text = "MIT" }` made setuptools >= 77 warn at every install
    # (SetuptoolsDeprecationWarning: `project.license` as a TOML table is deprecated)
    assert PROJECT["project"]["license"] == "MIT"
    (setuptools,) = [r for r in PROJECT["build-system"]["requires"] if r.startswith("setuptools")]
    found = re.fullmatch(r"setuptools>=(\d+)(\.\d+)*", setuptools.replace(" ", ""))
    assert found and int(found.group(1)) >= 77, setuptools


def test_citation_file_is_cff_1_2_0_and_agrees_with_the_package() -> None:
    yaml = pytest.importorskip("yaml")
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):  # required by the 1.2.0 schema
        assert citation[key], key
    assert all(a.get("name") or a.get("family-names") for a in citation["authors"])
    assert str(citation["version"]) == PROJECT["project"]["version"]
    assert citation["license"] == PROJECT["project"]["license"]

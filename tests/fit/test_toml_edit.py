"""Setting keys in a scenario file's text: comments kept, the result what was asked."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from gigsim.errors import GigsimError
from gigsim.studies.fitting.toml_edit import scenario_copy, set_keys

ROOT = Path(__file__).resolve().parents[2]
GENERALIST = ROOT / "scenarios" / "generalist.toml"


def test_only_the_changed_lines_change_and_comments_stay() -> None:
    text = GENERALIST.read_text(encoding="utf-8")
    changes = {"projects.rating.lifetime": {"dist": "gamma", "shape": 1.5, "scale": "2w"},
               "workers.generalists.patience.median": "3w", "dispatch.delay": "2d",
               "simulation.seed": 5}
    edited, data = set_keys(text, changes, {"dispatch.delay": "set by a test"})
    assert tomllib.loads(edited) == data
    assert data["projects"][0]["lifetime"] == changes["projects.rating.lifetime"]
    assert data["workers"][0]["patience"] == {"dist": "lognormal", "median": "3w", "sigma": 0.5}
    old, new = text.splitlines(), edited.splitlines()
    assert [x for x in old if x.startswith("#")] == \
        [x for x in new if x.startswith("#") and not x.startswith(("# was:", "# set by"))]
    assert "# set by a test" in new[new.index('delay = "2d"') - 2]
    assert len(new) == len(old) + len(changes) + 1  # a "was" line each, one comment


def test_a_key_that_is_absent_is_added_to_its_table() -> None:
    text = 'name = "x"\n\n[[workers]]\nname = "a"\ncount = 1\n\n[[workers]]\nname = "b"\n'
    edited, data = set_keys(text, {"workers.b.count": 3}, {})
    assert tomllib.loads(edited) == data and data["workers"][1]["count"] == 3
    assert "count" not in tomllib.loads(text)["workers"][1]


def test_a_copy_refuses_the_scenario_itself_and_bad_values(tmp_path: Path) -> None:
    target = tmp_path / "s.toml"
    target.write_text(GENERALIST.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(GigsimError, match="is the scenario itself"):
        scenario_copy(target, target, {"dispatch.delay": "1d"}, {})
    with pytest.raises(GigsimError, match=r"^--key: projects\.rating\.lifetime"):
        scenario_copy(target, tmp_path / "copy.toml", {"projects.rating.lifetime": 5}, {})
    assert not (tmp_path / "copy.toml").exists()

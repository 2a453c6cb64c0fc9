"""Platforms (``[[platforms]]``): each with its own dispatch and pay schedule.

Without ``[[platforms]]`` a scenario describes one platform, named ``default``, made of the
top-level ``[dispatch]`` and ``[pay]``. With ``[[platforms]]`` each entry gives a ``name``, a
``dispatch`` table (the keys of ``[dispatch]``) and an optional ``pay`` table (those of
``[pay]``), and the top-level ``[dispatch]`` and ``[pay]`` are refused. Project generators
name their ``platform``; worker groups name the ``platforms`` they join and, per platform, an
assessment (docs/model.md §2, §5 "Several platforms").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from gigsim.scenario.dispatch import DispatchSettings
from gigsim.scenario.pay import DEFAULT_PLATFORM, PaySchedule
from gigsim.scenario.projects import ProjectGenerator
from gigsim.scenario.schema import Section, did_you_mean
from gigsim.scenario.workers import WorkerGroup

MAX_SLOTS = 127  # a worker's slots over all its platforms (platforms × max_projects)


@dataclass(frozen=True)
class Platform:
    """One platform: its name, how it dispatches and when it pays (None: as earned)."""

    name: str
    dispatch: DispatchSettings
    pay: PaySchedule | None = None

    @classmethod
    def from_section(cls, s: Section) -> Platform:
        """Read one ``[[platforms]]`` table."""
        out = cls(name=s.string("name"),
                  dispatch=DispatchSettings.from_section(s.section("dispatch")),
                  pay=s.optional_section("pay", PaySchedule.from_section))
        s.finish()
        return out


def read_platforms(root: Section) -> tuple[Platform, ...]:
    """The scenario's platforms: ``[[platforms]]``, or the default one from the top level."""
    if not root.has("platforms"):
        return (Platform(DEFAULT_PLATFORM, DispatchSettings.from_section(root.section("dispatch")),
                         root.optional_section("pay", PaySchedule.from_section)),)
    for table in ("dispatch", "pay"):
        if root.has(table):
            raise root.error(table, f"with [[platforms]] each platform has its own {table}"
                                    f" (platforms.<name>.{table}); remove the top-level"
                                    f" [{table}]")
    return tuple(Platform.from_section(s) for s in root.sections("platforms"))


def resolve_platforms(root: Section, platforms: Sequence[Platform],
                      workers: Sequence[WorkerGroup], projects: Sequence[ProjectGenerator]
                      ) -> tuple[tuple[WorkerGroup, ...], tuple[ProjectGenerator, ...]]:
    """Groups and generators with their platforms named and checked.

    A generator without ``platform`` is on the only platform (refused when there are
    several); a group without ``platforms`` joins every platform. A group's ``assessment``
    is its one platform's; with several, ``assessments.<platform>`` gives each its own.
    """
    names = [p.name for p in platforms]
    known = ", ".join(names)
    out_projects = []
    for gen in projects:
        where = f"projects.{gen.name}.platform"
        if gen.platform is None:
            if len(names) > 1:
                raise root.error(where, f"missing required key: name the platform the"
                                        f" projects are on (platforms: {known})")
            gen = dataclasses.replace(gen, platform=names[0])
        elif gen.platform not in names:
            raise root.error(where, f"no platform named {gen.platform!r}"
                                    f"{did_you_mean(gen.platform, names)} (platforms: {known})")
        out_projects.append(gen)
    out_workers = []
    for group in workers:
        where = f"workers.{group.name}"
        joined = group.platforms if group.platforms is not None else tuple(names)
        for name in joined:
            if name not in names:
                raise root.error(f"{where}.platforms", f"no platform named {name!r}"
                                                       f"{did_you_mean(name, names)}"
                                                       f" (platforms: {known})")
        if len(set(joined)) < len(joined):
            raise root.error(f"{where}.platforms", f"a platform is named twice in {list(joined)}")
        for name, _ in group.assessments:
            if name not in joined:
                raise root.error(f"{where}.assessments.{name}",
                                 f"the group does not join {name!r} (it joins:"
                                 f" {', '.join(joined)})")
        if group.assessment is not None and len(joined) > 1:
            raise root.error(f"{where}.assessment",
                             f"the group joins {len(joined)} platforms: give each its own"
                             f" assessment as assessments.<platform> (platforms:"
                             f" {', '.join(joined)})")
        if len(joined) * group.max_projects > MAX_SLOTS:
            raise root.error(f"{where}.max_projects",
                             f"{len(joined)} platforms × max_projects {group.max_projects} is"
                             f" more than {MAX_SLOTS} slots a worker")
        assessments = dict(group.assessments)
        if group.assessment is not None:
            assessments[joined[0]] = group.assessment
        out_workers.append(dataclasses.replace(
            group, platforms=tuple(joined),
            assessments=tuple((name, assessments[name]) for name in joined
                              if name in assessments)))
    for gen in out_projects:
        somewhere = any(gen.requires in g.skills for g in out_workers)  # else: scenario.py's
        if somewhere and not any(gen.requires in g.skills and gen.platform in (g.platforms or ())
                                 for g in out_workers):
            raise root.error(f"projects.{gen.name}.requires",
                             f"no worker group on the platform {gen.platform!r} has the skill"
                             f" {gen.requires!r}")
    return tuple(out_workers), tuple(out_projects)


__all__ = ["Platform", "read_platforms", "resolve_platforms"]

"""The scenario's clients: who the projects are for, and when a client is lost.

A client (``[[clients]]``) lives for a random time and is then lost: every live project of it
ends at once, with the client's notice when the loss is announced, and a new client of the
same name takes its place (docs/model.md §4, Clients).
"""

from __future__ import annotations

from dataclasses import dataclass

from gigsim.scenario.dists import Distribution
from gigsim.scenario.projects import Notice
from gigsim.scenario.schema import Section, lowest_value


@dataclass(frozen=True)
class Client:
    """A client of the platform: how long each of its successive instances lives."""

    name: str
    lifetime: Distribution
    notice: Notice | None

    @classmethod
    def from_section(cls, s: Section) -> Client:
        """Read one ``[[clients]]`` table."""
        client = cls(
            name=s.string("name"),
            lifetime=s.dist("lifetime", "duration"),
            notice=s.optional_section("notice", Notice.from_section),
        )
        if lowest_value(client.lifetime) <= 0 or client.lifetime.mean <= 0:
            raise s.error("lifetime", "must be a positive duration")
        s.finish()
        return client

"""Errors meant for users: each names where the problem is and what was expected."""

from __future__ import annotations


class GigsimError(Exception):
    """An error caused by the user's input; the CLI prints it as one line and exits with 2."""


class ScenarioError(GigsimError):
    """A scenario file, or an override of one, is not what gigsim expects.

    ``source`` is the file (or ``--set``), ``key`` the dotted key, ``message`` what was expected.
    """

    def __init__(self, source: str, key: str, message: str) -> None:
        self.source = source
        self.key = key
        self.message = message
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {message}")

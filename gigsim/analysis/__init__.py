"""Analysis: numbers from a run's records, without running anything.

``metrics`` turns records into tables, ``statistics`` into summary metrics with their
intervals, ``survival`` estimates Kaplan–Meier curves from censored durations, and ``results``
holds what :func:`gigsim.simulate` returns. This layer imports the scenario and the engine's
records, never a study, a figure or the CLI (``pyproject.toml``, ``[tool.importlinter]``).
"""

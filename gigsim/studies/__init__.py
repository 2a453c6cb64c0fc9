"""Studies: what is run on scenarios, and the numbers each run gives.

``runner`` runs replications (:func:`gigsim.simulate`); ``comparison`` and ``variants`` compare
variants on common random numbers; ``cohort`` and ``estimate`` answer a prospective worker;
``sizing`` works out a run's size before it starts; ``sweep`` runs grids, samples and
sensitivity designs into resumable folders; ``fitting`` fits distributions to observed
durations and calibrates scenarios. A study imports the analysis, the engine and the scenario,
never a figure, a report or the CLI (``pyproject.toml``, ``[tool.importlinter]``).
"""

"""Presentation: what a person reads, drawn from the studies' results.

Figures (matplotlib ``Figure`` objects, never ``pyplot``), the words of a worker's verdict,
plain labels for the metrics, the HTML report, and results folders written atomically. This
layer reads the studies and the analysis; only the CLI and the app import it
(``pyproject.toml``, ``[tool.importlinter]``).
"""

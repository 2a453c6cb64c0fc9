"""Figures: functions that take tables and return matplotlib figures.

Each builds :class:`matplotlib.figure.Figure` objects with their own Agg canvas instead of going
through ``pyplot``, so importing them selects no backend and changes no global state; callers
save a figure with ``figure.savefig(path)`` or show it in a notebook. ``base`` holds the
drawing every figure shares (titles, interval bars, ECDFs); ``run``, ``comparison``, ``sweep``,
``estimate`` and ``fitting`` the figures of each study.
"""

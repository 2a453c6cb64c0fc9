"""Settings shared by every test folder."""

from hypothesis import settings

# Property tests explore the same examples on every run and every machine: a red CI must be
# reproducible with the same command, never a draw that the next run does not make. Every
# `settings(...)` in the tests inherits this profile, which is loaded before they are created.
settings.register_profile("gigsim", derandomize=True, database=None, print_blob=True)
settings.load_profile("gigsim")

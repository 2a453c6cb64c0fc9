"""A user's policy module with a bug: importing it fails (``test_user_policy.py`` checks that)."""

raise RuntimeError("this module is broken on purpose")

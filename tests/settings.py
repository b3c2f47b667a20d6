"""Settings for the test suite: the production settings, with a key of its own when none is given.

The suite runs with DEBUG off, where perfbudget.settings refuses to start without SECRET_KEY. The key is put in the
environment (not only in settings) so that the app processes some tests start (manage.py, a second server) get it too.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-" + "k" * 50)

from perfbudget.settings import *  # noqa: E402, F403

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # The test database is SQLite in memory with a shared cache, whose locks are per table and fail at once
    # ("database table is locked") instead of waiting: write locks taken at BEGIN would make the suite's threads (a
    # worker beside its heartbeat, the live server) fail. The demo's file database keeps them (test_configuration).
    DATABASES["default"]["OPTIONS"].pop("transaction_mode", None)  # noqa: F405

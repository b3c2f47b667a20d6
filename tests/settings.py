"""Settings for the test suite: the production settings, with a key of its own when none is given.

The suite runs with DEBUG off, where perfbudget.settings refuses to start without SECRET_KEY. The key is put in the
environment (not only in settings) so that the app processes some tests start (manage.py, a second server) get it too.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-" + "k" * 50)

from perfbudget.settings import *  # noqa: E402, F403

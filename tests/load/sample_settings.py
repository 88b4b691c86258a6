"""``sample_project`` as the load tests serve it: DEBUG off, levels in the log.

Only logging changes: drf_cors' records carry their level so the tests can
prove it logged nothing at ERROR, and Django's tracebacks for the deliberate
500 route stay out of the log. The database and the page origins come from
``DEMO_DB`` and ``DEMO_PAGE_ORIGINS``, as the sample project reads them.
"""

from sample_project.settings import *  # noqa: F403

DEBUG = False

# The same log format the load project's servers use: the tests parse it.
from tests.load.loadproject.settings import LOGGING  # noqa: E402, F401

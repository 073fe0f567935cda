"""Loaded first (`-p testenv`): the environment every test run starts from.

Each run gets its own var/ directory, so secrets, the SQLite file and the job queue of a
developer's `make run` are never touched by tests.
"""

import os
import tempfile

_var = tempfile.mkdtemp(prefix="meetbridge-test-")
os.environ["MEETBRIDGE_VAR_DIR"] = _var
os.environ.setdefault("MEETBRIDGE_MODE", "local")
os.environ.pop("REDIS_URL", None)
# On SQLite, a file rather than Django's default in-memory test database: the live server's
# request threads and the job engine's worker threads (browser journeys) each open their own
# connection, and an in-memory database would be one shared connection or a locked shared cache.
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("MEETBRIDGE_TEST_DATABASE_NAME", os.path.join(_var, "test.sqlite3"))

# Property tests judge behaviour, not the machine's speed: no per-example deadline and no
# "input generation is slow" failure when other work shares the CPU (a loaded CI machine).
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("meetbridge", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("meetbridge")

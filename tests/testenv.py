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

"""Seeds a bench tenant in this process's configuration and prints its key and API tokens.

`BENCH_SANDBOX_URL=... python -m bench.seed_cli` with meetbridge's environment: lets the bench
seed a second installation (e.g. SQLite for `meetbridge run`) beside the one it holds itself.
"""

from __future__ import annotations

import json
import os

from bench.stack import Stack, _seed
from workspace_sandbox.client import Sandbox

if __name__ == "__main__":
    stack = Stack(Sandbox(os.environ["BENCH_SANDBOX_URL"]), "", "")
    _seed(stack)
    print(json.dumps({"key": stack.key, "tokens": stack.tokens}))

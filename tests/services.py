"""Services some tests need beside the code: found on the machine, or those tests are skipped."""

from __future__ import annotations

import socket

import pytest


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")

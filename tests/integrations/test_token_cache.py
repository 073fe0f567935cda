"""Access tokens are reused until shortly before expiry, and fetched once at a time per key."""

from __future__ import annotations

import threading

import pytest

from meetbridge.integrations.tokens import TokenCache

KEY = ("integration:1:v1", "ana@acme.test")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_token_is_reused_until_a_minute_before_it_expires():
    clock = Clock()
    cache = TokenCache(clock=clock)
    fetched = []

    def fetch():
        fetched.append(1)
        return f"token-{len(fetched)}", 3600.0

    assert cache.get(KEY, fetch) == "token-1"
    clock.now += 3600 - 61
    assert cache.get(KEY, fetch) == "token-1"
    clock.now += 2
    assert cache.get(KEY, fetch) == "token-2"


def test_tokens_are_kept_per_key_and_person():
    cache = TokenCache(clock=Clock())
    assert cache.get(KEY, lambda: ("a", 3600)) == "a"
    assert cache.get((KEY[0], "ben@acme.test"), lambda: ("b", 3600)) == "b"
    assert cache.get(("integration:1:v2", KEY[1]), lambda: ("c", 3600)) == "c"
    assert len(cache) == 3


def test_concurrent_callers_share_one_fetch():
    cache = TokenCache()
    calls = []
    asking = threading.Semaphore(0)

    def fetch():
        calls.append(1)
        # Holds the fetch until all eight callers are asking: however slow the machine, they
        # overlap (one still on its way in finds the token cached, which is no second fetch).
        for _ in range(8):
            asking.acquire(timeout=30)
        return "shared", 3600.0

    results = []

    def worker():
        asking.release()
        results.append(cache.get(KEY, fetch))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1]
    assert results == ["shared"] * 8


def test_forgetting_drops_only_the_token_that_was_refused():
    cache = TokenCache(clock=Clock())
    cache.get(KEY, lambda: ("old", 3600))
    cache.forget(KEY, "other")
    assert cache.get(KEY, lambda: ("new", 3600)) == "old"
    cache.forget(KEY, "old")
    assert cache.get(KEY, lambda: ("new", 3600)) == "new"


def test_forgetting_a_credential_drops_all_its_tokens():
    cache = TokenCache(clock=Clock())
    cache.get(KEY, lambda: ("a", 3600))
    cache.get((KEY[0], "ben@acme.test"), lambda: ("b", 3600))
    cache.forget_credential(KEY[0])
    assert len(cache) == 0


def test_a_failed_fetch_caches_nothing():
    cache = TokenCache(clock=Clock())

    def failing():
        raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        cache.get(KEY, failing)
    assert cache.get(KEY, lambda: ("later", 3600)) == "later"

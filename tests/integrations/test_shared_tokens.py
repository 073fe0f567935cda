"""Server processes share access tokens through Redis, sealed, so adding processes adds no exchanges.

Each `TokenCache` here stands for one server process; they share a real Redis.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from cryptography.fernet import Fernet
from django.core.cache.backends.redis import RedisCache

from meetbridge.integrations.shared_tokens import CacheSharedTokens
from meetbridge.integrations.tokens import TokenCache
from meetbridge.integrations.vault import Vault
from tests.services import needs_redis

pytestmark = needs_redis

KEY = ("integration:1:v1", "ana@acme.test")
TOKEN = "ya29.a-secret-access-token"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def redis_cache():
    cache = RedisCache(
        "redis://127.0.0.1:6379/12", {"KEY_PREFIX": f"test-{uuid.uuid4().hex}", "TIMEOUT": 60}
    )
    yield cache
    cache.clear()


@pytest.fixture
def store(redis_cache):
    keys = [Fernet.generate_key().decode()]
    return CacheSharedTokens(redis_cache, lambda: Vault(keys))


def process(store, wall: Clock | None = None) -> TokenCache:
    cache = TokenCache(clock=Clock(50.0), wall_clock=wall or Clock(1_000_000.0))
    cache.shared = store
    return cache


def counting_fetch(fetched: list, token: str = TOKEN, lifetime: float = 3600.0):
    def fetch():
        fetched.append(token)
        return token, lifetime

    return fetch


def test_a_second_process_uses_the_first_processs_token_without_asking_google(store):
    fetched: list = []
    assert process(store).get(KEY, counting_fetch(fetched)) == TOKEN
    assert process(store).get(KEY, counting_fetch(fetched)) == TOKEN
    assert fetched == [TOKEN]


def test_the_shared_token_is_renewed_a_minute_before_expiry(store):
    wall = Clock(1_000_000.0)
    fetched: list = []
    process(store, wall).get(KEY, counting_fetch(fetched))
    wall.now += 3600 - 61
    assert process(store, wall).get(KEY, counting_fetch(fetched, "newer")) == TOKEN
    wall.now += 2
    assert process(store, wall).get(KEY, counting_fetch(fetched, "newer")) == "newer"
    assert fetched == [TOKEN, "newer"]


def test_the_store_holds_the_token_sealed_and_not_by_name(store, redis_cache):
    process(store).get(KEY, counting_fetch([]))
    raw = redis_cache._cache.get_client().keys("*")
    values = b"".join(redis_cache._cache.get_client().get(k) or b"" for k in raw)
    assert raw, "the token was not shared"
    assert TOKEN.encode() not in values
    assert b"ana@acme.test" not in b"".join(raw) + values


def test_processes_that_need_a_token_at_once_cause_one_exchange(store):
    fetched: list = []
    started = threading.Event()

    def slow_fetch():
        started.set()
        threading.Event().wait(0.3)  # Google takes its time
        fetched.append(TOKEN)
        return TOKEN, 3600.0

    results: list = []
    first = threading.Thread(target=lambda: results.append(process(store).get(KEY, slow_fetch)))
    first.start()
    started.wait(5)
    results.append(process(store).get(KEY, counting_fetch(fetched, "second")))
    first.join(5)
    assert results == [TOKEN, TOKEN]
    assert fetched == [TOKEN]


def test_a_token_google_refused_is_dropped_for_every_process(store):
    fetched: list = []
    one, two = process(store), process(store)
    one.get(KEY, counting_fetch(fetched))
    one.forget(KEY, TOKEN)
    assert two.get(KEY, counting_fetch(fetched, "fresh")) == "fresh"
    assert fetched == [TOKEN, "fresh"]


def test_tokens_sealed_under_retired_keys_are_fetched_anew(redis_cache):
    old = CacheSharedTokens(redis_cache, lambda: Vault([Fernet.generate_key().decode()]))
    new = CacheSharedTokens(redis_cache, lambda: Vault([Fernet.generate_key().decode()]))
    fetched: list = []
    process(old).get(KEY, counting_fetch(fetched))
    assert process(new).get(KEY, counting_fetch(fetched, "fresh")) == "fresh"


def test_without_the_store_tokens_are_still_fetched_per_process(caplog):
    broken = RedisCache("redis://127.0.0.1:1/0", {})
    store = CacheSharedTokens(broken, lambda: Vault([Fernet.generate_key().decode()]))
    fetched: list = []
    assert process(store).get(KEY, counting_fetch(fetched)) == TOKEN
    assert fetched == [TOKEN]
    assert TOKEN not in caplog.text

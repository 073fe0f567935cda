"""The Redis cache backend keeps one client per pool, and behaves as Django's own."""

from __future__ import annotations

import threading
import uuid
import warnings

from meetbridge.redis_cache import ReusedClientRedisCache
from tests.services import needs_redis

pytestmark = needs_redis


def a_cache() -> ReusedClientRedisCache:
    return ReusedClientRedisCache(
        "redis://127.0.0.1:6379/12", {"KEY_PREFIX": f"t-{uuid.uuid4().hex}", "TIMEOUT": 60}
    )


def test_every_operation_uses_the_same_client():
    cache = a_cache()
    first = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is first
    assert cache._cache.get_client() is first  # one server: reads and writes share its pool


def test_set_get_add_delete_many_behave_as_djangos():
    cache = a_cache()
    assert cache.get("missing", "default") == "default"
    cache.set("a", {"busy": [1, 2]})
    assert cache.get("a") == {"busy": [1, 2]}
    assert cache.add("a", "other") is False
    assert cache.add("b", 7) is True
    assert cache.get_many(["a", "b", "c"]) == {"a": {"busy": [1, 2]}, "b": 7}
    assert cache.incr("b") == 8
    assert cache.delete("a") is True
    assert cache.get("a") is None


def test_threads_share_the_client_safely():
    cache = a_cache()
    errors = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                cache.set(f"k{n}-{i}", i)
                assert cache.get(f"k{n}-{i}") == i
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_bump_many_counts_up_in_one_round_trip_and_reads_back_as_ints():
    cache = a_cache()
    cache.set("seen", 4)
    client = cache._cache.get_client(write=True)
    pipelines = []
    real = client.pipeline

    def counted(*args, **kwargs):
        pipelines.append(args)
        return real(*args, **kwargs)

    client.pipeline = counted
    try:
        cache.bump_many(["seen", "new"], 100)
    finally:
        del client.pipeline
    assert len(pipelines) == 1
    assert cache.get_many(["seen", "new"]) == {"seen": 5, "new": 1}
    assert 0 < client.ttl(cache.make_and_validate_key("new")) <= 100
    assert 0 < client.ttl(cache.make_and_validate_key("seen")) <= 100


def test_keys_memcached_would_refuse_are_fine_for_redis():
    cache = a_cache()
    key = "freebusy gen:" + "x" * 300  # a space and over 250 characters: memcached's limits
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cache.set(key, 1)
        assert cache.get(key) == 1


def test_get_many_or_add_claims_only_what_is_not_kept_and_only_once():
    cache = a_cache()
    cache.set("gen", 3)
    assert cache.get_many_or_add(["gen", "answer"], "claim", 15) == ({"gen": 3}, True)
    assert cache.get_many_or_add(["gen", "answer"], "claim", 15) == ({"gen": 3}, False)
    assert cache.get("claim") == 1
    assert 0 < cache._cache.get_client().ttl(cache.make_key("claim")) <= 15  # a dead claimer's
    cache.delete("claim")
    cache.set("answer", {"busy": []})
    found, claimed = cache.get_many_or_add(["gen", "answer"], "claim", 15)
    assert (found, claimed) == ({"gen": 3, "answer": {"busy": []}}, False)
    assert cache.get("claim") is None  # an answer is kept: nothing to claim


def test_set_and_delete_in_one_round_trip():
    cache = a_cache()
    cache.set("claim", 1)
    cache.set_and_delete("answer", {"busy": [1]}, 30, "claim")
    assert cache.get("answer") == {"busy": [1]} and cache.get("claim") is None
    assert 0 < cache._cache.get_client().ttl(cache.make_key("answer")) <= 30

"""Free/busy answers shared in flight and reused briefly, sealed, dropped when made stale.

On Django's real in-memory cache and the real vault; the upstream call is a function the test
counts (the provider itself is exercised against the sandbox in tests/scheduling).
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from django.core.cache.backends.locmem import LocMemCache

from meetbridge.integrations.freebusy_cache import FreeBusyCache, question
from meetbridge.integrations.provider import FreeBusy, Interval, ProviderError
from meetbridge.integrations.vault import Vault
from meetbridge.redis_cache import ReusedClientRedisCache
from tests.services import needs_redis

START = datetime(2030, 1, 7, 9, tzinfo=UTC)
END = START + timedelta(days=14)
BUSY = FreeBusy(busy={"ana@acme.test": [Interval(START, START + timedelta(hours=1))]})
ANA_ASKS = question(1, "ana@acme.test", ["ana@acme.test", "ben@acme.test"], START, END)


@pytest.fixture
def store():
    cache = LocMemCache(f"freebusy-test-{id(object())}", {})
    yield cache
    cache.clear()


@pytest.fixture(params=["memory", pytest.param("redis", marks=needs_redis)])
def either_store(request):
    """Both stores the settings may give: memory, and Redis (whose generations are bumped
    in one round trip)."""
    if request.param == "memory":
        yield request.getfixturevalue("store")
        return
    prefix = f"fb-{uuid.uuid4().hex}"
    cache = ReusedClientRedisCache("redis://127.0.0.1:6379/12", {"KEY_PREFIX": prefix})
    yield cache
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=f"{prefix}:*"):  # only ours: the database is shared
        client.delete(key)


def reuse(store, seconds=30) -> FreeBusyCache:
    vault = Vault([Fernet.generate_key().decode()])
    return FreeBusyCache(lambda: store, lambda: vault, lambda: seconds)


class Upstream:
    def __init__(self, answer=BUSY) -> None:
        self.calls = 0
        self.answer = answer

    def __call__(self) -> FreeBusy:
        self.calls += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_an_answer_is_reused_within_the_window(either_store):
    cache, upstream = reuse(either_store), Upstream()
    first = cache.free_busy(ANA_ASKS, upstream)
    second = cache.free_busy(ANA_ASKS, upstream)
    assert (first.reused, second.reused, upstream.calls) == (False, True, 1)
    assert second.free_busy == BUSY


def test_zero_seconds_turns_reuse_off(store):
    cache, upstream = reuse(store, seconds=0), Upstream()
    cache.free_busy(ANA_ASKS, upstream)
    assert cache.free_busy(ANA_ASKS, upstream).reused is False
    assert upstream.calls == 2


def test_answers_are_not_shared_between_askers_tenants_or_ranges(either_store):
    cache, upstream = reuse(either_store), Upstream()
    people = ["ana@acme.test", "ben@acme.test"]
    cache.free_busy(ANA_ASKS, upstream)
    cache.free_busy(question(1, "ben@acme.test", people, START, END), upstream)
    cache.free_busy(question(2, "ana@acme.test", people, START, END), upstream)
    cache.free_busy(question(1, "ana@acme.test", people, START, END + timedelta(hours=1)), upstream)
    assert upstream.calls == 4
    # the same people in another order and case is the same question
    same = question(1, "Ana@acme.test", ["BEN@acme.test", "ana@acme.test"], START, END)
    assert cache.free_busy(same, upstream).reused is True


def test_a_change_to_someone_in_it_drops_the_answer_and_no_other(either_store):
    cache, upstream = reuse(either_store), Upstream()
    carol_asks = question(1, "carol@acme.test", ["carol@acme.test"], START, END)
    cache.free_busy(ANA_ASKS, upstream)
    cache.free_busy(carol_asks, upstream)
    cache.changed(1, ["BEN@acme.test"])
    assert cache.free_busy(ANA_ASKS, upstream).reused is False
    assert cache.free_busy(carol_asks, upstream).reused is True
    cache.changed(1)  # unnamed people: every answer of the tenant
    assert cache.free_busy(carol_asks, upstream).reused is False
    assert upstream.calls == 4


def test_entries_are_sealed(store):
    reuse(store).free_busy(ANA_ASKS, Upstream())
    kept = " ".join(str(store.get(key.split(":", 2)[-1])) for key in list(store._cache))
    raw = repr(store._cache)
    for clear_text in ("ana@acme.test", "ben@acme.test", "2030-01-07"):
        assert clear_text not in raw and clear_text not in kept


def test_identical_questions_in_flight_share_one_upstream_call(store):
    cache = reuse(store)
    asking = threading.Semaphore(0)
    askers = 32

    class Slow(Upstream):
        def __call__(self):
            # Held until every asker has asked: however slow the machine, they overlap (one
            # still on its way in finds the answer kept, which is no second call either).
            for _ in range(askers):
                asking.acquire(timeout=30)
            return super().__call__()

    upstream = Slow()

    def ask(_):
        asking.release()
        return cache.free_busy(ANA_ASKS, upstream)

    with ThreadPoolExecutor(askers) as pool:
        answers = list(pool.map(ask, range(askers)))
    assert upstream.calls == 1
    assert all(a.free_busy == BUSY for a in answers)
    assert sum(not a.reused for a in answers) == 1


def test_a_failure_is_shared_by_those_waiting_and_not_kept(either_store):
    cache = reuse(either_store)
    upstream = Upstream(ProviderError("rate_limited", "slow down", retryable=True))
    with pytest.raises(ProviderError):
        cache.free_busy(ANA_ASKS, upstream)
    upstream.answer = BUSY
    assert cache.free_busy(ANA_ASKS, upstream).reused is False  # the claim was freed too


def test_changes_in_a_row_each_drop_the_answers_kept_since(either_store):
    cache, upstream = reuse(either_store), Upstream()
    for _ in range(3):
        cache.free_busy(ANA_ASKS, upstream)
        assert cache.free_busy(ANA_ASKS, upstream).reused is True
        cache.changed(1, ["ana@acme.test", "ben@acme.test"])
    assert upstream.calls == 3


@needs_redis
def test_processes_share_one_upstream_call_through_redis_and_free_the_claim():
    """Two processes (two caches on one Redis): the second finds the question claimed, waits
    for the first one's answer instead of asking too, and the claim is gone afterwards."""
    prefix = f"fb-{uuid.uuid4().hex}"
    store = ReusedClientRedisCache("redis://127.0.0.1:6379/12", {"KEY_PREFIX": prefix})
    vault = Vault([Fernet.generate_key().decode()])
    first_asks_upstream, second_waits, first_done = (threading.Event() for _ in range(3))

    def waiting(seconds: float) -> None:  # the second's poll: over once the first has answered
        second_waits.set()
        assert first_done.wait(timeout=30)

    first = FreeBusyCache(lambda: store, lambda: vault, lambda: 30)
    second = FreeBusyCache(lambda: store, lambda: vault, lambda: 30, sleep=waiting)

    class HeldUntilTheSecondWaits(Upstream):
        def __call__(self):
            first_asks_upstream.set()  # its claim is made by now: fetching follows claiming
            assert second_waits.wait(timeout=30)
            return super().__call__()

    upstream = HeldUntilTheSecondWaits()

    def ask_first():
        try:
            return first.free_busy(ANA_ASKS, upstream)
        finally:
            first_done.set()

    with ThreadPoolExecutor(1) as pool:
        asked_first = pool.submit(ask_first)
        assert first_asks_upstream.wait(timeout=30), asked_first.result()
        assert store.get(ANA_ASKS.name + ":asking") is not None  # the first holds the claim
        answer = second.free_busy(ANA_ASKS, upstream)
        assert asked_first.result().reused is False
    assert upstream.calls == 1
    assert answer.reused is True and answer.free_busy == BUSY
    assert store.get(ANA_ASKS.name + ":asking") is None
    client = store._cache.get_client(write=True)
    for key in client.scan_iter(match=f"{prefix}:*"):
        assert b"ana@acme.test" not in client.get(key)
        client.delete(key)

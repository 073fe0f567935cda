"""Django's Redis cache, with one redis-py client per connection pool instead of one per call.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache operation, and
building one fills its table of some 170 response callbacks: about 0.2 ms of CPU, several times
per availability answer. A `redis.Redis` is safe to share between threads (each command borrows
a connection from the pool), so one per pool is kept.
"""

from __future__ import annotations

import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}
        self._lock = threading.Lock()

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            with self._lock:
                client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class ReusedClientRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache`, settings and behaviour unchanged, plus
    `bump_many`."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def validate_key(self, key) -> None:
        """Redis takes any key. Django's check warns about keys memcached would refuse, a loop
        over every character of every key (a 120-person answer reads 123 keys)."""

    def bump_many(self, keys, timeout: int) -> None:
        """Each counter up by one (a missing one starts at 1), each kept `timeout` seconds from
        now: one round trip for all of them, where `add` then `incr` took two per key. The
        counters stay plain integers, as `incr` leaves them, so `get` reads them as ints."""
        pipeline = self._cache.get_client(write=True).pipeline(transaction=False)
        for key in keys:
            name = self.make_and_validate_key(key)
            pipeline.incr(name)
            pipeline.expire(name, timeout)
        pipeline.execute()

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


# MGET of every key but the last; when the one read last (an answer) is missing, SET the last
# key (a claim) if nobody holds it. Missing values come back as nil, the claim as 1 or 0.
_READ_OR_CLAIM = """
local found = redis.call('MGET', unpack(KEYS, 1, #KEYS - 1))
local claimed = 0
if not found[#found] and redis.call('SET', KEYS[#KEYS], ARGV[1], 'NX', 'EX', ARGV[2]) then
  claimed = 1
end
found[#found + 1] = claimed
return found
"""


class ReusedClientRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache`, settings and behaviour unchanged, plus
    the few combined operations the free/busy reuse makes in one round trip each."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._scripts: dict[int, object] = {}  # per client: a Script is bound to none

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

    def get_many_or_add(self, keys, claim, timeout: int) -> tuple[dict, bool]:
        """`get_many(keys)` and, when the last of `keys` is missing, `add(claim, 1, timeout)`,
        in one round trip (a script Redis runs as one step): (what was found, whether the
        claim was added)."""
        names = [self.make_and_validate_key(key) for key in keys]
        client = self._cache.get_client(write=True)
        script = self._scripts.get(id(client))
        if script is None:
            script = self._scripts[id(client)] = client.register_script(_READ_OR_CLAIM)
        *values, claimed = script(
            keys=[*names, self.make_and_validate_key(claim)], args=[1, timeout]
        )
        loads = self._cache._serializer.loads
        found = {
            key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None
        }
        return found, bool(claimed)

    def set_and_delete(self, key, value, timeout: int, gone) -> None:
        """`set(key, value, timeout)` and `delete(gone)` in one round trip."""
        pipeline = self._cache.get_client(write=True).pipeline(transaction=False)
        pipeline.set(
            self.make_and_validate_key(key),
            self._cache._serializer.dumps(value),
            ex=self.get_backend_timeout(timeout),
        )
        pipeline.delete(self.make_and_validate_key(gone))
        pipeline.execute()

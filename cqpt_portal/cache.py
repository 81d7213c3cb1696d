"""A cache that uses Redis while it answers and a database table when it does not.

The rate limits of login, registration and password reset count in the cache:
with Redis down or hung they must still count (somewhere shared by every web
process) rather than fail with a 500 or let everything through.
"""

import logging
import time

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

UNAVAILABLE = (ConnectionInterrupted, RedisError, OSError)

# Primary alias -> time.monotonic() until which this process goes straight to the fallback.
_primary_paused_until: dict[str, float] = {}


class FallbackCache(BaseCache):
    """CACHES entry: OPTIONS = {"primary": alias, "fallback": alias, "pause_seconds": 30}.

    Each operation goes to the primary; if it raises a connection error or times
    out, the operation is done on the fallback and the primary is left alone for
    `pause_seconds`, so that a hung Redis costs one timeout per process per pause.
    """

    def __init__(self, location, params):
        options = params.get("OPTIONS", {})
        super().__init__({**params, "OPTIONS": {}})
        self._primary = options["primary"]
        self._fallback = options["fallback"]
        self._pause = float(options.get("pause_seconds", 30))

    def _call(self, method: str, *args, **kwargs):
        if time.monotonic() >= _primary_paused_until.get(self._primary, 0):
            try:
                return getattr(caches[self._primary], method)(*args, **kwargs)
            except UNAVAILABLE as exc:
                _primary_paused_until[self._primary] = time.monotonic() + self._pause
                logger.warning("Cache %r unavailable (%s); using %r", self._primary, exc, self._fallback)
        return getattr(caches[self._fallback], method)(*args, **kwargs)

    def add(self, key, value, timeout=None, version=None):
        return self._call("add", key, value, timeout=timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default=default, version=version)

    def set(self, key, value, timeout=None, version=None):
        return self._call("set", key, value, timeout=timeout, version=version)

    def touch(self, key, timeout=None, version=None):
        return self._call("touch", key, timeout=timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta=delta, version=version)

    def decr(self, key, delta=1, version=None):
        return self._call("decr", key, delta=delta, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version=version)

    def set_many(self, data, timeout=None, version=None):
        return self._call("set_many", data, timeout=timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version=version)

    def clear(self):
        # The store in use only: what the fallback holds was written during an outage and expires by itself.
        return self._call("clear")

    def close(self, **kwargs):
        for alias in (self._primary, self._fallback):
            caches[alias].close(**kwargs)

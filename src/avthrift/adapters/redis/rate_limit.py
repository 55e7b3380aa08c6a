from redis.asyncio import Redis

from avthrift.adapters.redis.errors import translate_errors
from avthrift.domain.shared.ports import RateLimitStore

# INCR and the window's expiry in one atomic step; a key that lost its TTL gets it back.
_HIT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


class RedisRateLimitStore(RateLimitStore):
    """Counters shared by every process that talks to the same Redis."""

    def __init__(self, redis: Redis, prefix: str = "avthrift:ratelimit:") -> None:
        self._hit = redis.register_script(_HIT)
        self._prefix = prefix

    async def hit(self, key: str, window_seconds: int) -> tuple[int, float]:
        with translate_errors():
            count, ttl_ms = await self._hit(keys=[self._prefix + key], args=[window_seconds * 1000])
        return int(count), int(ttl_ms) / 1000

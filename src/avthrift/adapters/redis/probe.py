import asyncio

from redis.asyncio import Redis

from avthrift.domain.shared.ports import ServiceProbe


class RedisServiceProbe(ServiceProbe):
    """Readiness of Redis: a `PING` within `timeout` seconds."""

    name = "redis"

    def __init__(self, redis: Redis, timeout: float = 2.0) -> None:
        self._redis = redis
        self._timeout = timeout

    async def is_up(self) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                return bool(await self._redis.ping())  # type: ignore[misc]  # redis-py types ping() as sync|async
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            return False

from redis.asyncio import Redis


def create_redis(url: str, *, timeout_seconds: float = 2.0) -> "Redis":
    """A pooled client whose every call gives up after `timeout_seconds`."""
    return Redis.from_url(
        url,
        socket_timeout=timeout_seconds,
        socket_connect_timeout=timeout_seconds,
        health_check_interval=30,
    )

from collections.abc import Iterator
from contextlib import contextmanager

from redis.exceptions import RedisError

from avthrift.domain.shared.errors import ServiceUnavailableError


@contextmanager
def translate_errors() -> Iterator[None]:
    """Re-raise Redis client errors (connection, timeout, protocol) as `ServiceUnavailableError`."""
    try:
        yield
    except (RedisError, OSError, TimeoutError) as error:
        raise ServiceUnavailableError("Redis is unavailable.") from error

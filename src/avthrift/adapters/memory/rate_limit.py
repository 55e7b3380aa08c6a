import time
from collections.abc import Callable

from avthrift.domain.shared.ports import RateLimitStore

_SWEEP_EVERY = 4096


class MemoryRateLimitStore(RateLimitStore):
    """Counters in this process only: the embedded default when no Redis is configured.

    Atomic because the event loop runs one coroutine at a time and `hit` never awaits.
    """

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._windows: dict[str, tuple[int, float]] = {}
        self._hits = 0

    async def hit(self, key: str, window_seconds: int) -> tuple[int, float]:
        now = self._monotonic()
        self._hits += 1
        if self._hits % _SWEEP_EVERY == 0:
            self._windows = {k: w for k, w in self._windows.items() if w[1] > now}
        count, resets_at = self._windows.get(key, (0, 0.0))
        if resets_at <= now:
            count, resets_at = 0, now + window_seconds
        count += 1
        self._windows[key] = (count, resets_at)
        # `(now + w) - now` can exceed `w` by a rounding error; never report more than the window.
        return count, min(float(window_seconds), resets_at - now)

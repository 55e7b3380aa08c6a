from datetime import UTC, datetime

from avthrift.domain.shared.ports import Clock


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)

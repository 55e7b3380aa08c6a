import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from avthrift.domain.shared.ports import ServiceProbe


class SqlAlchemyServiceProbe(ServiceProbe):
    """Readiness of the database: a `SELECT 1` within `timeout` seconds."""

    name = "database"

    def __init__(self, engine: AsyncEngine, timeout: float = 2.0) -> None:
        self._engine = engine
        self._timeout = timeout

    async def is_up(self) -> bool:
        try:
            async with asyncio.timeout(self._timeout), self._engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            return False
        return True

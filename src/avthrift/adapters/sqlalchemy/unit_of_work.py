from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession

from avthrift.adapters.sqlalchemy.errors import translate_errors
from avthrift.domain.shared.ports import UnitOfWork


class SqlAlchemyUnitOfWork(UnitOfWork):
    """A transaction on the request's session; repositories of the same request share it."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Whatever was not committed is discarded, on success and on failure alike.
        with translate_errors():
            await self._session.rollback()

    async def commit(self) -> None:
        with translate_errors():
            await self._session.commit()

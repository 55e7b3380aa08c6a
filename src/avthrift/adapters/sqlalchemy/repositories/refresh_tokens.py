from datetime import datetime

from sqlalchemy import ColumnElement, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from avthrift.adapters.sqlalchemy.errors import translate_errors
from avthrift.adapters.sqlalchemy.rows.identity import RefreshTokenRow
from avthrift.domain.identity.ports import RefreshTokenStore, TokenClaims


class SqlAlchemyRefreshTokenStore(RefreshTokenStore):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, claims: TokenClaims) -> None:
        with translate_errors():
            self._session.add(
                RefreshTokenRow(
                    jti=claims.jti, family=claims.family, user_id=claims.user_id, expires_at=claims.expires_at
                )
            )
            await self._session.flush()

    @staticmethod
    def _live(now: datetime) -> tuple[ColumnElement[bool], ...]:
        return (
            RefreshTokenRow.used_at.is_(None),
            RefreshTokenRow.revoked_at.is_(None),
            RefreshTokenRow.expires_at > now,
        )

    async def consume(self, jti: str, now: datetime) -> bool:
        # One conditional UPDATE: of two concurrent uses of one token, exactly one wins.
        statement = (
            update(RefreshTokenRow).where(RefreshTokenRow.jti == jti, *self._live(now)).values(used_at=now)
        )
        with translate_errors():
            result = await self._session.execute(statement)
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def is_live(self, jti: str, now: datetime) -> bool:
        condition = exists().where(RefreshTokenRow.jti == jti, *self._live(now))
        with translate_errors():
            return bool(await self._session.scalar(select(condition)))

    async def family_is_live(self, family: str) -> bool:
        revoked = exists().where(RefreshTokenRow.family == family, RefreshTokenRow.revoked_at.is_not(None))
        with translate_errors():
            return not await self._session.scalar(select(revoked))

    async def revoke_family(self, family: str, now: datetime) -> None:
        await self._revoke(RefreshTokenRow.family == family, now)

    async def revoke_user(self, user_id: int, now: datetime) -> None:
        await self._revoke(RefreshTokenRow.user_id == user_id, now)

    async def _revoke(self, condition: ColumnElement[bool], now: datetime) -> None:
        statement = (
            update(RefreshTokenRow)
            .where(condition, RefreshTokenRow.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        with translate_errors():
            await self._session.execute(statement)

"""Idempotency records in the database (contract §8), with Core statements.

`claim` and `release` run in their own short transaction on their own connection from the engine:
a claim is visible to concurrent requests at once and survives the request's rollback, and a
release happens even when the request's session is unusable. `complete` and `cleanup` run on the
request's session, inside the caller's unit of work: a checkout's recorded answer commits with its
order, or not at all.

A claim is `INSERT … ON CONFLICT DO NOTHING` then a read. A record past its `expires_at` (a lapsed
claim or an expired answer) is taken over with one conditional `UPDATE … WHERE expires_at <= :now`:
of concurrent takers exactly one matches (PostgreSQL re-checks the condition on the row another
transaction just changed; SQLite runs writers one at a time).
"""

import math
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import ColumnElement, Row, Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from avthrift.adapters.sqlalchemy.errors import translate_errors
from avthrift.adapters.sqlalchemy.rows.idempotency import IdempotencyRecordRow
from avthrift.domain.shared.idempotency import (
    Claim,
    Claimed,
    IdempotencyKey,
    IdempotencyStore,
    InFlight,
    Mismatch,
    Replay,
    StoredResponse,
)

RECORDS: Final = cast(Table, IdempotencyRecordRow.__table__)
IN_FLIGHT: Final = "in_flight"
DONE: Final = "done"
# Each round either claims or reads a live record; only a record deleted or taken over between our
# statements sends us round again.
_ATTEMPTS: Final = 3
_READ: Final = select(
    RECORDS.c.fingerprint,
    RECORDS.c.state,
    RECORDS.c.lease_until,
    RECORDS.c.expires_at,
    RECORDS.c.response_status,
    RECORDS.c.response_body,
    RECORDS.c.content_type,
)


def _of(key: IdempotencyKey) -> tuple[ColumnElement[bool], ...]:
    return (
        RECORDS.c.caller == key.caller,
        RECORDS.c.method == key.method,
        RECORDS.c.route == key.route,
        RECORDS.c.key == key.key,
    )


def retry_after(lease_until: datetime, now: datetime) -> int:
    """Whole seconds until `lease_until`, at least 1."""
    return max(1, math.ceil((lease_until - now).total_seconds()))


def _live_answer(row: Row[Any], fingerprint: str, now: datetime) -> Claim:
    if row.fingerprint != fingerprint:
        return Mismatch()
    if row.state == DONE:
        response = StoredResponse(
            status=row.response_status,
            body=bytes(row.response_body or b""),
            content_type=row.content_type or "",
        )
        return Replay(response=response)
    return InFlight(retry_after_seconds=retry_after(row.lease_until, now))


class SqlAlchemyIdempotencyStore(IdempotencyStore):
    def __init__(self, engine: AsyncEngine, session: AsyncSession) -> None:
        self._engine = engine
        self._session = session

    async def claim(
        self, key: IdempotencyKey, fingerprint: str, *, now: datetime, lease_until: datetime
    ) -> Claim:
        with translate_errors():
            async with self._engine.begin() as connection:
                return await self._claim(connection, key, fingerprint, now, lease_until)

    async def _claim(
        self,
        connection: AsyncConnection,
        key: IdempotencyKey,
        fingerprint: str,
        now: datetime,
        lease_until: datetime,
    ) -> Claim:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        insert = (
            dialect.insert(RECORDS)
            .values(
                caller=key.caller,
                method=key.method,
                route=key.route,
                key=key.key,
                fingerprint=fingerprint,
                state=IN_FLIGHT,
                lease_until=lease_until,
                expires_at=lease_until,
            )
            .on_conflict_do_nothing(
                index_elements=[RECORDS.c.caller, RECORDS.c.method, RECORDS.c.route, RECORDS.c.key]
            )
            .returning(RECORDS.c.id)
        )
        take_over = (
            update(RECORDS)
            .where(*_of(key), RECORDS.c.expires_at <= now)
            .values(
                fingerprint=fingerprint,
                state=IN_FLIGHT,
                lease_until=lease_until,
                expires_at=lease_until,
                response_status=None,
                response_body=None,
                content_type=None,
            )
            .returning(RECORDS.c.id)
        )
        for _ in range(_ATTEMPTS):
            if (await connection.execute(insert)).first() is not None:
                return Claimed(lease_until=lease_until)
            row = (await connection.execute(_READ.where(*_of(key)))).first()
            if row is None:
                continue  # deleted since the insert: insert again
            if row.expires_at > now:
                return _live_answer(row, fingerprint, now)
            if (await connection.execute(take_over)).first() is not None:
                return Claimed(lease_until=lease_until)
        # Another request keeps taking the key over between our statements: it is in flight.
        return InFlight(retry_after_seconds=1)

    async def complete(
        self, key: IdempotencyKey, fingerprint: str, response: StoredResponse, *, expires_at: datetime
    ) -> None:
        statement = (
            update(RECORDS)
            .where(*_of(key), RECORDS.c.state == IN_FLIGHT, RECORDS.c.fingerprint == fingerprint)
            .values(
                state=DONE,
                response_status=response.status,
                response_body=response.body,
                content_type=response.content_type,
                expires_at=expires_at,
            )
        )
        with translate_errors():
            connection = await self._session.connection()
            await connection.execute(statement)

    async def release(self, key: IdempotencyKey, fingerprint: str) -> None:
        statement = delete(RECORDS).where(
            *_of(key), RECORDS.c.state == IN_FLIGHT, RECORDS.c.fingerprint == fingerprint
        )
        with translate_errors():
            async with self._engine.begin() as connection:
                await connection.execute(statement)

    async def cleanup(self, now: datetime, *, limit: int) -> int:
        if limit <= 0:
            return 0
        oldest = (
            select(RECORDS.c.id)
            .where(RECORDS.c.expires_at <= now)
            .order_by(RECORDS.c.expires_at)
            .limit(limit)
        )
        # The condition again on the outer statement: a record taken over since the subquery's
        # snapshot lives on (PostgreSQL re-checks it on the changed row).
        statement = delete(RECORDS).where(RECORDS.c.id.in_(oldest), RECORDS.c.expires_at <= now)
        with translate_errors():
            connection = await self._session.connection()
            result = await connection.execute(statement)
        return int(result.rowcount)

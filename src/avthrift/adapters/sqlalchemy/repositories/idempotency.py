"""Idempotency records in the database (contract §8), with Core statements.

`claim` and `release` run in their own short transaction on their own connection from the engine:
a claim is visible to concurrent requests at once and survives the request's rollback, and a
release happens even when the request's session is unusable. `complete` and `cleanup` run on the
request's session, inside the caller's unit of work: a checkout's recorded answer commits with its
order, or not at all.

A claim is `INSERT … ON CONFLICT DO NOTHING` then a read. A record past its `expires_at` (a lapsed
claim or an expired answer) is taken over with one conditional `UPDATE … WHERE expires_at <= :now`:
of concurrent takers exactly one matches (PostgreSQL re-checks the condition on the row another
transaction just changed; SQLite runs writers one at a time). `complete` and `release` match the
claim's `lease_until` as well as its fingerprint: a takeover's is strictly later, so a request
that outlived its lease touches neither its successor's claim nor its answer.
"""

import math
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import Row, Table, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from avthrift.adapters.sqlalchemy.errors import translate_errors
from avthrift.adapters.sqlalchemy.rows.idempotency import IdempotencyRecordRow
from avthrift.domain.shared.idempotency import (
    Claim,
    Claimed,
    IdempotencyKey,
    IdempotencyStore,
    InFlight,
    Mismatch,
    PendingRecord,
    Replay,
    StoredResponse,
)

RECORDS: Final = cast(Table, IdempotencyRecordRow.__table__)
IN_FLIGHT: Final = "in_flight"
DONE: Final = "done"
# Each round either claims or reads a live record; only a record deleted or taken over between our
# statements sends us round again.
_ATTEMPTS: Final = 3

# The statements are built once, with bound parameters (building one costs more than running it).
# Bound parameters of an UPDATE never take a column's name (Core would read it as a SET value).
_LEASE: Final = bindparam("new_lease_until", type_=RECORDS.c.lease_until.type)
_OF_KEY: Final = (
    RECORDS.c.caller == bindparam("of_caller"),
    RECORDS.c.method == bindparam("of_method"),
    RECORDS.c.route == bindparam("of_route"),
    RECORDS.c.key == bindparam("of_key"),
)
# The claim a `PendingRecord` names: still unfinished, same body, same generation (`lease_until`).
_OF_CLAIM: Final = (
    *_OF_KEY,
    RECORDS.c.state == IN_FLIGHT,
    RECORDS.c.fingerprint == bindparam("of_fingerprint"),
    RECORDS.c.lease_until == bindparam("of_lease_until", type_=RECORDS.c.lease_until.type),
)
_READ: Final = select(
    RECORDS.c.fingerprint,
    RECORDS.c.state,
    RECORDS.c.lease_until,
    RECORDS.c.expires_at,
    RECORDS.c.response_status,
    RECORDS.c.response_body,
    RECORDS.c.content_type,
).where(*_OF_KEY)


def _insert(dialect: Any) -> ReturningInsert[tuple[int]]:
    statement: ReturningInsert[tuple[int]] = (
        dialect.insert(RECORDS)
        .values(
            caller=bindparam("of_caller"),
            method=bindparam("of_method"),
            route=bindparam("of_route"),
            key=bindparam("of_key"),
            fingerprint=bindparam("new_fingerprint"),
            state=IN_FLIGHT,
            lease_until=_LEASE,
            expires_at=_LEASE,
        )
        .on_conflict_do_nothing(
            index_elements=[RECORDS.c.caller, RECORDS.c.method, RECORDS.c.route, RECORDS.c.key]
        )
        .returning(RECORDS.c.id)
    )
    return statement


_INSERT: Final = {"postgresql": _insert(postgresql), "sqlite": _insert(sqlite)}
_TAKE_OVER: Final = (
    update(RECORDS)
    .where(*_OF_KEY, RECORDS.c.expires_at <= bindparam("now", type_=RECORDS.c.expires_at.type))
    .values(
        fingerprint=bindparam("new_fingerprint"),
        state=IN_FLIGHT,
        lease_until=_LEASE,
        expires_at=_LEASE,
        response_status=None,
        response_body=None,
        content_type=None,
    )
    .returning(RECORDS.c.id)
)
_COMPLETE: Final = (
    update(RECORDS)
    .where(*_OF_CLAIM)
    .values(
        state=DONE,
        response_status=bindparam("new_status"),
        response_body=bindparam("new_body", type_=RECORDS.c.response_body.type),
        content_type=bindparam("new_content_type"),
        expires_at=bindparam("new_expires_at", type_=RECORDS.c.expires_at.type),
    )
)
_RELEASE: Final = delete(RECORDS).where(*_OF_CLAIM)


def _of(key: IdempotencyKey) -> dict[str, str]:
    return {"of_caller": key.caller, "of_method": key.method, "of_route": key.route, "of_key": key.key}


def _of_claim(record: PendingRecord) -> dict[str, Any]:
    return {
        **_of(record.key),
        "of_fingerprint": record.fingerprint,
        "of_lease_until": record.lease_until,
    }


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

    @property
    def joins_transaction(self) -> bool:
        return True

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
        insert = _INSERT["postgresql" if connection.dialect.name == "postgresql" else "sqlite"]
        of_key = _of(key)
        params = {**of_key, "new_fingerprint": fingerprint, "new_lease_until": lease_until}
        for _ in range(_ATTEMPTS):
            if (await connection.execute(insert, params)).first() is not None:
                return Claimed(lease_until=lease_until)
            row = (await connection.execute(_READ, of_key)).first()
            if row is None:
                continue  # deleted since the insert: insert again
            if row.expires_at > now:
                return _live_answer(row, fingerprint, now)
            if (await connection.execute(_TAKE_OVER, {**params, "now": now})).first() is not None:
                return Claimed(lease_until=lease_until)
        # Another request keeps taking the key over between our statements: it is in flight.
        return InFlight(retry_after_seconds=1)

    async def complete(self, record: PendingRecord, response: StoredResponse) -> None:
        params = {
            **_of_claim(record),
            "new_status": response.status,
            "new_body": response.body,
            "new_content_type": response.content_type,
            "new_expires_at": record.expires_at,
        }
        with translate_errors():
            connection = await self._session.connection()
            await connection.execute(_COMPLETE, params)

    async def release(self, record: PendingRecord) -> None:
        with translate_errors():
            async with self._engine.begin() as connection:
                await connection.execute(_RELEASE, _of_claim(record))

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

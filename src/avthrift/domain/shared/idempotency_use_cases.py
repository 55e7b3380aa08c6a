"""The use cases around `IdempotencyStore` (contract §8): the HTTP layer claims a key before it runs
a request, records the answer (below 500) or releases the key (5xx, crash) afterwards, and
`avthrift idempotency cleanup` deletes expired records."""

import dataclasses
from datetime import timedelta
from typing import Final

from avthrift.domain.shared.idempotency import (
    Claimed,
    IdempotencyInProgressError,
    IdempotencyKey,
    IdempotencyKeyReusedError,
    IdempotencyStore,
    InFlight,
    PendingRecord,
    Replay,
    StoredResponse,
    fingerprint,
)
from avthrift.domain.shared.ports import Clock, UnitOfWork

CLEANUP_BATCH: Final = 500
# A running request usually answers within milliseconds; the lease only bounds a crashed one, so
# the client is told to retry soon rather than when the lease ends.
RETRY_AFTER_CAP_SECONDS: Final = 5


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class IdempotencyPolicy:
    """`ttl`: how long a finished record is replayed (`IDEMPOTENCY_TTL_HOURS`); `lease`: how long a
    claim blocks its key without an answer (`IDEMPOTENCY_LEASE_SECONDS`), the bound on a key left
    behind by a crashed process."""

    ttl: timedelta
    lease: timedelta


class ClaimIdempotencyKey:
    """The first request with a key gets a `PendingRecord` (it runs, then records or releases);
    a repeat of a finished one gets its `Replay`. Raises `IdempotencyInProgressError` while the
    first still runs (retry within `RETRY_AFTER_CAP_SECONDS`), `IdempotencyKeyReusedError` when
    the body differs."""

    def __init__(self, store: IdempotencyStore, clock: Clock, policy: IdempotencyPolicy) -> None:
        self._store, self._clock, self._policy = store, clock, policy

    async def __call__(self, key: IdempotencyKey, body: bytes) -> PendingRecord | Replay:
        now = self._clock.now()
        digest = fingerprint(body)
        claim = await self._store.claim(key, digest, now=now, lease_until=now + self._policy.lease)
        match claim:
            case Claimed(lease_until=lease_until):
                return PendingRecord(
                    key=key, fingerprint=digest, lease_until=lease_until, expires_at=now + self._policy.ttl
                )
            case Replay():
                return claim
            case InFlight(retry_after_seconds=seconds):
                raise IdempotencyInProgressError(min(seconds, RETRY_AFTER_CAP_SECONDS))
            case _:
                raise IdempotencyKeyReusedError


class RecordIdempotentResponse:
    """Stores the answer of a claimed request in its own transaction. A record the request's use case
    already finished (checkout, when the store joins its transaction) stays as it is."""

    def __init__(self, uow: UnitOfWork, store: IdempotencyStore) -> None:
        self._uow, self._store = uow, store

    async def __call__(self, record: PendingRecord, response: StoredResponse) -> None:
        async with self._uow:
            await self._store.complete(record, response)
            await self._uow.commit()


class ReleaseIdempotencyKey:
    """Forgets the claim of a request that failed (5xx or crash), so a retry runs again."""

    def __init__(self, store: IdempotencyStore) -> None:
        self._store = store

    async def __call__(self, record: PendingRecord) -> None:
        await self._store.release(record)


class CleanupIdempotencyRecords:
    """Deletes expired records and lapsed claims in batches, one short transaction each; returns how
    many were deleted."""

    def __init__(self, uow: UnitOfWork, store: IdempotencyStore, clock: Clock) -> None:
        self._uow, self._store, self._clock = uow, store, clock

    async def __call__(self) -> int:
        now = self._clock.now()
        deleted = 0
        while True:
            async with self._uow:
                count = await self._store.cleanup(now, limit=CLEANUP_BATCH)
                await self._uow.commit()
            deleted += count
            if count < CLEANUP_BATCH:
                return deleted

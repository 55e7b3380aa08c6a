"""Idempotency of unsafe requests (contract §8, IETF httpapi idempotency-key draft).

A request that carries an `Idempotency-Key` first *claims* its record: the key together with the
caller, the method and the route, plus a fingerprint of its body. The first claim runs the request;
a later one with the same fingerprint gets the stored response replayed (or `InFlight` while the
first still runs); one with another fingerprint is `Mismatch`. A response below 500 is stored; a
5xx, an exception or a crash leaves no finished record, so a retry runs again: a claim whose lease
ran out without an answer can be claimed anew.
"""

import dataclasses
import hashlib
import re
from datetime import datetime
from typing import Final, Protocol

from avthrift.domain.shared.errors import ConflictError, DomainError, InvalidInputError

MAX_KEY_LENGTH: Final = 255
# "1 to 255 printable ASCII characters" (contract §8): space (0x20) to tilde (0x7E).
_KEY: Final = re.compile(rf"[\x20-\x7e]{{1,{MAX_KEY_LENGTH}}}")


def valid_key(key: str) -> bool:
    """Whether `key` is 1 to 255 printable ASCII characters."""
    return _KEY.fullmatch(key) is not None


class InvalidIdempotencyKeyError(InvalidInputError):
    code = "invalid_idempotency_key"
    default_detail = "Idempotency-Key must be 1 to 255 printable ASCII characters."


class IdempotencyInProgressError(ConflictError):
    """A request with this key and body is still running; retry after `retry_after_seconds`."""

    code = "idempotency_in_progress"
    default_detail = "A request with this Idempotency-Key is still in progress."

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__()
        self.retry_after_seconds = retry_after_seconds


class IdempotencyKeyReusedError(DomainError):
    """The key was used before with another request body (the draft's `422`)."""

    code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was already used with a different request body."


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class IdempotencyKey:
    """Who asked (`user:<id>`, `guest:<session id>` or `anon:<client address>`), how (the method),
    where (the concrete path, without a trailing slash), and the client's key."""

    caller: str
    method: str
    route: str
    key: str


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class StoredResponse:
    status: int
    body: bytes
    content_type: str


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Claimed:
    """This request owns the key until it completes or releases it, or `lease_until` passes."""

    lease_until: datetime


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Replay:
    response: StoredResponse


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class InFlight:
    """Another request with this key and fingerprint is still running; its lease ends within
    `retry_after_seconds` (at least 1)."""

    retry_after_seconds: int


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Mismatch:
    """The key was used with a different request body."""


type Claim = Claimed | Replay | InFlight | Mismatch


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class PendingRecord:
    """A claim this request owns: what `IdempotencyStore.complete` and `release` are handed.

    `lease_until` names the claim's generation: a claim is taken over only once its lease has ended,
    and leases are positive, so the new claim's `lease_until` is strictly later, whatever its body;
    the first owner, holding the old one, can neither finish nor forget the new claim.
    `expires_at` is when the finished record stops being replayed."""

    key: IdempotencyKey
    fingerprint: str
    lease_until: datetime
    expires_at: datetime


def fingerprint(body: bytes) -> str:
    """SHA-256 of the raw request body (an absent body fingerprints as the empty one)."""
    return hashlib.sha256(body).hexdigest()


class IdempotencyStore(Protocol):
    """Records of idempotent requests. Raises `ServiceUnavailableError` when its backing store does
    not answer; never raises for a key it does not know.

    `claim` and `release` are durable on return (their own transaction). `complete` joins the
    caller's unit of work when `joins_transaction` is true (SQL: the stored answer commits with the
    business transaction, so a checkout and its recorded answer commit together); a store that
    cannot join it (Redis) makes it durable on return, so a use case must not call it inside an
    open transaction (rule 11, and a rollback would leave the answer recorded). `complete` and
    `release` touch only the very claim they are handed (same key, fingerprint and `lease_until`,
    still unfinished): a record already finished, or a claim taken over since, stays as it is.

    A finished record past its `expires_at`, and a claim past its `lease_until`, count as absent:
    the next `claim` of the key takes it over, and of concurrent claimers exactly one gets
    `Claimed`. Keys of different callers, methods or routes never see each other's records.
    """

    @property
    def joins_transaction(self) -> bool:
        """Whether `complete` runs in the caller's unit of work (and commits with it)."""
        ...

    async def claim(
        self, key: IdempotencyKey, fingerprint: str, *, now: datetime, lease_until: datetime
    ) -> Claim: ...

    async def complete(self, record: PendingRecord, response: StoredResponse) -> None:
        """Store `response` as the answer of `record`'s claim, replayed until `record.expires_at`."""
        ...

    async def release(self, record: PendingRecord) -> None:
        """Forget `record`'s unfinished claim (the request failed with a 5xx or an exception)."""
        ...

    async def cleanup(self, now: datetime, *, limit: int) -> int:
        """Delete up to `limit` finished records that expired before `now`, and claims whose lease
        ran out; the number deleted. Joins the caller's unit of work where the adapter can (SQL);
        a store that expires records by itself (Redis) deletes nothing and answers 0."""
        ...

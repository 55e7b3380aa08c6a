"""Idempotency records in Redis (contract §8): one hash per caller, method, route and key.

Every step is one Lua script, so it is atomic: of concurrent claimers of a free (or lapsed, or
expired) key exactly one gets `Claimed`; `complete` and `release` touch the record only while it is
still the caller's claim: in flight, same fingerprint, same lease end (a takeover's is strictly
later, so a request that outlived its lease cannot touch its successor's claim). Times are compared
with the caller's `now` (milliseconds since the epoch in the hash), and Redis expires the keys by
itself: a claim when its lease runs out, a finished record `IDEMPOTENCY_TTL_HOURS` after it was
claimed. So `cleanup` has nothing to do and answers 0.

Redis cannot join the database transaction (`joins_transaction` is false): `complete` is durable on
return, so callers record only after their commit. The store holds nothing per request: one is
built for the application (`register_script` once).
"""

import hashlib
import json
import math
from datetime import datetime
from typing import Any, Final

from redis.asyncio import Redis

from avthrift.adapters.redis.errors import translate_errors
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

# KEYS[1] record; ARGV fingerprint, now, lease until (ms since the epoch), lease (ms from now).
_CLAIM: Final = """
local r = redis.call('HMGET', KEYS[1], 'state', 'fp', 'lease', 'exp', 'status', 'ctype', 'body')
local expires = tonumber(r[4])
if r[1] and expires and expires > tonumber(ARGV[2]) then
  if r[2] ~= ARGV[1] then return {'mismatch'} end
  if r[1] == 'done' then return {'replay', r[5], r[6], r[7]} end
  return {'in_flight', r[3]}
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'state', 'in_flight', 'fp', ARGV[1], 'lease', ARGV[3], 'exp', ARGV[3],
           'claimed', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {'claimed'}
"""
# KEYS[1] record; ARGV fingerprint, lease until and expires at (ms since the epoch), status,
# content type, body.
_COMPLETE: Final = """
local r = redis.call('HMGET', KEYS[1], 'state', 'fp', 'claimed', 'lease')
if r[1] ~= 'in_flight' or r[2] ~= ARGV[1] or r[4] ~= ARGV[2] then return 0 end
local ttl = math.floor(tonumber(ARGV[3]) - tonumber(r[3]))
if ttl < 1 then
  redis.call('DEL', KEYS[1])
  return 1
end
redis.call('HSET', KEYS[1], 'state', 'done', 'exp', ARGV[3], 'status', ARGV[4], 'ctype', ARGV[5],
           'body', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
"""
# KEYS[1] record; ARGV fingerprint, lease until (ms since the epoch).
_RELEASE: Final = """
local r = redis.call('HMGET', KEYS[1], 'state', 'fp', 'lease')
if r[1] == 'in_flight' and r[2] == ARGV[1] and r[3] == ARGV[2] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _ms(moment: datetime) -> int:
    return math.floor(moment.timestamp() * 1000)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisIdempotencyStore(IdempotencyStore):
    def __init__(self, redis: Redis, prefix: str = "avthrift:idempotency:") -> None:
        self._claim = redis.register_script(_CLAIM)
        self._complete = redis.register_script(_COMPLETE)
        self._release = redis.register_script(_RELEASE)
        self._prefix = prefix

    @property
    def joins_transaction(self) -> bool:
        return False

    def _key(self, key: IdempotencyKey) -> str:
        # A digest of the four parts, unambiguous whatever characters they hold.
        parts = json.dumps([key.caller, key.method, key.route, key.key])
        return self._prefix + hashlib.sha256(parts.encode()).hexdigest()

    async def claim(
        self, key: IdempotencyKey, fingerprint: str, *, now: datetime, lease_until: datetime
    ) -> Claim:
        now_ms, lease_ms = _ms(now), _ms(lease_until)
        args: list[str | int] = [fingerprint, now_ms, lease_ms, max(1, lease_ms - now_ms)]
        with translate_errors():
            answer = await self._claim(keys=[self._key(key)], args=args)
        match _text(answer[0]):
            case "claimed":
                return Claimed(lease_until=lease_until)
            case "mismatch":
                return Mismatch()
            case "replay":
                status, content_type, body = answer[1:4]
                response = StoredResponse(
                    status=int(status), body=bytes(body), content_type=_text(content_type)
                )
                return Replay(response=response)
            case _:
                return InFlight(retry_after_seconds=max(1, math.ceil((int(answer[1]) - now_ms) / 1000)))

    async def complete(self, record: PendingRecord, response: StoredResponse) -> None:
        args: list[str | int | bytes] = [
            record.fingerprint,
            _ms(record.lease_until),
            _ms(record.expires_at),
            response.status,
            response.content_type,
            response.body,
        ]
        with translate_errors():
            await self._complete(keys=[self._key(record.key)], args=args)

    async def release(self, record: PendingRecord) -> None:
        with translate_errors():
            await self._release(
                keys=[self._key(record.key)], args=[record.fingerprint, _ms(record.lease_until)]
            )

    async def cleanup(self, now: datetime, *, limit: int) -> int:
        """Nothing to delete: Redis expires every record by itself (see the module docstring)."""
        return 0

"""Records of idempotent requests (contract §8): one per caller, method, route and key.

A claim is `in_flight` with `expires_at = lease_until`; a finished record is `done` with the stored
answer and `expires_at` = the time its request claimed the key plus `IDEMPOTENCY_TTL_HOURS` (fixed
at the claim, not at completion). So one condition, `expires_at <= now`, says a record may be taken
over or deleted, in whichever state (`ix_idempotency_records_expires_at` serves both the takeover
and the cleanup).
"""

from datetime import datetime

from advanced_alchemy.base import IdentityAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import CHAR, CheckConstraint, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class IdempotencyRecordRow(IdentityAuditBase):
    __tablename__ = "idempotency_records"
    __table_args__ = (
        CheckConstraint("state IN ('in_flight', 'done')", name="idempotency_record_state_known"),
        CheckConstraint(
            "state = 'in_flight' OR response_status IS NOT NULL", name="idempotency_record_done_has_status"
        ),
        UniqueConstraint("caller", "method", "route", "key", name="uq_idempotency_records_key"),
        Index("ix_idempotency_records_expires_at", "expires_at"),
    )

    caller: Mapped[str] = mapped_column(String(80))
    method: Mapped[str] = mapped_column(String(16))
    route: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(CHAR(64))
    state: Mapped[str] = mapped_column(String(16))
    lease_until: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    content_type: Mapped[str | None] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))

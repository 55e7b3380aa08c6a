"""The orders list's date filters (reference §1.9): `start` and `end` bound `created_at`, both
inclusive. An ISO-8601 date or date-time; a bare date means the start of that day for `start` and its
end for `end`; a date-time without an offset is UTC. Anything else is `400` naming the parameter (the
peer answered 500, §7.2 #16)."""

from datetime import UTC, date, datetime, time

from avthrift.domain.shared.errors import field_error

DATE_FORMAT = (
    "An ISO-8601 date (`2026-01-31`) or date-time (`2026-01-31T12:00:00Z`; UTC when it has no offset)."
)


def created_bound(name: str, raw: str | None, *, end: bool = False) -> datetime | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return datetime.combine(day, time.max if end else time.min, UTC)
    try:
        moment = datetime.fromisoformat(text)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: an offset pushing it past year 1 or 9999
        raise field_error(name, "Enter a valid ISO-8601 date or date-time.") from None

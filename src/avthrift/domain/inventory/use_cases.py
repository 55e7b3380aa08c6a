"""Staff inventory (reference §1.7, contract §6) and the stock jobs of the command line.

Staff read stock rows, movements and holds, create a variant's stock row and record movements;
`avthrift inventory check` verifies the ledger and `avthrift reservations expire` ends lapsed holds.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from avthrift.domain.inventory.model import HoldState, LedgerMismatch, MovementType, movement_problem
from avthrift.domain.inventory.ports import InventoryReader, StockLedger, StockReserver
from avthrift.domain.inventory.read_models import (
    DEFAULT_MOVEMENT_ORDERING,
    DEFAULT_RESERVATION_ORDERING,
    DEFAULT_STOCK_ITEM_ORDERING,
    MOVEMENT_ORDERING_FIELDS,
    RESERVATION_ORDERING_FIELDS,
    STOCK_ITEM_ORDERING_FIELDS,
    Movement,
    MovementQuery,
    Reservation,
    ReservationQuery,
    StockItem,
    StockItemQuery,
)
from avthrift.domain.shared.errors import NotFoundError, field_error
from avthrift.domain.shared.pagination import FIRST_PAGE, Page, PageRequest, parse_ordering
from avthrift.domain.shared.ports import Clock, UnitOfWork

OPENING_STOCK_REASON: Final = "Opening stock"
EXPIRY_BATCH: Final = 500
NUL_MESSAGE: Final = "Null characters are not allowed."


def _utc(moment: datetime | None) -> datetime | None:
    """A filter's time; one without an offset is read as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class ListStockItems:
    def __init__(self, uow: UnitOfWork, reader: InventoryReader) -> None:
        self._uow, self._reader = uow, reader

    async def __call__(
        self,
        *,
        product_id: int | None = None,
        variant_id: int | None = None,
        sku: str | None = None,
        updated_after: datetime | None = None,
        ordering: str | None = None,
        page: PageRequest = FIRST_PAGE,
    ) -> Page[StockItem]:
        query = StockItemQuery(
            product_id=product_id,
            variant_id=variant_id,
            sku=sku or None,
            updated_after=_utc(updated_after),
            ordering=parse_ordering(ordering, STOCK_ITEM_ORDERING_FIELDS, DEFAULT_STOCK_ITEM_ORDERING),
            page=page,
        )
        async with self._uow:
            return await self._reader.stock_items(query)


class ListMovements:
    def __init__(self, uow: UnitOfWork, reader: InventoryReader) -> None:
        self._uow, self._reader = uow, reader

    async def __call__(
        self,
        *,
        stock_item_id: int | None = None,
        movement_type: MovementType | None = None,
        created_after: datetime | None = None,
        ordering: str | None = None,
        page: PageRequest = FIRST_PAGE,
    ) -> Page[Movement]:
        query = MovementQuery(
            stock_item_id=stock_item_id,
            movement_type=movement_type,
            created_after=_utc(created_after),
            ordering=parse_ordering(ordering, MOVEMENT_ORDERING_FIELDS, DEFAULT_MOVEMENT_ORDERING),
            page=page,
        )
        async with self._uow:
            return await self._reader.movements(query)


class ListReservations:
    def __init__(self, uow: UnitOfWork, reader: InventoryReader) -> None:
        self._uow, self._reader = uow, reader

    async def __call__(
        self,
        *,
        variant_id: int | None = None,
        state: HoldState | None = None,
        expires_before: datetime | None = None,
        ordering: str | None = None,
        page: PageRequest = FIRST_PAGE,
    ) -> Page[Reservation]:
        query = ReservationQuery(
            variant_id=variant_id,
            state=state,
            expires_before=_utc(expires_before),
            ordering=parse_ordering(ordering, RESERVATION_ORDERING_FIELDS, DEFAULT_RESERVATION_ORDERING),
            page=page,
        )
        async with self._uow:
            return await self._reader.reservations(query)


class CreateStockItem:
    """Creates a variant's stock row; a positive opening quantity is recorded as an `in` movement."""

    def __init__(self, uow: UnitOfWork, ledger: StockLedger, reader: InventoryReader) -> None:
        self._uow, self._ledger, self._reader = uow, ledger, reader

    async def __call__(self, variant_id: int, quantity: int) -> StockItem:
        """Raises `StockItemExistsError` (`409`) when the variant has one, and a `400` naming
        `variant_id` when there is no such variant."""
        if quantity < 0:
            raise field_error("quantity", "Ensure this value is greater than or equal to 0.")
        async with self._uow:
            try:
                stock_item_id = await self._ledger.create_item(
                    variant_id, quantity, reason=OPENING_STOCK_REASON
                )
            except NotFoundError:
                raise field_error("variant_id", "No variant has this id.") from None
            created = await self._reader.stock_item(stock_item_id)
            if created is None:  # written above, in this transaction: never
                raise NotFoundError
            await self._uow.commit()
        return created


class RecordMovement:
    """Applies a signed movement to a stock row (contract §6)."""

    def __init__(self, uow: UnitOfWork, ledger: StockLedger, reader: InventoryReader) -> None:
        self._uow, self._ledger, self._reader = uow, ledger, reader

    async def __call__(
        self, stock_item_id: int, movement_type: str, quantity: int, *, reason: str, reference: str
    ) -> Movement:
        """`in` is positive, `out` negative, `adjust` not zero (`400` naming `quantity`). Raises
        `StockBelowReservedError` (`409`) when on-hand would fall below what is reserved, and a `400`
        naming `stock_item` when there is no such stock row."""
        problem = movement_problem(movement_type, quantity)
        if problem is not None:
            raise field_error(*problem)
        for name, text in (("reason", reason), ("reference", reference)):
            if "\x00" in text:
                raise field_error(name, NUL_MESSAGE)
        async with self._uow:
            try:
                movement_id = await self._ledger.move(
                    stock_item_id, movement_type, quantity, reason=reason, reference=reference
                )
            except NotFoundError:
                raise field_error("stock_item", "No stock item has this id.") from None
            movement = await self._reader.movement(movement_id)
            if movement is None:  # written above, in this transaction: never
                raise NotFoundError
            await self._uow.commit()
        return movement


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerReport:
    checked: int
    mismatches: tuple[LedgerMismatch, ...]


class CheckLedger:
    """Verifies `on_hand == Σ movements` and `reserved == Σ active holds` for every stock row."""

    def __init__(self, uow: UnitOfWork, ledger: StockLedger, reader: InventoryReader) -> None:
        self._uow, self._ledger, self._reader = uow, ledger, reader

    async def __call__(self) -> LedgerReport:
        async with self._uow:
            checked = await self._reader.stock_item_count()
            mismatches = await self._ledger.mismatches()
        return LedgerReport(checked=checked, mismatches=mismatches)


class ExpireReservations:
    """Releases every hold that had lapsed when the job started, in batches of `batch` holds, each
    batch in its own transaction (short row locks; a failure keeps the batches already done)."""

    def __init__(self, uow: UnitOfWork, reserver: StockReserver, clock: Clock) -> None:
        self._uow, self._reserver, self._clock = uow, reserver, clock

    async def __call__(self, batch: int = EXPIRY_BATCH) -> int:
        """Returns how many holds were released. Stops at the first short batch: holds other
        transactions had locked (they are changing them) are left to the next run."""
        now, total = self._clock.now(), 0
        while True:
            async with self._uow:
                released = await self._reserver.expire(now, batch)
                await self._uow.commit()
            total += released
            if released < batch:
                return total

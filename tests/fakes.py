"""In-memory fakes of the ports, for use-case tests (no mocks)."""

import dataclasses
import math
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import Any, Self, cast

from avthrift.domain.cart.model import (
    Cart,
    CartLine,
    CartOwner,
    CartQuery,
    CartStatus,
    CartSummary,
    CartVariant,
)
from avthrift.domain.cart.ports import CartRepository
from avthrift.domain.catalog.errors import ProtectedError
from avthrift.domain.catalog.model import (
    AttributeFields,
    AttributeValueFields,
    CategoryFields,
    CollectionFields,
    CollectionProductFields,
    MediaFields,
    ProductFields,
    Record,
    VariantFields,
)
from avthrift.domain.catalog.ports import CatalogRecords, DemoCatalogWriter, Ensured
from avthrift.domain.customers.model import Address, AddressFields, AddressQuery, CustomerProfile
from avthrift.domain.customers.ports import AddressRepository, ContactPhones, CustomerProfileRepository
from avthrift.domain.identity.model import NewUser, User
from avthrift.domain.identity.ports import PasswordHasher, RefreshTokenStore, TokenClaims, UserRepository
from avthrift.domain.inventory.errors import (
    InsufficientStockError,
    StockBelowReservedError,
    StockItemExistsError,
)
from avthrift.domain.inventory.model import Hold, HoldState, LedgerMismatch, MovementType, movement_problem
from avthrift.domain.inventory.ports import StockLedger, StockReserver
from avthrift.domain.orders.model import NewOrder, Order, OrderLine, OrderQuery, OrderStatus, order_number
from avthrift.domain.orders.ports import OrderRepository
from avthrift.domain.shared.errors import ConflictError, NotFoundError, field_error
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
from avthrift.domain.shared.pagination import Page, PageRequest, SortKey
from avthrift.domain.shared.ports import Clock, UnitOfWork


class FixedClock(Clock):
    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class FakeUnitOfWork(UnitOfWork):
    """Counts commits and rollbacks; fake repositories read `committed` to decide what persists."""

    def __init__(self) -> None:
        self.commits = 0
        self.rollbacks = 0
        self._committed = False

    async def __aenter__(self) -> Self:
        self._committed = False
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._committed:
            self.rollbacks += 1

    async def commit(self) -> None:
        self.commits += 1
        self._committed = True


class TrackingUnitOfWork(FakeUnitOfWork):
    """Knows whether a transaction is open: for what must happen inside one (an answer recorded with
    its order) or never inside one (a payment gateway, an email)."""

    def __init__(self) -> None:
        super().__init__()
        self.open = False

    async def __aenter__(self) -> Self:
        self.open = True
        await super().__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.open = False
        await super().__aexit__(exc_type, exc, tb)


class FakeUserRepository(UserRepository):
    """Users in a dict, with the SQL adapter's uniqueness rules (case-insensitive username)."""

    def __init__(self) -> None:
        self.rows: dict[int, User] = {}

    async def get(self, user_id: int) -> User | None:
        user = self.rows.get(user_id)
        return None if user is None else replace(user)

    async def by_email(self, email: str) -> User | None:
        return next((replace(u) for u in self.rows.values() if u.email == email), None)

    async def by_phone(self, phone: str) -> User | None:
        return next((replace(u) for u in self.rows.values() if u.phone == phone), None)

    async def username_taken(self, username: str) -> bool:
        return any(u.username.lower() == username.lower() for u in self.rows.values())

    async def email_taken(self, email: str, *, except_user: int | None = None) -> bool:
        return any(email in (u.email, u.pending_email) for u in self.rows.values() if u.id != except_user)

    def _check_unique(self, user: User) -> None:
        for other in self.rows.values():
            if other.id == user.id:
                continue
            if (
                other.username.lower() == user.username.lower()
                or other.email == user.email
                or (user.pending_email is not None and other.pending_email == user.pending_email)
                or (user.phone is not None and other.phone == user.phone)
            ):
                raise ConflictError

    async def add(self, user: NewUser) -> User:
        stored = User(id=len(self.rows) + 1, **{f.name: getattr(user, f.name) for f in fields(user)})
        self._check_unique(stored)
        self.rows[stored.id] = stored
        return replace(stored)

    async def update(self, user: User) -> None:
        self._check_unique(user)
        self.rows[user.id] = replace(user)


class FakeRefreshTokenStore(RefreshTokenStore):
    def __init__(self) -> None:
        self.tokens: dict[str, dict[str, object]] = {}

    async def add(self, claims: TokenClaims) -> None:
        self.tokens[claims.jti] = {"claims": claims, "used": None, "revoked": None}

    def _live(self, jti: str, now: datetime) -> bool:
        token = self.tokens.get(jti)
        if token is None or token["used"] is not None or token["revoked"] is not None:
            return False
        claims = token["claims"]
        assert isinstance(claims, TokenClaims)
        return claims.expires_at > now

    async def consume(self, jti: str, now: datetime) -> bool:
        if not self._live(jti, now):
            return False
        self.tokens[jti]["used"] = now
        return True

    async def is_live(self, jti: str, now: datetime) -> bool:
        return self._live(jti, now)

    async def family_is_live(self, family: str) -> bool:
        return not any(
            t["revoked"] is not None
            for t in self.tokens.values()
            if getattr(t["claims"], "family", None) == family
        )

    async def _revoke(self, predicate: Callable[[TokenClaims], bool], now: datetime) -> None:
        for token in self.tokens.values():
            claims = token["claims"]
            assert isinstance(claims, TokenClaims)
            if predicate(claims) and token["revoked"] is None:
                token["revoked"] = now

    async def revoke_family(self, family: str, now: datetime) -> None:
        await self._revoke(lambda claims: claims.family == family, now)

    async def revoke_user(self, user_id: int, now: datetime) -> None:
        await self._revoke(lambda claims: claims.user_id == user_id, now)


class FakePasswordHasher(PasswordHasher):
    """Reversible and instant; counts verifications so tests can see the dummy one happen."""

    def __init__(self) -> None:
        self.verifications = 0

    async def hash(self, password: str) -> str:
        return f"fake${password}"

    async def verify(self, password: str, password_hash: str) -> bool:
        self.verifications += 1
        return password_hash == f"fake${password}"

    async def verify_dummy(self, password: str) -> None:
        self.verifications += 1


class FakeAddressRepository(AddressRepository):
    """Addresses in a dict, with the SQL adapter's uniqueness, filter, search and ordering rules."""

    def __init__(self) -> None:
        self.rows: dict[int, Address] = {}
        self.updated: dict[int, int] = {}  # address id -> change sequence number (stands for updated_at)
        self._sequence = 0

    def _touch(self, address_id: int) -> None:
        self._sequence += 1
        self.updated[address_id] = self._sequence

    async def get(self, user_id: int, address_id: int) -> Address | None:
        address = self.rows.get(address_id)
        return address if address is not None and address.user_id == user_id else None

    async def search(self, user_id: int, query: AddressQuery) -> Page[Address]:
        def matches(address: Address) -> bool:
            details = address.details
            searched = [details.name, details.addr1, details.city, details.postal_code or ""]
            return (
                address.user_id == user_id
                and all(
                    getattr(query, name) in (None, getattr(details, name))
                    for name in ("city", "state", "country_code")
                )
                and all(any(term.lower() in text.lower() for text in searched) for term in query.search)
            )

        found = [address for address in self.rows.values() if matches(address)]
        for key in reversed(query.ordering):  # stable sorts, last key first
            found.sort(key=lambda address: self._sort_value(address, key.field), reverse=key.descending)
        query.page.check(len(found))
        start = query.page.offset
        return Page(items=tuple(found[start : start + query.page.size]), total=len(found), request=query.page)

    def _sort_value(self, address: Address, field: str) -> tuple[bool, object]:
        value = {"id": address.id, "updated_at": self.updated[address.id]}.get(field)
        if value is None:
            value = getattr(address.details, field)
        return (value is None, value or "")  # NULLs last, as PostgreSQL sorts them ascending

    def _check_unique(self, address: Address) -> None:
        def key(other: Address) -> tuple[object, ...]:
            details = other.details
            return (other.user_id, details.addr1, details.city, details.postal_code, details.country_code)

        if address.details.postal_code is not None and any(
            key(other) == key(address) for other in self.rows.values() if other.id != address.id
        ):
            raise ConflictError

    async def add(self, user_id: int, fields: AddressFields) -> Address:
        address = Address(id=max(self.rows, default=0) + 1, user_id=user_id, details=fields)
        self._check_unique(address)
        self.rows[address.id] = address
        self._touch(address.id)
        return address

    async def update(self, address: Address) -> None:
        self._check_unique(address)
        self.rows[address.id] = address
        self._touch(address.id)

    async def delete(self, user_id: int, address_id: int) -> bool:
        if await self.get(user_id, address_id) is None:
            return False
        del self.rows[address_id]
        return True


class FakeCustomerProfileRepository(CustomerProfileRepository):
    def __init__(self, known_users: set[int] | None = None) -> None:
        self.rows: dict[int, CustomerProfile] = {}  # by user id
        self.known_users = known_users

    async def get_or_create(self, user_id: int) -> CustomerProfile:
        if self.known_users is not None and user_id not in self.known_users:
            raise NotFoundError
        if user_id not in self.rows:
            self.rows[user_id] = CustomerProfile(id=len(self.rows) + 1, user_id=user_id)
        return replace(self.rows[user_id])

    async def update(self, profile: CustomerProfile) -> None:
        self.rows[profile.user_id] = replace(profile)

    async def clear_default(self, user_id: int, address_id: int) -> None:
        profile = self.rows.get(user_id)
        if profile is None:
            return
        if profile.default_shipping_address_id == address_id:
            profile.default_shipping_address_id = None
        if profile.default_billing_address_id == address_id:
            profile.default_billing_address_id = None


class FakeContactPhones(ContactPhones):
    def __init__(self, phones: dict[int, str | None] | None = None) -> None:
        self.phones = phones or {}

    async def of_user(self, user_id: int) -> str | None:
        return self.phones.get(user_id)


# --- catalog: staff records (CatalogRecords) ----------------------------------------------------

_UNIQUE_SETS: dict[type[Any], tuple[tuple[str, ...], ...]] = {
    CategoryFields: (("slug",),),
    ProductFields: (("slug",),),
    VariantFields: (("sku",),),
    CollectionFields: (("slug",),),
    CollectionProductFields: (("collection", "product"),),
    AttributeFields: (("code",),),
    AttributeValueFields: (("attribute", "product"), ("attribute", "variant")),
}
_FOREIGN_KEYS: dict[type[Any], dict[str, type[Any]]] = {
    CategoryFields: {"parent": CategoryFields},
    ProductFields: {"categories": CategoryFields},
    VariantFields: {"product": ProductFields},
    MediaFields: {"product": ProductFields, "variant": VariantFields},
    CollectionProductFields: {"collection": CollectionFields, "product": ProductFields},
    AttributeValueFields: {"attribute": AttributeFields, "product": ProductFields, "variant": VariantFields},
}
# ON DELETE CASCADE: deleting a record of the key deletes the records whose field names it.
_CASCADES: dict[type[Any], tuple[tuple[type[Any], str], ...]] = {
    ProductFields: (
        (VariantFields, "product"),
        (MediaFields, "product"),
        (AttributeValueFields, "product"),
        (CollectionProductFields, "product"),
    ),
    VariantFields: ((MediaFields, "variant"), (AttributeValueFields, "variant")),
    CollectionFields: ((CollectionProductFields, "collection"),),
    AttributeFields: ((AttributeValueFields, "attribute"),),
}


class FakeCatalogRecords(CatalogRecords):
    """Records in dicts, with the constraints and cascades of the catalog tables (rows/catalog.py).
    `ordered_variants` stands for order lines: they restrict the deletion of those variants."""

    def __init__(self) -> None:
        self.tables: dict[type[Any], dict[int, Any]] = {kind: {} for kind in (*_UNIQUE_SETS, MediaFields)}
        self.ordered_variants: set[int] = set()
        self._last_ids = dict.fromkeys(self.tables, 0)

    async def get[F](self, kind: type[F], record_id: int) -> Record[F] | None:
        fields_ = self.tables[kind].get(record_id)
        return None if fields_ is None else Record(id=record_id, fields=fields_)

    async def page[F](
        self, kind: type[F], ordering: tuple[SortKey, ...], request: PageRequest
    ) -> Page[Record[F]]:
        found = [Record(id=record_id, fields=value) for record_id, value in self.tables[kind].items()]
        for key in reversed(ordering):  # stable sorts, last key first; NULLs last ascending
            found.sort(key=lambda record: _sort_value(record, key.field), reverse=key.descending)
        request.check(len(found))
        return Page(
            items=tuple(found[request.offset : request.offset + request.size]),
            total=len(found),
            request=request,
        )

    async def existing(self, kind: type[object], ids: Iterable[int]) -> frozenset[int]:
        return frozenset(record_id for record_id in ids if record_id in self.tables[kind])

    async def taken(self, kind: type[object], values: Mapping[str, object], except_id: int | None) -> bool:
        return any(
            all(getattr(other, name) == value for name, value in values.items())
            for record_id, other in self.tables[kind].items()
            if record_id != except_id
        )

    async def add[F](self, fields: F) -> Record[F]:
        kind, fields = type(fields), _canonical(fields)
        record_id = self._last_ids[kind] + 1
        self._check(record_id, fields)
        self._last_ids[kind] = record_id
        self.tables[kind][record_id] = fields
        return Record(id=record_id, fields=fields)

    async def update[F](self, record: Record[F]) -> None:
        table, fields = self.tables[type(record.fields)], _canonical(record.fields)
        if record.id in table:
            self._check(record.id, fields)
            table[record.id] = fields

    async def delete(self, kind: type[object], record_id: int) -> bool:
        if record_id not in self.tables[kind]:
            return False
        doomed_variants = {record_id} if kind is VariantFields else set()
        if kind is ProductFields:
            doomed_variants = {
                variant for variant, value in self.tables[VariantFields].items() if value.product == record_id
            }
        if doomed_variants & self.ordered_variants:
            raise ProtectedError
        self._delete(kind, record_id)
        return True

    async def lineage(self, category_id: int) -> frozenset[int]:
        seen: set[int] = set()
        current: int | None = category_id
        while current is not None and current not in seen and current in self.tables[CategoryFields]:
            seen.add(current)
            current = self.tables[CategoryFields][current].parent
        return frozenset(seen)

    async def demote_primary_media(self, product: int, variant: int | None, except_id: int | None) -> None:
        media = self.tables[MediaFields]
        for record_id, value in media.items():
            same_scope = (
                value.variant == variant
                if variant is not None
                else (value.product == product and value.variant is None)
            )
            if same_scope and value.is_primary and record_id != except_id:
                media[record_id] = replace(value, is_primary=False)

    def _delete(self, kind: type[Any], record_id: int) -> None:
        del self.tables[kind][record_id]
        for child_kind, field in _CASCADES.get(kind, ()):
            for child_id, child in list(self.tables[child_kind].items()):
                if getattr(child, field) == record_id and child_id in self.tables[child_kind]:
                    self._delete(child_kind, child_id)
        if kind is CategoryFields:  # ON DELETE SET NULL, and the product links cascade
            for table, name in ((CategoryFields, "parent"), (ProductFields, "categories")):
                for other_id, other in self.tables[table].items():
                    value = getattr(other, name)
                    if value == record_id:
                        self.tables[table][other_id] = replace(other, parent=None)
                    elif isinstance(value, tuple) and record_id in value:
                        kept = tuple(item for item in value if item != record_id)
                        self.tables[table][other_id] = replace(other, categories=kept)

    def _check(self, record_id: int, fields: Any) -> None:
        """The table constraints: unique sets (NULLs distinct), foreign keys and CHECKs."""
        kind = type(fields)
        others = {other_id: other for other_id, other in self.tables[kind].items() if other_id != record_id}
        for names in _UNIQUE_SETS.get(kind, ()):
            key = tuple(getattr(fields, name) for name in names)
            if None not in key and any(
                tuple(getattr(o, name) for name in names) == key for o in others.values()
            ):
                raise ConflictError
        for name, target in _FOREIGN_KEYS.get(kind, {}).items():
            value = getattr(fields, name)
            ids = value if isinstance(value, tuple) else () if value is None else (value,)
            if any(item not in self.tables[target] for item in ids):
                raise ConflictError
        if _breaks_check(record_id, fields, others, self.tables[VariantFields]):
            raise ConflictError


def _breaks_check(record_id: int, fields: Any, others: dict[int, Any], variants: dict[int, Any]) -> bool:
    if isinstance(fields, CategoryFields):
        return fields.parent == record_id
    if isinstance(fields, VariantFields):
        return fields.price is not None and fields.price < 0
    if isinstance(fields, AttributeValueFields):
        return (fields.product is None) == (fields.variant is None)
    if isinstance(fields, MediaFields):
        if fields.variant is not None and variants[fields.variant].product != fields.product:
            return True
        return fields.is_primary and any(
            other.is_primary
            and (
                other.variant == fields.variant
                if fields.variant is not None
                else (other.variant is None and other.product == fields.product)
            )
            for other in others.values()
        )
    return False


def _canonical[F](fields: F) -> F:
    if isinstance(fields, ProductFields):
        return cast(F, replace(fields, categories=tuple(sorted(set(fields.categories)))))
    return fields


def _sort_value(record: Record[Any], field: str) -> tuple[bool, Any]:
    value = record.id if field == "id" else getattr(record.fields, field)
    return (value is None, 0 if value is None else value)


class FakeDemoCatalogWriter(DemoCatalogWriter):
    """The demo catalog's rows per table, keyed by natural key, as `(id, fields)`; never overwritten.
    As in SQL, a new stock row with a positive quantity comes with one inbound movement."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[Any, tuple[int, object]]] = {}
        self.movements: list[tuple[int, int, str, str]] = []
        self._last_id = 0

    def _ensure(self, table: str, key: object, fields: object) -> Ensured:
        rows = self.tables.setdefault(table, {})
        if key in rows:
            return Ensured(id=rows[key][0], created=False)
        self._last_id += 1
        rows[key] = (self._last_id, fields)
        return Ensured(id=self._last_id, created=True)

    async def ensure_category(self, fields: CategoryFields) -> Ensured:
        return self._ensure("categories", fields.slug, fields)

    async def ensure_attribute(self, fields: AttributeFields) -> Ensured:
        return self._ensure("attributes", fields.code, fields)

    async def ensure_collection(self, fields: CollectionFields) -> Ensured:
        return self._ensure("collections", fields.slug, fields)

    async def ensure_product(self, fields: ProductFields) -> Ensured:
        return self._ensure("products", fields.slug, fields)

    async def ensure_variant(self, fields: VariantFields) -> Ensured:
        return self._ensure("variants", fields.sku, fields)

    async def ensure_attribute_value(self, fields: AttributeValueFields) -> bool:
        key = (fields.attribute, fields.product, fields.variant)
        return self._ensure("attribute_values", key, fields).created

    async def ensure_media(self, fields: MediaFields) -> bool:
        return self._ensure("media", (fields.product, fields.url), fields).created

    async def ensure_collection_product(self, fields: CollectionProductFields) -> bool:
        return self._ensure("collection_products", (fields.collection, fields.product), fields).created

    async def ensure_stock(self, variant: int, quantity: int, *, reason: str, reference: str) -> bool:
        ensured = self._ensure("stock_items", variant, quantity)
        if ensured.created and quantity > 0:
            self.movements.append((ensured.id, quantity, reason, reference))
        return ensured.created


# --- inventory: StockReserver and StockLedger on one in-memory state ------------------------------


@dataclass(slots=True, kw_only=True)
class FakeStockRow:
    id: int
    variant_id: int
    on_hand: int = 0
    reserved: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class FakeMovement:
    id: int
    stock_item_id: int
    movement_type: str
    quantity: int
    reason: str
    reference: str


@dataclass(slots=True, kw_only=True)
class FakeStock:
    """The three inventory tables in memory, shared by `FakeStockReserver` and `FakeStockLedger`.
    `variants` are the variants that exist (None: any id does); `seed` makes a stock row directly."""

    variants: set[int] | None = None
    items: dict[int, FakeStockRow] = dataclasses.field(default_factory=dict)  # by variant id
    movements: list[FakeMovement] = dataclasses.field(default_factory=list)
    holds: dict[int, Hold] = dataclasses.field(default_factory=dict)
    _last_hold_id: int = 0

    def seed(self, variant_id: int, on_hand: int) -> int:
        """A stock row with `on_hand` units and its opening movement; returns its id."""
        row = FakeStockRow(id=len(self.items) + 1, variant_id=variant_id, on_hand=on_hand)
        self.items[variant_id] = row
        if on_hand:
            self.record(row.id, MovementType.IN, on_hand, "Opening stock", "")
        return row.id

    def record(
        self, stock_item_id: int, movement_type: str, quantity: int, reason: str, reference: str
    ) -> int:
        movement_id = len(self.movements) + 1
        self.movements.append(
            FakeMovement(
                id=movement_id,
                stock_item_id=stock_item_id,
                movement_type=movement_type,
                quantity=quantity,
                reason=reason,
                reference=reference,
            )
        )
        return movement_id

    def new_hold(self, variant_id: int, quantity: int, reference: str, expires_at: datetime) -> Hold:
        self._last_hold_id += 1
        hold = Hold(
            id=self._last_hold_id,
            variant_id=variant_id,
            quantity=quantity,
            reference=reference,
            state=HoldState.ACTIVE,
            expires_at=expires_at,
        )
        self.holds[hold.id] = hold
        return hold

    def end(self, hold: Hold, state: HoldState) -> None:
        self.holds[hold.id] = replace(hold, state=state)
        self.items[hold.variant_id].reserved -= hold.quantity

    def reclaim(self, variant_id: int, now: datetime, *, keep: int | None = None) -> None:
        """Release the variant's lapsed active holds (all but `keep`)."""
        for hold in sorted(self.holds.values(), key=lambda hold: hold.id):
            if (
                hold.variant_id == variant_id
                and hold.id != keep
                and hold.state is HoldState.ACTIVE
                and hold.lapsed(now)
            ):
                self.end(hold, HoldState.RELEASED)

    def free(self, variant_id: int) -> int:
        row = self.items.get(variant_id)
        return 0 if row is None else row.on_hand - row.reserved

    def take(self, variant_id: int, quantity: int, now: datetime, *, keep: int | None = None) -> None:
        """`reserved += quantity` if free, else reclaim lapsed holds and try once more."""
        if variant_id in self.items and self.free(variant_id) < quantity:
            self.reclaim(variant_id, now, keep=keep)
        if variant_id not in self.items or self.free(variant_id) < quantity:
            own = self.holds[keep].quantity if keep is not None else 0
            raise InsufficientStockError(variant_id, self.free(variant_id) + own)
        self.items[variant_id].reserved += quantity


def _positive(quantity: int) -> None:
    if quantity <= 0:
        raise field_error("quantity", "Ensure this value is greater than or equal to 1.")


class FakeStockReserver(StockReserver):
    """`StockReserver` on a `FakeStock`, with the SQL adapter's rules (see the port)."""

    def __init__(self, stock: FakeStock | None = None) -> None:
        self.stock = stock if stock is not None else FakeStock()

    async def hold(
        self, variant_id: int, quantity: int, *, reference: str, expires_at: datetime, now: datetime
    ) -> Hold:
        _positive(quantity)
        self.stock.take(variant_id, quantity, now)
        return self.stock.new_hold(variant_id, quantity, reference, expires_at)

    async def resize(self, hold_id: int, quantity: int, *, expires_at: datetime, now: datetime) -> Hold:
        _positive(quantity)
        hold = self.stock.holds.get(hold_id)
        if hold is None:
            raise NotFoundError
        if hold.state is not HoldState.ACTIVE:
            return await self.hold(
                hold.variant_id, quantity, reference=hold.reference, expires_at=expires_at, now=now
            )
        if quantity > hold.quantity:
            self.stock.take(hold.variant_id, quantity - hold.quantity, now, keep=hold.id)
        else:
            self.stock.items[hold.variant_id].reserved -= hold.quantity - quantity
        resized = replace(hold, quantity=quantity, expires_at=expires_at)
        self.stock.holds[hold.id] = resized
        return resized

    async def renew(self, hold_ids: Collection[int], *, expires_at: datetime, now: datetime) -> None:
        for hold_id in hold_ids:
            hold = self.stock.holds.get(hold_id)
            if hold is not None and hold.holding(now):
                self.stock.holds[hold_id] = replace(hold, expires_at=expires_at)

    async def release(self, hold_ids: Collection[int]) -> None:
        for hold in self._active(hold_ids):
            self.stock.end(hold, HoldState.RELEASED)

    async def lock(self, variant_ids: Collection[int]) -> None:
        """Nothing to lock: the fake runs one use case at a time."""

    async def convert(self, hold_ids: Collection[int], *, reference: str) -> int:
        active = self._active(hold_ids)
        for hold in active:
            self.stock.end(hold, HoldState.CONVERTED)
            row = self.stock.items[hold.variant_id]
            row.on_hand -= hold.quantity
            self.stock.record(row.id, MovementType.OUT, -hold.quantity, "Cart checkout", reference)
        return len(active)

    async def holds(self, hold_ids: Collection[int]) -> Mapping[int, Hold]:
        return {hold_id: self.stock.holds[hold_id] for hold_id in hold_ids if hold_id in self.stock.holds}

    async def expire(self, now: datetime, limit: int) -> int:
        lapsed = sorted(
            (h for h in self.stock.holds.values() if h.state is HoldState.ACTIVE and h.lapsed(now)),
            key=lambda hold: (hold.expires_at, hold.id),
        )[:limit]
        for hold in lapsed:
            self.stock.end(hold, HoldState.RELEASED)
        return len(lapsed)

    async def available(self, variant_ids: Collection[int], now: datetime) -> Mapping[int, int]:
        def lapsed(variant_id: int) -> int:
            return sum(
                hold.quantity
                for hold in self.stock.holds.values()
                if hold.variant_id == variant_id and hold.state is HoldState.ACTIVE and hold.lapsed(now)
            )

        return {
            variant_id: self.stock.free(variant_id) + lapsed(variant_id)
            if variant_id in self.stock.items
            else 0
            for variant_id in variant_ids
        }

    def _active(self, hold_ids: Collection[int]) -> list[Hold]:
        found = (self.stock.holds.get(hold_id) for hold_id in set(hold_ids))
        active = [hold for hold in found if hold is not None and hold.state is HoldState.ACTIVE]
        return sorted(active, key=lambda hold: (hold.variant_id, hold.id))


class FakeStockLedger(StockLedger):
    """`StockLedger` on a `FakeStock` (share it with a `FakeStockReserver`)."""

    def __init__(self, stock: FakeStock | None = None) -> None:
        self.stock = stock if stock is not None else FakeStock()

    async def create_item(self, variant_id: int, quantity: int, *, reason: str) -> int:
        if self.stock.variants is not None and variant_id not in self.stock.variants:
            raise NotFoundError
        if variant_id in self.stock.items:
            raise StockItemExistsError
        if quantity < 0:
            raise field_error("quantity", "Ensure this value is greater than or equal to 0.")
        row = FakeStockRow(id=len(self.stock.items) + 1, variant_id=variant_id, on_hand=quantity)
        self.stock.items[variant_id] = row
        if quantity:
            self.stock.record(row.id, MovementType.IN, quantity, reason, "")
        return row.id

    async def move(
        self, stock_item_id: int, movement_type: str, quantity: int, *, reason: str, reference: str
    ) -> int:
        problem = movement_problem(movement_type, quantity)
        if problem is not None:
            raise field_error(*problem)
        row = next((row for row in self.stock.items.values() if row.id == stock_item_id), None)
        if row is None:
            raise NotFoundError
        if row.on_hand + quantity < row.reserved:
            raise StockBelowReservedError
        row.on_hand += quantity
        return self.stock.record(row.id, movement_type, quantity, reason, reference)

    async def restock(self, quantities: Mapping[int, int], *, reason: str, reference: str) -> None:
        for variant_id in sorted(quantities):
            row = self.stock.items.get(variant_id)
            if row is not None:
                row.on_hand += quantities[variant_id]
                self.stock.record(row.id, MovementType.IN, quantities[variant_id], reason, reference)

    async def mismatches(self) -> tuple[LedgerMismatch, ...]:
        found = []
        for row in sorted(self.stock.items.values(), key=lambda row: row.variant_id):
            moved = sum(m.quantity for m in self.stock.movements if m.stock_item_id == row.id)
            held = sum(
                hold.quantity
                for hold in self.stock.holds.values()
                if hold.variant_id == row.variant_id and hold.state is HoldState.ACTIVE
            )
            if (moved, held) != (row.on_hand, row.reserved):
                found.append(
                    LedgerMismatch(
                        variant_id=row.variant_id,
                        on_hand=row.on_hand,
                        movements_sum=moved,
                        reserved=row.reserved,
                        active_holds_sum=held,
                    )
                )
        return tuple(found)


# --- carts: CartRepository ------------------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class FakeCartRow:
    id: int
    owner: CartOwner
    status: CartStatus
    lines_changed_at: datetime
    created_at: datetime


class FakeCartRepository(CartRepository):
    """Carts and lines in dicts, with the SQL adapter's rules: one active cart per owner, lines in
    id order, deleting a cart deletes its lines. `variants` stands for the catalog; `users` (None:
    any id) for the users table."""

    def __init__(self, variants: Iterable[CartVariant] = (), users: set[int] | None = None) -> None:
        self.carts: dict[int, FakeCartRow] = {}
        self.lines: dict[int, tuple[int, CartLine]] = {}  # line id -> (cart id, line)
        self.variant_rows: dict[int, CartVariant] = {variant.id: variant for variant in variants}
        self.users = users
        self._last_cart_id = 0
        self._last_line_id = 0

    def add_variant(self, variant: CartVariant) -> None:
        self.variant_rows[variant.id] = variant

    def _cart(self, row: FakeCartRow) -> Cart:
        lines = sorted(
            (line for cart_id, line in self.lines.values() if cart_id == row.id), key=lambda line: line.id
        )
        return Cart(
            id=row.id,
            owner=row.owner,
            status=row.status,
            lines=tuple(lines),
            lines_changed_at=row.lines_changed_at,
            created_at=row.created_at,
        )

    def _active_row(self, owner: CartOwner) -> FakeCartRow | None:
        return next(
            (row for row in self.carts.values() if row.owner == owner and row.status is CartStatus.ACTIVE),
            None,
        )

    async def active(self, owner: CartOwner, *, lock: bool = True) -> Cart | None:
        found = self._active_row(owner)
        return None if found is None else self._cart(found)

    async def fetch_or_create(self, owner: CartOwner, *, now: datetime, lock: bool = True) -> Cart:
        found = self._active_row(owner)
        if found is None:
            if owner.user_id is not None and self.users is not None and owner.user_id not in self.users:
                raise ConflictError
            self._last_cart_id += 1
            found = FakeCartRow(
                id=self._last_cart_id,
                owner=owner,
                status=CartStatus.ACTIVE,
                lines_changed_at=now,
                created_at=now,
            )
            self.carts[found.id] = found
        return self._cart(found)

    async def get(self, cart_id: int, *, lock: bool = False) -> Cart | None:
        row = self.carts.get(cart_id)
        return None if row is None else self._cart(row)

    async def variants(self, variant_ids: Collection[int]) -> Mapping[int, CartVariant]:
        return {v: self.variant_rows[v] for v in variant_ids if v in self.variant_rows}

    async def add_line(
        self,
        cart_id: int,
        variant: CartVariant,
        quantity: int,
        unit_price: Decimal,
        reservation_id: int | None,
    ) -> CartLine:
        if any(c == cart_id and line.variant_id == variant.id for c, line in self.lines.values()):
            raise ConflictError
        self._last_line_id += 1
        line = CartLine(
            id=self._last_line_id,
            variant_id=variant.id,
            quantity=quantity,
            unit_price=unit_price,
            reservation_id=reservation_id,
            product_title=variant.product_title,
            variant_sku=variant.sku,
        )
        self.lines[line.id] = (cart_id, line)
        return line

    async def update_line(self, cart_id: int, line: CartLine) -> None:
        if self.lines.get(line.id, (None,))[0] == cart_id:
            self.lines[line.id] = (cart_id, line)

    async def delete_lines(self, cart_id: int, line_ids: Collection[int]) -> None:
        for line_id in line_ids:
            if self.lines.get(line_id, (None,))[0] == cart_id:
                del self.lines[line_id]

    async def mark(
        self, cart_id: int, *, lines_changed_at: datetime, status: CartStatus | None = None
    ) -> None:
        row = self.carts[cart_id]
        row.lines_changed_at = lines_changed_at
        if status is not None:
            row.status = status

    async def delete(self, cart_id: int) -> None:
        self.carts.pop(cart_id, None)
        for line_id in [line_id for line_id, (c, _) in self.lines.items() if c == cart_id]:
            del self.lines[line_id]

    async def search(self, query: CartQuery) -> Page[CartSummary]:
        found = [
            self._cart(row)
            for row in sorted(self.carts.values(), key=lambda row: -row.id)
            if query.status in (None, row.status) and query.user_id in (None, row.owner.user_id)
        ]
        query.page.check(len(found))
        start = query.page.offset
        items = tuple(
            CartSummary(
                id=cart.id,
                owner=cart.owner,
                status=cart.status,
                line_count=len(cart.lines),
                item_count=sum(line.quantity for line in cart.lines),
                subtotal=sum((line.line_total for line in cart.lines), Decimal("0.00")),
                lines_changed_at=cart.lines_changed_at,
                created_at=cart.created_at,
            )
            for cart in found[start : start + query.page.size]
        )
        return Page(items=items, total=len(found), request=query.page)

    async def stale(self, changed_before: datetime, *, after_id: int = 0, limit: int) -> tuple[int, ...]:
        return tuple(
            sorted(
                row.id
                for row in self.carts.values()
                if row.status is CartStatus.ACTIVE
                and row.lines_changed_at < changed_before
                and row.id > after_id
            )[:limit]
        )


# --- orders: OrderRepository ----------------------------------------------------------------------


class FakeOrderRepository(OrderRepository):
    """`OrderRepository` in memory; `clock` stamps `created_at`."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.orders: dict[int, Order] = {}
        self._clock = clock
        self._line_ids = 0

    async def add(self, order: NewOrder) -> Order:
        order_id = len(self.orders) + 1
        lines = []
        for line in order.lines:
            self._line_ids += 1
            lines.append(
                OrderLine(id=self._line_ids, **{f.name: getattr(line, f.name) for f in fields(line)})
            )
        stored = Order(
            id=order_id,
            number=order_number(order_id),
            user_id=order.user_id,
            email=order.email,
            status=OrderStatus.PENDING,
            lines=tuple(lines),
            totals=order.totals,
            created_at=self._clock.now() if self._clock is not None else datetime.now(UTC),
        )
        self.orders[order_id] = stored
        return stored

    async def get(self, order_id: int, *, user_id: int | None = None, lock: bool = False) -> Order | None:
        order = self.orders.get(order_id)
        if order is None or (user_id is not None and order.user_id != user_id):
            return None
        return order

    async def set_status(self, order_id: int, status: OrderStatus, *, now: datetime) -> None:
        self.orders[order_id] = self.orders[order_id].moved(status, now)

    async def search(self, query: OrderQuery) -> Page[Order]:
        found = [
            order
            for order in sorted(self.orders.values(), key=lambda order: -order.id)
            if order.user_id == query.user_id
            and query.status in (None, order.status)
            and query.number in (None, order.number)
            and (query.start is None or order.created_at >= query.start)
            and (query.end is None or order.created_at <= query.end)
        ]
        query.page.check(len(found))
        start = query.page.offset
        return Page(items=tuple(found[start : start + query.page.size]), total=len(found), request=query.page)

    async def pending_before(self, created_before: datetime, *, limit: int) -> tuple[int, ...]:
        pending = sorted(
            (order for order in self.orders.values() if order.status is OrderStatus.PENDING),
            key=lambda order: (order.created_at, order.id),
        )
        return tuple(order.id for order in pending if order.created_at < created_before)[:limit]


# --- idempotency: IdempotencyStore ----------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class FakeIdempotencyRecord:
    fingerprint: str
    lease_until: datetime
    expires_at: datetime  # a claim's is its lease's end
    response: StoredResponse | None = None


class FakeIdempotencyStore(IdempotencyStore):
    """Records in a dict, with the adapters' rules: a record past its `expires_at` counts as absent,
    `complete` and `release` touch only the very claim they are handed (unfinished, same fingerprint
    and lease end). `complete` applies at once, whatever `joins_transaction` says (there is no
    transaction here): the flag only tells use cases which kind of store they talk to, SQL (`True`)
    or Redis (`False`, the default)."""

    def __init__(self, *, joins_transaction: bool = False) -> None:
        self.records: dict[IdempotencyKey, FakeIdempotencyRecord] = {}
        self._joins_transaction = joins_transaction

    @property
    def joins_transaction(self) -> bool:
        return self._joins_transaction

    async def claim(
        self, key: IdempotencyKey, fingerprint: str, *, now: datetime, lease_until: datetime
    ) -> Claim:
        found = self.records.get(key)
        if found is not None and found.expires_at > now:
            if found.fingerprint != fingerprint:
                return Mismatch()
            if found.response is not None:
                return Replay(response=found.response)
            return InFlight(retry_after_seconds=max(1, math.ceil((found.lease_until - now).total_seconds())))
        self.records[key] = FakeIdempotencyRecord(
            fingerprint=fingerprint, lease_until=lease_until, expires_at=lease_until
        )
        return Claimed(lease_until=lease_until)

    def _claim_of(self, record: PendingRecord) -> FakeIdempotencyRecord | None:
        found = self.records.get(record.key)
        if (
            found is None
            or found.response is not None
            or found.fingerprint != record.fingerprint
            or found.lease_until != record.lease_until
        ):
            return None
        return found

    async def complete(self, record: PendingRecord, response: StoredResponse) -> None:
        found = self._claim_of(record)
        if found is not None:
            found.response, found.expires_at = response, record.expires_at

    async def release(self, record: PendingRecord) -> None:
        if self._claim_of(record) is not None:
            del self.records[record.key]

    async def cleanup(self, now: datetime, *, limit: int) -> int:
        expired = sorted(
            (key for key, record in self.records.items() if record.expires_at <= now),
            key=lambda key: self.records[key].expires_at,
        )[: max(0, limit)]
        for key in expired:
            del self.records[key]
        return len(expired)

"""In-memory fakes of the ports, for use-case tests (no mocks)."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self, cast

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
from avthrift.domain.shared.errors import ConflictError, NotFoundError
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

"""Addresses, customer profiles and the account phone, with column selects and Core statements."""

from typing import Any, Final

from sqlalchemy import ColumnElement, Row, and_, delete, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from avthrift.adapters.sqlalchemy.errors import translate_errors
from avthrift.adapters.sqlalchemy.pagination import fetch_page, order_by
from avthrift.adapters.sqlalchemy.rows.customers import AddressRow, CustomerProfileRow
from avthrift.adapters.sqlalchemy.rows.identity import UserRow
from avthrift.domain.customers.model import Address, AddressFields, AddressQuery, CustomerProfile
from avthrift.domain.customers.ports import AddressRepository, ContactPhones, CustomerProfileRepository
from avthrift.domain.shared.errors import ConflictError, NotFoundError
from avthrift.domain.shared.ids import usable_id
from avthrift.domain.shared.pagination import Page

_ADDRESS_FIELDS: Final = ("name", "addr1", "addr2", "city", "state", "postal_code", "country_code", "phone")
_ADDRESS_COLUMNS: Final = (
    AddressRow.id,
    AddressRow.user_id,
    *(getattr(AddressRow, name) for name in _ADDRESS_FIELDS),
)
_ORDERING_COLUMNS: Final[dict[str, QueryableAttribute[Any]]] = {
    "updated_at": AddressRow.updated_at,
    "id": AddressRow.id,
    "city": AddressRow.city,
    "state": AddressRow.state,
}
_SEARCHED: Final = (AddressRow.name, AddressRow.addr1, AddressRow.city, AddressRow.postal_code)
_PROFILE_COLUMNS: Final = (
    CustomerProfileRow.id,
    CustomerProfileRow.user_id,
    CustomerProfileRow.email_opt_in,
    CustomerProfileRow.sms_opt_in,
    CustomerProfileRow.default_shipping_address_id,
    CustomerProfileRow.default_billing_address_id,
)


def _to_address(row: Row[Any]) -> Address:
    mapping = row._mapping
    return Address(
        id=mapping["id"],
        user_id=mapping["user_id"],
        details=AddressFields(**{name: mapping[name] for name in _ADDRESS_FIELDS}),
    )


def _values(fields: AddressFields) -> dict[str, Any]:
    return {name: getattr(fields, name) for name in _ADDRESS_FIELDS}


def _owned(user_id: int, address_id: int) -> ColumnElement[bool]:
    return and_(AddressRow.id == address_id, AddressRow.user_id == user_id)


class SqlAlchemyAddressRepository(AddressRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int, address_id: int) -> Address | None:
        if not usable_id(address_id):
            return None
        statement = select(*_ADDRESS_COLUMNS).where(_owned(user_id, address_id))
        with translate_errors():
            row = (await self._session.execute(statement)).one_or_none()
        return None if row is None else _to_address(row)

    async def search(self, user_id: int, query: AddressQuery) -> Page[Address]:
        conditions: list[ColumnElement[bool]] = [AddressRow.user_id == user_id]
        for name in ("city", "state", "country_code"):
            value = getattr(query, name)
            if value is not None:
                conditions.append(getattr(AddressRow, name) == value)
        conditions.extend(
            or_(*(column.icontains(term, autoescape=True) for column in _SEARCHED)) for term in query.search
        )
        statement = (
            select(*_ADDRESS_COLUMNS)
            .where(*conditions)
            .order_by(*order_by(_ORDERING_COLUMNS, query.ordering))
        )
        return await fetch_page(self._session, statement, query.page, _to_address)

    async def add(self, user_id: int, fields: AddressFields) -> Address:
        statement = insert(AddressRow).values(user_id=user_id, **_values(fields)).returning(AddressRow.id)
        with translate_errors():
            address_id = (await self._session.execute(statement)).scalar_one()
        return Address(id=address_id, user_id=user_id, details=fields)

    async def update(self, address: Address) -> None:
        statement = (
            update(AddressRow).where(_owned(address.user_id, address.id)).values(**_values(address.details))
        )
        with translate_errors():
            await self._session.execute(statement)

    async def delete(self, user_id: int, address_id: int) -> bool:
        if not usable_id(address_id):
            return False
        with translate_errors():
            result = await self._session.execute(delete(AddressRow).where(_owned(user_id, address_id)))
        return bool(result.rowcount)  # type: ignore[attr-defined]


class SqlAlchemyCustomerProfileRepository(CustomerProfileRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _find(self, user_id: int) -> CustomerProfile | None:
        statement = select(*_PROFILE_COLUMNS).where(CustomerProfileRow.user_id == user_id)
        with translate_errors():
            row = (await self._session.execute(statement)).one_or_none()
        return None if row is None else CustomerProfile(**row._asdict())

    async def get_or_create(self, user_id: int) -> CustomerProfile:
        profile = await self._find(user_id)
        if profile is not None:
            return profile
        # INSERT … ON CONFLICT DO NOTHING: a concurrent first read inserts the same row at most once
        # and neither fails; both then read the row that won.
        dialect = postgresql if self._session.get_bind().dialect.name == "postgresql" else sqlite
        statement = (
            dialect.insert(CustomerProfileRow)
            .values(user_id=user_id, email_opt_in=False, sms_opt_in=False)
            .on_conflict_do_nothing(index_elements=[CustomerProfileRow.user_id])
        )
        try:
            with translate_errors():
                await self._session.execute(statement)
        except ConflictError:  # the foreign key: no such user
            raise NotFoundError from None
        profile = await self._find(user_id)
        if profile is None:
            raise NotFoundError
        return profile

    async def update(self, profile: CustomerProfile) -> None:
        statement = (
            update(CustomerProfileRow)
            .where(CustomerProfileRow.id == profile.id, CustomerProfileRow.user_id == profile.user_id)
            .values(
                email_opt_in=profile.email_opt_in,
                sms_opt_in=profile.sms_opt_in,
                default_shipping_address_id=profile.default_shipping_address_id,
                default_billing_address_id=profile.default_billing_address_id,
            )
        )
        with translate_errors():
            await self._session.execute(statement)

    async def clear_default(self, user_id: int, address_id: int) -> None:
        if not usable_id(address_id):
            return
        for column in ("default_shipping_address_id", "default_billing_address_id"):
            statement = (
                update(CustomerProfileRow)
                .where(
                    CustomerProfileRow.user_id == user_id, getattr(CustomerProfileRow, column) == address_id
                )
                .values({column: None})
            )
            with translate_errors():
                await self._session.execute(statement)


class SqlAlchemyContactPhones(ContactPhones):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_user(self, user_id: int) -> str | None:
        with translate_errors():
            phone: str | None = await self._session.scalar(select(UserRow.phone).where(UserRow.id == user_id))
        return phone

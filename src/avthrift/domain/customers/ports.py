"""Ports of the customers context. Every method runs inside the caller's unit of work."""

from typing import Protocol

from avthrift.domain.customers.model import Address, AddressFields, AddressQuery, CustomerProfile
from avthrift.domain.shared.pagination import Page


class AddressRepository(Protocol):
    """The addresses of each user. A user only ever reaches their own: every lookup takes the owner,
    and an address of someone else looks exactly like one that does not exist."""

    async def get(self, user_id: int, address_id: int) -> Address | None:
        """The user's address, or `None` when it does not exist or belongs to another user."""
        ...

    async def search(self, user_id: int, query: AddressQuery) -> Page[Address]:
        """One page of the user's addresses; raises `InvalidPageError` past the last page."""
        ...

    async def add(self, user_id: int, fields: AddressFields) -> Address:
        """Store a new address; raises `ConflictError` when the user already has one with the same
        addr1, city, postal code and country (a null postal code never collides)."""
        ...

    async def update(self, address: Address) -> None:
        """Write every field back; raises `ConflictError` like `add`."""
        ...

    async def delete(self, user_id: int, address_id: int) -> bool:
        """Delete the user's address; `False` when the user has no such address."""
        ...


class CustomerProfileRepository(Protocol):
    """At most one profile per user, created on first use."""

    async def get_or_create(self, user_id: int) -> CustomerProfile:
        """The user's profile, created with defaults when missing. Safe under concurrency: of two
        simultaneous first calls, both get the one row (never a `ConflictError`). Raises
        `NotFoundError` when the user does not exist."""
        ...

    async def update(self, profile: CustomerProfile) -> None:
        """Write every field back; the default address ids must be addresses of the same user
        (the caller checks)."""
        ...

    async def clear_default(self, user_id: int, address_id: int) -> None:
        """Unset the user's default shipping and billing address where they are `address_id`."""
        ...


class ContactPhones(Protocol):
    """The phone on a user's account, the fallback contact of their addresses."""

    async def of_user(self, user_id: int) -> str | None:
        """The account's phone; `None` when it has none or the user does not exist."""
        ...

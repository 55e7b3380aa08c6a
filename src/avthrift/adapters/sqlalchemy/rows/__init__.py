"""Table definitions (`*Row` classes). Rows never leave `adapters/sqlalchemy`: repositories map them
to domain objects. Every row module is imported here so Alembic's autogenerate sees its tables."""

from advanced_alchemy.base import metadata_registry

from avthrift.adapters.sqlalchemy.rows import (
    carts,
    catalog,
    customers,
    idempotency,
    identity,
    inventory,
    orders,
)

metadata = metadata_registry.get(None)

__all__ = ["carts", "catalog", "customers", "idempotency", "identity", "inventory", "metadata", "orders"]

"""Table definitions (`*Row` classes). Rows never leave this package: repositories map them to
domain objects. Every row class must be imported here so Alembic's autogenerate sees it."""

from advanced_alchemy.base import metadata_registry

metadata = metadata_registry.get(None)

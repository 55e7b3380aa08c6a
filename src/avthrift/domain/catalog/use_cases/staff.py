"""Staff management of the catalog (reference §1.6, contract §5): the same five use cases serve
every resource of `catalog/staff.py`, which supplies the resource's rules.

Every refusal is a domain error naming the field where there is one; a write that a database
constraint refuses after the checks passed (two writers racing) is reported like the check would
have reported it, and changes nothing.
"""

import dataclasses
from collections.abc import Mapping
from typing import Any, cast

from avthrift.domain.catalog.errors import ProtectedError, RecordNotFoundError
from avthrift.domain.catalog.model import Record
from avthrift.domain.catalog.ports import CatalogRecords
from avthrift.domain.catalog.staff import Resource
from avthrift.domain.shared.errors import ConflictError
from avthrift.domain.shared.pagination import FIRST_PAGE, Page, PageRequest, parse_ordering
from avthrift.domain.shared.ports import UnitOfWork


async def _store[F](
    records: CatalogRecords, resource: Resource[F], fields: F, record_id: int | None
) -> Record[F]:
    """Validate and write `fields` (a new record when `record_id` is `None`)."""
    await resource.validate(records, fields, record_id)
    if resource.before_write is not None:
        await resource.before_write(records, fields, record_id)
    try:
        if record_id is None:
            return await records.add(fields)
        record = Record(id=record_id, fields=fields)
        await records.update(record)
    except ConflictError as error:
        race = resource.race_error(fields)
        if race is None:
            raise
        raise race from error
    return record


class ListRecords:
    def __init__(self, uow: UnitOfWork, records: CatalogRecords) -> None:
        self._uow, self._records = uow, records

    async def __call__[F](
        self, resource: Resource[F], *, ordering: str | None = None, page: PageRequest = FIRST_PAGE
    ) -> Page[Record[F]]:
        """`ordering` over `resource.ordering_fields` (`-` descends; unknown fields are ignored)."""
        keys = parse_ordering(ordering, resource.ordering_fields, resource.default_ordering)
        async with self._uow:
            return await self._records.page(resource.kind, keys, page)


class GetRecord:
    def __init__(self, uow: UnitOfWork, records: CatalogRecords) -> None:
        self._uow, self._records = uow, records

    async def __call__[F](self, resource: Resource[F], record_id: int) -> Record[F]:
        async with self._uow:
            record = await self._records.get(resource.kind, record_id)
        if record is None:
            raise RecordNotFoundError(resource.model)
        return record


class CreateRecord:
    def __init__(self, uow: UnitOfWork, records: CatalogRecords) -> None:
        self._uow, self._records = uow, records

    async def __call__[F](self, resource: Resource[F], fields: F) -> Record[F]:
        fields = resource.clean(fields)
        async with self._uow:
            record = await _store(self._records, resource, fields, None)
            await self._uow.commit()
        return record


class UpdateRecord:
    """Replaces the fields `changes` names (PUT and PATCH alike: PUT's required fields are the
    HTTP layer's business); the merged record must pass every rule, as on create."""

    def __init__(self, uow: UnitOfWork, records: CatalogRecords) -> None:
        self._uow, self._records = uow, records

    async def __call__[F](
        self, resource: Resource[F], record_id: int, changes: Mapping[str, Any]
    ) -> Record[F]:
        async with self._uow:
            current = await self._records.get(resource.kind, record_id)
            if current is None:
                raise RecordNotFoundError(resource.model)
            fields = resource.clean(cast(F, dataclasses.replace(cast(Any, current.fields), **changes)))
            record = await _store(self._records, resource, fields, record_id)
            await self._uow.commit()
        return record


class DeleteRecord:
    """Deletes with the store's cascades; refused (`ProtectedError`) while orders reference it."""

    def __init__(self, uow: UnitOfWork, records: CatalogRecords) -> None:
        self._uow, self._records = uow, records

    async def __call__[F](self, resource: Resource[F], record_id: int) -> None:
        async with self._uow:
            try:
                deleted = await self._records.delete(resource.kind, record_id)
            except ProtectedError as error:
                detail = f"This {resource.verbose_name} cannot be deleted: it is referenced by orders."
                raise ProtectedError(detail) from error
            if not deleted:
                raise RecordNotFoundError(resource.model)
            await self._uow.commit()

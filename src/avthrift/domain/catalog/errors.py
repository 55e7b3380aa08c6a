"""Errors of the catalog's staff side (reference §1.6, contract §5): every refused write is one of
these, never a database error."""

from avthrift.domain.shared.errors import ConflictError, InvalidInputError, NotFoundError


class RecordNotFoundError(NotFoundError):
    """No record of this kind has the id (DRF's generic detail lookup message)."""

    def __init__(self, model: str) -> None:
        super().__init__(f"No {model} matches the given query.")


class UnknownReferenceError(InvalidInputError):
    """A field names a record that does not exist."""

    code = "does_not_exist"

    def __init__(self, field: str, record_id: int) -> None:
        reason = f'Invalid pk "{record_id}" - object does not exist.'
        super().__init__(reason, invalid_params=[{"name": field, "reason": reason}])


class TakenError(ConflictError):
    """Another record already has these unique values; `fields` are the ones named to the client."""

    code = "taken"

    def __init__(self, message: str, fields: tuple[str, ...]) -> None:
        super().__init__(message, invalid_params=[{"name": field, "reason": message} for field in fields])


class SlugTakenError(TakenError):
    code = "slug_taken"


class SkuTakenError(TakenError):
    code = "sku_taken"


class CodeTakenError(TakenError):
    code = "code_taken"


class PairTakenError(TakenError):
    """A link or value that exists already (collection and product, attribute and owner)."""

    code = "pair_taken"


class ProtectedError(ConflictError):
    """The record (or a record its deletion would cascade to) is referenced by orders."""

    code = "protected"
    default_detail = "This record cannot be deleted: it is referenced by orders."

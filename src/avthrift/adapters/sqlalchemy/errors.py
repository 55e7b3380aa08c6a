"""Translation of driver exceptions into domain errors (architecture rule 2)."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc

from avthrift.domain.shared.errors import ConflictError, InvalidInputError, ServiceUnavailableError


def _sqlstate(error: exc.DBAPIError) -> str:
    return str(getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None) or "")


@contextmanager
def translate_errors() -> Iterator[None]:
    """Re-raise SQLAlchemy and driver errors as domain errors: constraint violations as
    `ConflictError`, values the database cannot store (SQLSTATE class 22: NUL bytes, overflow)
    as `InvalidInputError`, connection trouble as `ServiceUnavailableError`."""
    try:
        yield
    except exc.IntegrityError as error:
        raise ConflictError("The change conflicts with existing data.") from error
    except exc.DBAPIError as error:
        if isinstance(error, exc.DataError) or _sqlstate(error).startswith("22"):
            raise InvalidInputError("The request contains a value that cannot be stored.") from error
        if isinstance(error, exc.OperationalError | exc.InterfaceError):
            raise ServiceUnavailableError("The database is unavailable.") from error
        raise
    except (exc.TimeoutError, OSError) as error:
        raise ServiceUnavailableError("The database is unavailable.") from error

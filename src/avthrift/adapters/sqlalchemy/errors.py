"""Translation of driver exceptions into domain errors (architecture rule 2)."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc

from avthrift.domain.shared.errors import ConflictError, ServiceUnavailableError


@contextmanager
def translate_errors() -> Iterator[None]:
    """Re-raise SQLAlchemy and driver errors as `ConflictError` / `ServiceUnavailableError`."""
    try:
        yield
    except exc.IntegrityError as error:
        raise ConflictError("The change conflicts with existing data.") from error
    except (exc.OperationalError, exc.InterfaceError, exc.TimeoutError, OSError) as error:
        raise ServiceUnavailableError("The database is unavailable.") from error

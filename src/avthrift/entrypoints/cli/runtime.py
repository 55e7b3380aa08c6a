"""What every command shares: settings, the container, and turning failures into one line."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

from avthrift.config import ConfigError
from avthrift.domain.shared.errors import DomainError


class CommandError(Exception):
    """A command failed in a way the user can act on; the message is printed as one line."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def fail(message: str, exit_code: int = 1) -> NoReturn:
    print(f"avthrift: error: {message}", file=sys.stderr)
    raise SystemExit(exit_code)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Print expected failures as `avthrift: error: …` and exit non-zero, without a traceback."""
    try:
        yield
    except ConfigError as error:
        fail(str(error), 2)
    except CommandError as error:
        fail(str(error), error.exit_code)
    except DomainError as error:
        fail(error.detail)

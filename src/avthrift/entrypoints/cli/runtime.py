"""What every command shares: settings, the container, and turning failures into one line."""

import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import NoReturn

from dishka import AsyncContainer

from avthrift.bootstrap import make_container
from avthrift.config import ConfigError, load_settings
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


@asynccontextmanager
async def app_container() -> AsyncIterator[AsyncContainer]:
    """The application's container, built from the environment, closed when the command ends."""
    container = make_container(load_settings())
    try:
        yield container
    finally:
        await container.close()

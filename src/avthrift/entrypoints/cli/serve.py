import asyncio

from granian import Granian
from granian.constants import Interfaces, Loops

from avthrift.config import load_settings
from avthrift.entrypoints.cli.db import schema_migrator
from avthrift.entrypoints.cli.runtime import CommandError
from avthrift.entrypoints.logging import configure_logging

APP_FACTORY = "avthrift.entrypoints.http.app:create_app"

# Granian's own lines go through the root handler set up by `configure_logging` (JSON in prod).
GRANIAN_LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {
        "_granian": {"handlers": [], "propagate": True},
        "granian.access": {"handlers": [], "propagate": True},
    },
}


async def _upgrade_schema() -> None:
    await asyncio.to_thread((await schema_migrator()).upgrade)


def serve(*, host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the HTTP API with Granian.

    In the dev profile on SQLite the schema is brought up to date first.

    Parameters
    ----------
    host
        Address to listen on.
    port
        TCP port to listen on.
    workers
        Number of worker processes.
    """
    if not 0 < port < 65536:  # noqa: PLR2004
        raise CommandError(f"--port must be between 1 and 65535, got {port}", 2)
    if workers < 1:
        raise CommandError(f"--workers must be at least 1, got {workers}", 2)
    settings = load_settings()  # validate before any worker starts
    configure_logging(settings.log_level, settings.log_format)
    if settings.profile == "dev" and settings.database.is_sqlite:
        asyncio.run(_upgrade_schema())
    Granian(
        APP_FACTORY,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        loop=Loops.uvloop,
        factory=True,
        log_access=False,  # the app writes its own access line, with the request id
        log_dictconfig=GRANIAN_LOGGING,
    ).serve()

"""Placeholder: filled in by the catalog work (issue 4)."""

from litestar.types import ControllerRouterHandler

HANDLERS: tuple[ControllerRouterHandler, ...] = ()

from typing import Literal

import msgspec

type CheckState = Literal["ok", "unavailable"]


class Liveness(msgspec.Struct, frozen=True, kw_only=True):
    status: Literal["ok"]


class Readiness(msgspec.Struct, frozen=True, kw_only=True):
    status: CheckState
    checks: dict[str, CheckState] = msgspec.field(default_factory=dict)

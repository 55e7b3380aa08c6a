import asyncio

from dishka import FromDishka
from litestar import Controller, Response, get
from litestar.openapi import ResponseSpec

from avthrift.domain.shared.ports import ServiceProbes
from avthrift.entrypoints.http.health.schemas import CheckState, Liveness, Readiness
from avthrift.entrypoints.http.problems import problem_responses
from avthrift.entrypoints.http.rate_limit import RATE_SCOPE


class HealthController(Controller):
    path = "/health"
    tags = ["health"]  # noqa: RUF012 - Litestar reads it as a class attribute
    opt = {RATE_SCOPE: "health"}  # noqa: RUF012

    @get("/", summary="Liveness", responses=problem_responses(429))
    async def live(self) -> Liveness:
        """Answers while the process runs; touches no backing service."""
        return Liveness(status="ok")

    @get(
        "/ready",
        summary="Readiness",
        responses=problem_responses(429) | {503: ResponseSpec(Readiness, description="A check failed")},
    )
    async def ready(self, probes: FromDishka[ServiceProbes]) -> Response[Readiness]:
        """`200` when the database (and Redis, when configured) answer; `503` naming the failed check."""
        results = await asyncio.gather(*(probe.is_up() for probe in probes))
        checks: dict[str, CheckState] = {
            probe.name: ("ok" if up else "unavailable") for probe, up in zip(probes, results, strict=True)
        }
        ok = all(results)
        status: CheckState = "ok" if ok else "unavailable"
        return Response(Readiness(status=status, checks=checks), status_code=200 if ok else 503)

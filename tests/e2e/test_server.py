"""`avthrift serve` as operators run it: real processes, real sockets, real PostgreSQL and Redis."""

import json
import re
import time

import pytest

from tests.e2e.conftest import RunServe, StartServer

pytestmark = pytest.mark.e2e

PROD_SECRET_KEY = "e2e-" + "k" * 36  # 40 characters


def remaining(rate_limit_header: str) -> int:
    match = re.search(r";\s*r=(\d+)", rate_limit_header)
    assert match is not None, rate_limit_header
    return int(match[1])


def test_first_run_in_dev_serves_on_sqlite_without_any_configuration(start_server: StartServer) -> None:
    server = start_server({})

    live = server.get("/health/")
    ready = server.get("/health/ready/")

    assert live.status_code == 200
    assert live.json() == {"status": "ok"}
    assert live.headers["X-Request-Id"]
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert (server.cwd / "db.sqlite3").is_file()  # migrated on start, in the working directory


def test_rate_limit_is_shared_by_servers_through_redis(
    start_server: StartServer, postgres_database: str, redis_url: str
) -> None:
    env = {
        "AVTHRIFT_ENV": "test",
        "DATABASE_URL": postgres_database,
        "REDIS_URL": redis_url,
        "THROTTLE_RATES": "health=5/min",
    }
    a = start_server(env, wait=False)
    b = start_server(env, wait=False)
    for server in (a, b):  # polling another scope leaves the `health` counter untouched
        server.wait_until_ready("/api/schema/")

    responses = [server.get("/health/") for server in (a, b, a, b, a, b)]

    assert [response.status_code for response in responses] == [200, 200, 200, 200, 200, 429]
    assert [remaining(response.headers["RateLimit"]) for response in responses[:5]] == [4, 3, 2, 1, 0]
    assert all(response.headers["RateLimit-Policy"] == '"health";q=5;w=60' for response in responses)
    throttled = responses[-1]
    assert throttled.headers["Content-Type"].startswith("application/problem+json")
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60
    assert remaining(throttled.headers["RateLimit"]) == 0
    problem = throttled.json()
    assert problem["status"] == 429
    assert problem["code"] == "throttled"


def test_prod_logs_one_json_line_per_request(
    start_server: StartServer, postgres_database: str, redis_url: str
) -> None:
    server = start_server(
        {
            "AVTHRIFT_ENV": "prod",
            "DATABASE_URL": postgres_database,
            "REDIS_URL": redis_url,
            "SECRET_KEY": PROD_SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
        }
    )

    response = server.get("/health/", headers={"X-Request-Id": "e2e-check-123"})
    assert response.status_code == 200
    assert response.headers["X-Request-Id"] == "e2e-check-123"

    deadline = time.monotonic() + 5
    while True:
        complete_lines = server.stderr().split("\n")[:-1]
        entries = [json.loads(line) for line in complete_lines if line.strip()]  # every line is JSON
        matching = [entry for entry in entries if entry.get("request_id") == "e2e-check-123"]
        if matching or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(matching) == 1, server.stderr()
    entry = matching[0]
    assert entry["event"] == "request"
    assert entry["route"] == "/health"
    assert entry["status"] == 200
    assert "user_id" in entry
    assert isinstance(entry["latency_ms"], int | float)
    assert not isinstance(entry["latency_ms"], bool)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DATABASE_ENGINE": "postgres", "DATABASE_PORT": "abc"}, "DATABASE_PORT"),
        ({"THROTTLE_RATES": "nope=1/min"}, "THROTTLE_RATES"),
    ],
    ids=["database-port", "throttle-scope"],
)
def test_bad_setting_stops_serve_with_one_line(
    run_serve: RunServe, env: dict[str, str], variable: str
) -> None:
    started = time.monotonic()
    result = run_serve(env)
    elapsed = time.monotonic() - started

    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert elapsed < 15  # generous: the test machine may be busy

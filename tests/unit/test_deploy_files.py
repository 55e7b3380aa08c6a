"""The deployment files agree with the code they deploy.

No container engine runs here, so the Containerfile, compose.yaml, the ignore files and .env.example
are parsed and checked against the CLI, the settings loader and the Host check they rely on.
"""

import ast
import fnmatch
import json
import re
import shlex
import urllib.request
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import pytest
import yaml

from avthrift.config import DEFAULT_THROTTLE_RATES, ConfigError, load_settings, normalise_database_url
from avthrift.entrypoints.cli.app import app as cli_app
from avthrift.entrypoints.http.request_context import _host_allowed

ROOT = Path(__file__).resolve().parents[2]
CONTAINERFILE = ROOT / "Containerfile"
COMPOSE_FILE = ROOT / "compose.yaml"
ENV_EXAMPLE = ROOT / ".env.example"
CONFIG_SOURCE = ROOT / "src" / "avthrift" / "config.py"

ENV_READERS = frozenset({"text", "integer", "number", "boolean", "csv", "choice", "is_set"})
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - the container must listen beyond its loopback
HEALTH_URL = "http://127.0.0.1:8000/health/"
VARIABLE_LINE = re.compile(r"^(?:#\s?)?([A-Z][A-Z0-9_]*)=(.*)$")
PROD_SECRETS = {"SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "localhost"}


# ---- Containerfile ------------------------------------------------------------------------------------


class Instruction(NamedTuple):
    keyword: str
    args: str


def _instructions(text: str) -> list[Instruction]:
    """Logical instructions: comments dropped, backslash continuations joined."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip()))
        pending = ""
    assert not pending, "the Containerfile ends inside a line continuation"
    return instructions


def _stages() -> list[list[Instruction]]:
    stages: list[list[Instruction]] = []
    for instruction in _instructions(CONTAINERFILE.read_text()):
        if instruction.keyword == "FROM":
            stages.append([])
        assert stages, f"{instruction.keyword} before the first FROM"
        stages[-1].append(instruction)
    return stages


def _args(stage: list[Instruction], keyword: str) -> list[str]:
    return [instruction.args for instruction in stage if instruction.keyword == keyword]


def _env(stage: list[Instruction]) -> dict[str, str]:
    values: dict[str, str] = {}
    for args in _args(stage, "ENV"):
        for token in shlex.split(args):
            name, sep, value = token.partition("=")
            assert sep, f"ENV {args!r}: use the NAME=value form"
            values[name] = value
    return values


def _stage_name(stage: list[Instruction]) -> str:
    parts = stage[0].args.split()
    return parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else ""


def _exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list), f"expected the JSON exec form, got {args!r}"
    assert all(isinstance(item, str) for item in value)
    return value


def _containerfile_health_probe() -> str:
    (healthcheck,) = _args(_stages()[-1], "HEALTHCHECK")
    _options, sep, command = healthcheck.partition("CMD ")
    assert sep, f"HEALTHCHECK without CMD: {healthcheck!r}"
    argv = _exec_form(command)
    assert argv[:2] == ["python", "-c"]
    return argv[2]


def test_containerfile_builds_in_stages_from_python_313_slim() -> None:
    stages = _stages()

    assert len(stages) >= 2
    assert all(stage[0].args.split()[0] == "python:3.13-slim" for stage in stages)
    builder, runtime = stages[0], stages[-1]
    assert any("ghcr.io/astral-sh/uv" in args for args in _args(builder, "COPY"))
    assert not any("astral-sh/uv" in args for args in _args(runtime, "COPY")), "no uv in the runtime image"


def test_builder_syncs_the_lockfile_dependencies_first_then_the_project() -> None:
    builder = _stages()[0]
    syncs = [i for i, step in enumerate(builder) if step.keyword == "RUN" and "uv sync" in step.args]
    copy_src = [i for i, step in enumerate(builder) if step.keyword == "COPY" and "src" in step.args.split()]

    assert len(syncs) >= 2
    assert all("uv sync --locked" in builder[i].args and "--no-dev" in builder[i].args for i in syncs)
    assert "--no-install-project" in builder[syncs[0]].args
    assert "--no-install-project" not in builder[syncs[-1]].args
    assert copy_src, "the builder never copies src/"
    assert syncs[0] < copy_src[0] < syncs[-1]


def _ignore_patterns(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _ignored(name: str, patterns: list[str]) -> bool:
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        bare = pattern.removeprefix("!")
        if fnmatch.fnmatch(name, bare) or fnmatch.fnmatch(name, bare.removeprefix("**/")):
            ignored = not negated
    return ignored


def test_builder_copies_files_that_exist_and_are_in_the_build_context() -> None:
    patterns = _ignore_patterns(ROOT / ".containerignore")
    sources = [
        source
        for args in _args(_stages()[0], "COPY")
        if not args.startswith("--")
        for source in shlex.split(args)[:-1]
    ]

    assert {"pyproject.toml", "uv.lock", "README.md", "src"} <= set(sources)
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"
        assert not _ignored(source, patterns), f"COPY {source}: excluded by .containerignore"


def test_ignore_files_are_identical_and_keep_local_state_out_of_the_image() -> None:
    patterns = _ignore_patterns(ROOT / ".containerignore")

    assert (ROOT / ".dockerignore").read_text() == (ROOT / ".containerignore").read_text()
    for name in (".venv", ".git", ".env", "tests", "bench", "db.sqlite3", ".pytest_cache", ".ruff_cache"):
        assert _ignored(name, patterns), f"{name} would be sent to the build context"


def test_runtime_stage_runs_the_prod_profile_as_a_non_root_user() -> None:
    builder, runtime = _stages()[0], _stages()[-1]
    venv = _env(builder)["UV_PROJECT_ENVIRONMENT"]
    users = _args(runtime, "USER")
    env = _env(runtime)

    assert users, "the runtime stage runs as root"
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert env["AVTHRIFT_ENV"] == "prod"
    assert env["PATH"].startswith(f"{venv}/bin:")
    assert f"--from={_stage_name(builder)} {venv} {venv}" in _args(runtime, "COPY")
    assert "8000" in " ".join(_args(runtime, "EXPOSE")).split()


def test_cmd_migrates_then_serves_on_all_interfaces() -> None:
    (cmd,) = _args(_stages()[-1], "CMD")
    argv = _exec_form(cmd)

    assert argv[:2] == ["sh", "-c"]
    migrate, sep, serve = argv[2].partition("&&")
    assert sep, "the server must not start when the migration fails"
    assert migrate.split() == ["avthrift", "db", "upgrade"]
    serve_argv = serve.split()
    assert serve_argv[:3] == ["exec", "avthrift", "serve"]
    assert serve_argv[serve_argv.index("--host") + 1] == ALL_INTERFACES
    assert serve_argv[serve_argv.index("--port") + 1] == "8000"


def test_cmd_uses_commands_and_options_the_cli_accepts() -> None:
    (cmd,) = _args(_stages()[-1], "CMD")
    script = _exec_form(cmd)[2].replace("${WEB_CONCURRENCY:-2}", "2")
    migrate, _, serve = script.partition("&&")

    command, _bound, _ = cli_app.parse_args(migrate.split()[1:], exit_on_error=False, print_error=False)
    assert command.__name__ == "upgrade"
    command, bound, _ = cli_app.parse_args(serve.split()[2:], exit_on_error=False, print_error=False)
    assert command.__name__ == "serve"
    assert bound.arguments == {"host": ALL_INTERFACES, "port": 8000, "workers": 2}


# ---- Health probe (Containerfile HEALTHCHECK and compose healthcheck) --------------------------------------


def _compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(data, dict)
    return data


def _compose_health_probe() -> str:
    test = _compose()["services"]["api"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    probe: str = test[3]
    return probe


def test_compose_and_containerfile_probe_the_same_way() -> None:
    probe = _containerfile_health_probe()

    assert probe == _compose_health_probe()
    assert HEALTH_URL in probe
    compile(probe, "<healthcheck>", "exec")


@pytest.mark.parametrize(
    ("allowed_hosts", "expected_host"),
    [
        ("api.example.com,localhost", "api.example.com"),
        (" .example.org ", "example.org"),
        ("[::1]", "[::1]"),
        ("*", "127.0.0.1"),
        (None, "127.0.0.1"),
    ],
)
def test_health_probe_sends_a_host_the_app_accepts(
    monkeypatch: pytest.MonkeyPatch, allowed_hosts: str | None, expected_host: str
) -> None:
    sent: list[urllib.request.Request] = []
    monkeypatch.setattr(urllib.request, "urlopen", lambda request, timeout: sent.append(request))
    if allowed_hosts is None:
        monkeypatch.delenv("ALLOWED_HOSTS", raising=False)
    else:
        monkeypatch.setenv("ALLOWED_HOSTS", allowed_hosts)

    exec(_containerfile_health_probe(), {})  # noqa: S102 - the probe text from our own Containerfile

    (request,) = sent
    assert request.full_url == HEALTH_URL
    assert request.get_header("Host") == expected_host
    settings = load_settings(
        environ={} if allowed_hosts is None else {"ALLOWED_HOSTS": allowed_hosts}, env_file=None
    )
    assert _host_allowed(expected_host, settings.allowed_hosts)


# ---- compose.yaml --------------------------------------------------------------------------------------


def _image_tag(image: str) -> tuple[str, str]:
    name, _, tag = image.rpartition(":")
    return name, tag.split("-")[0]


def test_compose_runs_api_postgres_16_and_redis_7_all_with_healthchecks() -> None:
    services = _compose()["services"]

    assert {"api", "postgres", "redis"} <= set(services)
    assert _image_tag(services["postgres"]["image"]) == ("postgres", "16")
    assert _image_tag(services["redis"]["image"]) == ("redis", "7")
    assert services["api"]["build"]["dockerfile"] == "Containerfile"
    for name, service in services.items():
        test = service.get("healthcheck", {}).get("test")
        assert test, f"service {name} has no healthcheck"
        assert test not in (["NONE"], "NONE"), f"service {name} disables its healthcheck"
    assert "pg_isready -U avthrift -d avthrift" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "redis-cli ping" in " ".join(services["redis"]["healthcheck"]["test"])


def test_compose_api_waits_for_healthy_backends_and_reads_dotenv() -> None:
    api = _compose()["services"]["api"]
    env_files = [{"path": entry} if isinstance(entry, str) else entry for entry in api["env_file"]]

    assert api["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert {"path": ".env", "required": False} in env_files
    assert "8000:8000" in api["ports"]


def test_compose_api_points_at_the_compose_postgres_and_redis() -> None:
    compose = _compose()
    environment = compose["services"]["api"]["environment"]
    postgres = compose["services"]["postgres"]["environment"]
    database = urlsplit(environment["DATABASE_URL"])
    redis = urlsplit(environment["REDIS_URL"])

    assert environment["AVTHRIFT_ENV"] == "prod"
    assert normalise_database_url(environment["DATABASE_URL"]).startswith("postgresql+asyncpg://")
    assert (database.hostname, database.port) == ("postgres", 5432)
    assert database.username == postgres["POSTGRES_USER"]
    assert database.password == postgres["POSTGRES_PASSWORD"]
    assert database.path == f"/{postgres['POSTGRES_DB']}"
    assert (redis.scheme, redis.hostname) == ("redis", "redis")


def test_compose_postgres_keeps_its_data_in_a_named_volume() -> None:
    compose = _compose()
    (mount,) = compose["services"]["postgres"]["volumes"]
    volume, _, target = mount.partition(":")

    assert target == "/var/lib/postgresql/data"
    assert volume in compose["volumes"]


def test_compose_api_starts_in_prod_once_dotenv_supplies_the_secrets() -> None:
    environment = _compose()["services"]["api"]["environment"]

    settings = load_settings(environ={**environment, **PROD_SECRETS}, env_file=None)
    assert settings.profile == "prod"
    assert not settings.database.is_sqlite
    assert settings.redis_url == environment["REDIS_URL"]
    for missing in PROD_SECRETS:
        others = {name: value for name, value in PROD_SECRETS.items() if name != missing}
        with pytest.raises(ConfigError, match=f"^{missing}:"):
            load_settings(environ={**environment, **others}, env_file=None)


# ---- .env.example --------------------------------------------------------------------------------------


def _settings_read_by_config() -> set[str]:
    """Every name config.py passes as a string literal to one of `_Env`'s readers."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(CONFIG_SOURCE.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ENV_READERS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "env"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def _documented() -> list[tuple[int, str, str]]:
    """(line index, name, example value) for each `NAME=value` or `# NAME=value` line."""
    lines = ENV_EXAMPLE.read_text().splitlines()
    return [(i, match[1], match[2]) for i, line in enumerate(lines) if (match := VARIABLE_LINE.match(line))]


def test_env_example_documents_exactly_the_settings_config_reads() -> None:
    read = _settings_read_by_config()
    documented = [name for _, name, _ in _documented()]

    assert {"AVTHRIFT_ENV", "DATABASE_URL", "SQLITE_BUSY_TIMEOUT_MS", "THROTTLE_RATES"} <= read
    assert len(documented) == len(set(documented)), "a variable is documented twice"
    assert set(documented) == read


def test_env_example_describes_each_setting_and_its_default() -> None:
    lines = ENV_EXAMPLE.read_text().splitlines()

    for index, name, _ in _documented():
        above = lines[index - 1]
        assert above.startswith("# "), f"{name}: no comment line above it"
        assert not VARIABLE_LINE.match(above), f"{name}: the line above is another variable"
        assert "Default:" in above, f"{name}: the comment does not give the default"


def test_env_example_as_dotenv_is_the_dev_setup_on_sqlite(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(ENV_EXAMPLE.read_text())

    settings = load_settings(environ={}, env_file=dotenv)

    assert settings.profile == "dev"
    assert settings.database.is_sqlite
    assert settings.redis_url is None
    assert settings == load_settings(environ={}, env_file=None)


@pytest.mark.parametrize(("name", "value"), [(name, value) for _, name, value in _documented()])
def test_env_example_values_are_accepted_when_uncommented(name: str, value: str) -> None:
    settings = load_settings(environ={name: value}, env_file=None)

    assert settings.profile == "dev"


def test_env_example_lists_every_throttle_scope_with_its_default_rate() -> None:
    listed = dict(re.findall(r"(\w+) \((\d+/(?:sec|min|hour|day))\)", ENV_EXAMPLE.read_text()))

    assert listed == DEFAULT_THROTTLE_RATES

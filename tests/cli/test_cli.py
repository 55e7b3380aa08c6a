"""The `avthrift` command line, run as a real process."""

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest


def run(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AVTHRIFT_", "DATABASE_", "REDIS_"))}
    return subprocess.run(
        [sys.executable, "-m", "avthrift", *args],
        cwd=cwd,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], exit_code: int, text: str) -> None:
    assert result.returncode == exit_code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("avthrift: error: ")
    assert text in lines[0]
    assert "Traceback" not in result.stderr


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    url: str = request.getfixturevalue("empty_postgres_database")
    return url


def test_db_upgrade_current_downgrade(tmp_path: Path, empty_database: str) -> None:
    env = {"DATABASE_URL": empty_database}
    assert run(tmp_path, "db", "current", **env).stdout.startswith("Database at base: behind")
    upgraded = run(tmp_path, "db", "upgrade", **env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.strip() == "Database upgraded to head."
    assert run(tmp_path, "db", "current", **env).stdout.strip().endswith(": up to date.")
    downgraded = run(tmp_path, "db", "downgrade", "base", **env)
    assert downgraded.returncode == 0, downgraded.stderr
    assert run(tmp_path, "db", "current", **env).stdout.startswith("Database at base: behind")


def test_db_revision_is_wired_to_the_migrator(tmp_path: Path) -> None:
    result = run(tmp_path, "db", "revision", "--help")
    assert result.returncode == 0
    assert "--message" in result.stdout
    assert "--empty" in result.stdout


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = run(tmp_path, "--help")
    assert result.returncode == 0
    assert "serve" in result.stdout
    assert "db" in result.stdout


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["nope"], 'Unknown command "nope"'),
        (["db", "upgrade", "--bogus"], "Unknown option: --bogus"),
        (["serve", "--workers", "x"], "--workers"),
        (["serve", "--port", "70000"], "--port must be between 1 and 65535"),
        (["serve", "--workers", "0"], "--workers must be at least 1"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(tmp_path: Path, args: list[str], text: str) -> None:
    assert_one_line_error(run(tmp_path, *args), 2, text)


def test_bad_setting_names_the_variable(tmp_path: Path) -> None:
    result = run(tmp_path, "db", "current", DATABASE_ENGINE="postgres", DATABASE_PORT="abc")
    assert_one_line_error(result, 2, "DATABASE_PORT: expected a whole number, got 'abc'")


@pytest.mark.parametrize("command", [["db", "upgrade"], ["db", "current"]])
def test_unreachable_database_gives_one_line_and_exit_1(tmp_path: Path, command: list[str]) -> None:
    result = run(
        tmp_path,
        *command,
        DATABASE_URL="postgresql://postgres@127.0.0.1:1/nowhere",
        AVTHRIFT_ENV="dev",
        DATABASE_CONNECT_TIMEOUT="2",
    )
    assert_one_line_error(result, 1, "The database is unavailable.")


def test_serve_in_dev_on_an_unwritable_sqlite_path_fails_cleanly(tmp_path: Path) -> None:
    result = run(tmp_path, "serve", DATABASE_URL="sqlite:////nonexistent-dir/x/db.sqlite3")
    assert_one_line_error(result, 1, "The database is unavailable: no folder /nonexistent-dir/x.")


def test_create_staff_makes_a_staff_account_and_refuses_bad_input(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'staff.sqlite3'}"}
    assert run(tmp_path, "db", "upgrade", **env).returncode == 0
    created = run(
        tmp_path,
        "users",
        "create-staff",
        "--email",
        "Boss@Example.com",
        "--password",
        "Thrift-shop-2026!",
        **env,
    )
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "Created staff account boss@example.com (id 1)."
    with closing(sqlite3.connect(tmp_path / "staff.sqlite3")) as db:
        assert db.execute("SELECT email, is_staff, is_active FROM users").fetchall() == [
            ("boss@example.com", 1, 1)
        ]
    assert_one_line_error(
        run(
            tmp_path,
            "users",
            "create-staff",
            "--email",
            "boss@example.com",
            "--password",
            "Thrift-shop-2026!",
            **env,
        ),
        1,
        "Email is already registered.",
    )
    assert_one_line_error(
        run(tmp_path, "users", "create-staff", "--email", "x@example.com", "--password", "12345678", **env),
        1,
        "This password is entirely numeric.",
    )
    assert_one_line_error(
        run(
            tmp_path,
            "users",
            "create-staff",
            "--email",
            "not-an-email",
            "--password",
            "Thrift-shop-2026!",
            **env,
        ),
        1,
        "Enter a valid email address.",
    )

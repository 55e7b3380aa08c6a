"""The Swagger UI at `/api/docs/` renders in a real browser with no network beyond the server itself."""

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.e2e.conftest import StartServer

pytestmark = pytest.mark.e2e

BROWSER_TIMEOUT_SECONDS = 90


class _Operations(HTMLParser):
    """Collects the paths of the operation blocks Swagger UI rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.opblocks = 0
        self.paths: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if "opblock" in classes:
            self.opblocks += 1
        summary_path = {"opblock-summary-path", "opblock-summary-path__deprecated"} & set(classes)
        if summary_path and attributes.get("data-path"):
            self.paths.append(attributes["data-path"] or "")


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "chromium is not installed (Debian package `chromium`): the docs page cannot be rendered"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def render(browser: str, url: str, profile: Path) -> str:
    """The DOM of `url` after its scripts ran, every host but the loopback address unreachable."""
    result = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            f"--user-data-dir={profile}",
            # No DNS for anything, and every request not to the server goes to a closed port.
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            "--proxy-server=http://127.0.0.1:9",
            "--proxy-bypass-list=127.0.0.1",
            "--virtual-time-budget=15000",
            "--dump-dom",
            url,
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=BROWSER_TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_swagger_ui_renders_the_operations_offline(start_server: StartServer, tmp_path: Path) -> None:
    browser = chromium()
    server = start_server({})

    dom = render(browser, f"{server.base_url}/api/docs/", tmp_path / "chromium-profile")

    refused = re.search(r"Unable to render this definition.*?</div>", dom, re.DOTALL)
    assert refused is None, f"Swagger UI refused the document: {re.sub(r'<[^>]+>', ' ', refused[0])}"
    operations = _Operations()
    operations.feed(dom)
    assert operations.opblocks > 0, dom
    assert {"/health", "/health/ready"} <= set(operations.paths), operations.paths
    served = server.stderr()
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/api/docs/assets/{asset}" in served, "the assets were not fetched from the app"

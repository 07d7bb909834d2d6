"""Browser tests: Debian's Chromium driven by Playwright (a pytest plugin of tests/conftest.py).

* `chromium`: one headless browser for the whole session.
* `page`: a fresh browser context and page per test; its console errors, uncaught
  exceptions and failed requests fail the test at teardown, unless the test allowed
  them with `page_log.allow(pattern)`. A failing test leaves a screenshot.
* `screenshot(name)`: saves the page into `TEST_SCREENSHOT_DIR` (default
  `tests/.artifacts/screenshots`).
* `static_files(directory)`: serves a folder on a free port of 127.0.0.1, which is an
  origin of its own (another port is another origin).

Without /usr/bin/chromium or the playwright package the browser tests are skipped, loudly;
with `CI=true` they fail instead. Playwright never downloads a browser here: it starts
the system's (`TEST_CHROMIUM`, default /usr/bin/chromium).
"""

import functools
import importlib.util
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

CHROMIUM = Path(os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium"))
# Root may only run Chromium without its sandbox. The machine has no network: without
# the background-networking flags Chromium keeps opening connections that are refused.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(
    os.environ.get("TEST_SCREENSHOT_DIR") or Path(__file__).parent / ".artifacts" / "screenshots"
)
IN_CI = os.environ.get("CI") == "true"
TIMEOUT_MS = 10_000

_skipped: set[str] = set()  # why browser tests did not run, for the terminal summary
_reports = pytest.StashKey[dict[str, pytest.TestReport]]()


def unavailable() -> str | None:
    """Why there is no browser to test with, or None."""
    if importlib.util.find_spec("playwright") is None:  # cheap: no import at every run
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real browser (Chromium)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:  # `-m browser` runs them alone, `-m "not browser"` leaves them out
        if "chromium" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def pytest_report_header(config: pytest.Config) -> list[str]:
    reason = unavailable()
    if reason:
        return [f"!!! browser tests are SKIPPED: {reason} !!!"]
    return [f"browser: {CHROMIUM} through Playwright"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for reason in sorted(_skipped):
        terminalreporter.write_sep("!", f"the browser was NOT tested: {reason}", yellow=True)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report  # for `page`'s teardown
    return report


@pytest.fixture(scope="session")
def chromium() -> Iterator["Browser"]:
    """One headless Chromium for the session."""
    reason = unavailable()
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true, and {reason}")
        _skipped.add(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class PageLog:
    """What went wrong in the page: console errors, uncaught exceptions, failed requests."""

    entries: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Entries matching this regular expression are expected (e.g. a refused request)."""
        self.allowed.append(re.compile(pattern))

    def allow_status(self, *statuses: int) -> None:
        """Answers with these HTTP statuses are expected: Chromium logs every answer of 400
        or more as a console error ("Failed to load resource: ... a status of 404")."""
        codes = "|".join(str(s) for s in statuses)
        self.allow(rf"^console error: Failed to load resource: .* status of ({codes}) ")

    def record(self, entry: str) -> None:
        self.entries.append(entry)

    def watch(self, page: "Page") -> None:
        """Record what goes wrong in `page` from now on."""
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.record(f"uncaught exception: {error}"))
        page.on(
            "requestfailed",
            lambda r: self.record(f"failed request: {r.method} {r.url}: {r.failure}"),
        )

    def _console(self, message: "ConsoleMessage") -> None:
        if message.type == "error":
            where = message.location
            line = where.get("lineNumber")
            self.record(f"console error: {message.text} ({where.get('url')}:{line})")

    def unexpected(self) -> list[str]:
        return [e for e in self.entries if not any(p.search(e) for p in self.allowed)]


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def browser_context_options() -> dict[str, Any]:
    """Options of each test's browser context; override the fixture to change them.
    A Chinese user's browser: it sends `Accept-Language: zh-CN`."""
    return {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def page(
    chromium: "Browser",
    page_log: PageLog,
    browser_context_options: dict[str, Any],
    request: pytest.FixtureRequest,
) -> Iterator["Page"]:
    """A page in a fresh context; what goes wrong in it fails the test at teardown."""
    context = chromium.new_context(**browser_context_options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page_log.watch(page)
    try:
        yield page
        unexpected = page_log.unexpected()
        reports = request.node.stash.get(_reports, {})
        if unexpected or any(r.failed for r in reports.values()):
            path = save_screenshot(page, request.node.nodeid, "failed")
            assert not unexpected, f"the page reported errors (screenshot: {path}):\n" + (
                "\n".join(unexpected)
            )
    finally:
        context.close()


def save_screenshot(page: "Page", nodeid: str, name: str) -> Path:
    """The whole page as PNG under SCREENSHOTS, named after the test."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", f"{nodeid}-{name}").strip("_")
    path = SCREENSHOTS / f"{stem}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot(page: "Page", request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """`screenshot("after-sign-in")` saves the page now; returns the file's path."""
    return lambda name: save_screenshot(page, request.node.nodeid, name)


class _StaticHandler(SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def static_files(directory: Path) -> Iterator[str]:
    """Serve `directory` over HTTP from a thread until the block ends; yields the origin
    (`http://127.0.0.1:<port>`)."""
    handler = functools.partial(_StaticHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="static-files", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

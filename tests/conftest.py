"""Test system: a real database per backend, built by the migrations, and HTTP through httpx.

Every test runs against SQLite; when TEST_DATABASE_URL is set (a PostgreSQL server URL),
every test runs against a fresh PostgreSQL database as well.
"""

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.cli import alembic_config
from app.core import clock
from app.core.config import Settings
from app.core.db import make_engine, make_sessionmaker, normalize_url, transaction
from app.main import create_app
from app.models import Base
from app.seed.reference_data import load_reference_data

pytest_plugins = ("tests.browser",)  # the browser fixtures: chromium, page, static_files

REFERENCE_TABLES = {
    "majors",
    "industries",
    "districts",
    "clusters",
    "cluster_major_classes",
    "cluster_industries",
    "certificates",
    "occupations",
    "major_occupations",
    "alembic_version",
}
PG_URL = os.environ.get("TEST_DATABASE_URL")
REQUIRE_PG = os.environ.get("TEST_REQUIRE_POSTGRES") == "1"


def pytest_report_header(config: pytest.Config) -> list[str]:
    if PG_URL:
        return [f"databases: SQLite and PostgreSQL ({make_url(PG_URL).render_as_string()})"]
    return [
        "databases: SQLite only",
        "!!! PostgreSQL tests are SKIPPED: set TEST_DATABASE_URL=postgresql://... to run them !!!",
    ]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not PG_URL:
        terminalreporter.write_sep(
            "!", "PostgreSQL was NOT tested: set TEST_DATABASE_URL to include it", yellow=True
        )
    # tests/test_generated_clients.py skips with this notice when node or a generator is missing
    reasons = {
        str(report.longrepr[2]).removeprefix("Skipped: ")
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple)
        and "generated clients NOT tested" in report.longrepr[2]
    }
    for reason in sorted(reasons):
        terminalreporter.write_sep("!", reason, yellow=True)


def _create_pg_database(server_url: str) -> tuple[str, str]:
    url = make_url(normalize_url(server_url))
    name = f"xqhz_test_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL at {server_url} is unreachable: {exc}"
        if REQUIRE_PG:
            pytest.fail(message)
        pytest.skip(message)
    return url.set(database=name).render_as_string(hide_password=False), admin


def _drop_pg_database(admin: str, url: str) -> None:
    name = make_url(url).database
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, migrated database with the reference data, one per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        admin = None
    else:
        if not PG_URL:
            if REQUIRE_PG:
                pytest.fail("TEST_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
            pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL")
        url, admin = _create_pg_database(PG_URL)
    try:
        command.upgrade(alembic_config(url), "head")
        engine = make_engine(url)
        with transaction(make_sessionmaker(engine)) as session:
            load_reference_data(session)
        engine.dispose()
        yield url
    finally:
        if admin:
            _drop_pg_database(admin, url)


@contextmanager
def fresh_database(like_url: str) -> Iterator[str]:
    """An empty database (no migrations run) on the same backend as `like_url`."""
    if make_url(like_url).get_backend_name() == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'fresh.db'}"
        return
    assert PG_URL
    url, admin = _create_pg_database(PG_URL)
    try:
        yield url
    finally:
        _drop_pg_database(admin, url)


def settings_for(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "app_env": "test",
        "database_url": database_url,
        "secret_key": "test-secret-key-that-is-long-enough-0123456789",
        "app_run_worker": False,
        "rate_limit_per_minute": 0,
        "log_level": "WARNING",  # no access line per request (tests of the logs serve live)
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[FastAPI]:
    application = create_app(settings_for(database_url))
    yield application
    application.state.engine.dispose()


@pytest.fixture(scope="session")
def engine(app: FastAPI) -> Engine:
    result: Engine = app.state.engine
    return result


@pytest.fixture
def db(app: FastAPI) -> Iterator[sessionmaker[Session]]:
    """A session factory on the test database, for arranging data and checking results."""
    yield app.state.sessionmaker


@pytest.fixture(autouse=True)
def _clean_database(engine: Engine) -> Iterator[None]:
    """Each test starts from the migrated database with reference data only."""
    yield
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    # DELETE, not TRUNCATE: a test leaves a few rows, and on PostgreSQL TRUNCATE of
    # every table costs ~0.4 s per test while DELETE of a few rows costs milliseconds.
    with engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An httpx client speaking HTTP to the app in-process (lifespan included)."""
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def freeze_clock() -> Iterator[Callable[[str], None]]:
    """`freeze_clock("2027-06-30T16:30:00Z")` stops the platform's one clock
    (`app.core.clock`) at that instant until the test ends (call it again to move it):
    the seam through which tests set "now" and "today", whatever the host's time zone."""
    with ExitStack() as stack:

        def freeze(at: str) -> None:
            stack.enter_context(clock.frozen(datetime.fromisoformat(at)))

        yield freeze

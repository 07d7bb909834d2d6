"""A database outage answers like an outage: 503 `service_unavailable` with Retry-After."""

import sqlite3

import psycopg
import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from app.cli import alembic_config
from app.core import db as db_module
from app.main import create_app
from tests.conftest import PG_URL, _create_pg_database, _drop_pg_database, settings_for
from tests.factories import assert_problem, demand_body


def assert_outage(response) -> None:
    assert_problem(response, 503, "service_unavailable")
    assert int(response.headers["retry-after"]) > 0


def test_no_database_listening_is_503_not_500():
    app = create_app(settings_for("postgresql://postgres@127.0.0.1:1/nothing_listens_here"))
    with TestClient(app, raise_server_exceptions=False) as c:
        assert_outage(c.get("/api/v1/demands"))
        assert_outage(c.post("/api/v1/auth/token", data={"username": "a", "password": "b"}))
    app.state.engine.dispose()


def test_sqlite_locked_past_its_timeout_is_503(database_url, monkeypatch):
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("SQLite's write lock")
    monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_MS", 200)
    app = create_app(settings_for(database_url))
    holder = sqlite3.connect(make_url(database_url).database, isolation_level=None, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with TestClient(app, raise_server_exceptions=False) as c:
            assert_outage(c.post("/api/v1/auth/token", data={"username": "a", "password": "b"}))
            assert_outage(c.post("/api/v1/demands", json=demand_body()))
    finally:
        holder.rollback()
        holder.close()
        app.state.engine.dispose()


def test_postgresql_refusing_connections_is_503(database_url):
    if make_url(database_url).get_backend_name() != "postgresql" or not PG_URL:
        pytest.skip("PostgreSQL's ALLOW_CONNECTIONS")
    url, admin = _create_pg_database(PG_URL)
    name = make_url(url).database
    try:
        command.upgrade(alembic_config(url), "head")
        app = create_app(settings_for(url))
        with TestClient(app, raise_server_exceptions=False) as c:
            assert c.get("/api/v1/demands").status_code == 200
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    (name,),
                )
            assert_outage(c.get("/api/v1/demands"))
            assert_outage(c.post("/api/v1/demands", json=demand_body()))
            assert c.get("/readyz").status_code == 503
        app.state.engine.dispose()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        _drop_pg_database(admin, url)


@pytest.mark.parametrize("idle_ping", [True, False])
def test_postgresql_restart_drops_pooled_connections(database_url, monkeypatch, idle_ping):
    """A connection the server dropped is replaced: before use when it sat idle in the pool
    (pinged), else after its request answered 503 once (SQLAlchemy discards the pool)."""
    if make_url(database_url).get_backend_name() != "postgresql" or not PG_URL:
        pytest.skip("PostgreSQL's pg_terminate_backend")
    url, admin = _create_pg_database(PG_URL)
    name = make_url(url).database
    try:
        command.upgrade(alembic_config(url), "head")
        app = create_app(settings_for(url))
        with TestClient(app, raise_server_exceptions=False) as c:
            assert c.get("/api/v1/demands").status_code == 200
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    (name,),
                )
            monkeypatch.setattr(db_module, "PING_IDLE_SECONDS", 0.0 if idle_ping else 1e9)
            if not idle_ping:
                assert_outage(c.get("/api/v1/demands"))
            assert c.get("/api/v1/demands").status_code == 200
        app.state.engine.dispose()
    finally:
        _drop_pg_database(admin, url)

"""Over-eager clients get 429 with Retry-After, per credential or address."""

import os
import time
import uuid

import pytest
import redis
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import settings_for
from tests.factories import assert_problem

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _fresh_window() -> None:
    """Start well inside a minute window, so that it does not roll over mid-test."""
    left = 60 - time.time() % 60
    if left < 5:
        time.sleep(left + 0.1)


def _bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer not-a-token-{uuid.uuid4().hex}"}


def test_limit_per_client_in_process(database_url):
    app = create_app(settings_for(database_url, rate_limit_per_minute=3))
    headers = _bearer()
    _fresh_window()
    with TestClient(app, raise_server_exceptions=False) as c:
        for _ in range(3):
            assert c.get("/api/v1/auth/me", headers=headers).status_code == 401
        limited = c.get("/api/v1/auth/me", headers=headers)
        body = assert_problem(limited, 429, "rate_limited")
        assert 1 <= int(limited.headers["Retry-After"]) <= 61
        assert body["request_id"] == limited.headers["x-request-id"]
        # Another credential has its own count; health checks are never limited.
        assert c.get("/api/v1/auth/me", headers=_bearer()).status_code == 401
        assert c.get("/healthz").status_code == 200
    app.state.engine.dispose()


def test_limit_is_shared_across_processes_through_redis(database_url):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    settings = settings_for(database_url, rate_limit_per_minute=4, redis_url=REDIS_URL)
    first, second = create_app(settings), create_app(settings)
    headers = _bearer()
    _fresh_window()
    with TestClient(first) as a, TestClient(second) as b:
        statuses = [c.get("/api/v1/auth/me", headers=headers).status_code for c in (a, b) * 3]
    assert statuses == [401, 401, 401, 401, 429, 429]
    for app in (first, second):
        app.state.engine.dispose()

"""Over-eager clients get 429 with Retry-After, per verified principal or address; a
made-up credential never earns a fresh budget; a Redis outage is no API outage."""

import os
import time
import uuid

import pytest
import redis
from fastapi.testclient import TestClient

from app.core import rate_limit
from app.main import create_app
from app.models.enums import OrgType
from tests.conftest import settings_for
from tests.factories import PASSWORD, assert_problem, key_headers, make_org, make_user

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
NO_REDIS = "redis://127.0.0.1:1/0"


def _fresh_window() -> None:
    """Start well inside a minute window, so that it does not roll over mid-test."""
    left = 60 - time.time() % 60
    if left < 8:
        time.sleep(left + 0.1)


def _bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer not-a-token-{uuid.uuid4().hex}"}


def _address() -> dict[str, str]:
    """A client address of its own (Redis counts are shared by every test of a minute)."""
    return {"X-Forwarded-For": f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"}


def _app(database_url: str, per_minute: int, **overrides: object):
    rate_limit.verified_keys.forget()
    settings = settings_for(
        database_url, rate_limit_per_minute=per_minute, trust_forwarded_for=True, **overrides
    )
    return create_app(settings)


def test_made_up_credentials_share_the_address_budget(database_url):
    app = _app(database_url, 3)
    address = _address()
    _fresh_window()
    with TestClient(app, raise_server_exceptions=False) as c:
        for _ in range(3):
            assert c.get("/api/v1/auth/me", headers={**address, **_bearer()}).status_code == 401
        limited = c.get("/api/v1/auth/me", headers={**address, **_bearer()})
        body = assert_problem(limited, 429, "rate_limited")
        assert 1 <= int(limited.headers["Retry-After"]) <= 61
        assert body["request_id"] == limited.headers["x-request-id"]
        made_up_key = {**address, "X-API-Key": uuid.uuid4().hex}
        assert_problem(c.get("/api/v1/demands", headers=made_up_key), 429)
        # Another address has its own count; health checks are never limited.
        assert c.get("/api/v1/auth/me", headers={**_address(), **_bearer()}).status_code == 401
        assert c.get("/healthz", headers=address).status_code == 200
    app.state.engine.dispose()


def test_verified_principals_have_their_own_budget(database_url, db):
    enterprise = make_org(db, OrgType.enterprise)
    user = make_user(db, enterprise)
    key = key_headers(db, enterprise)
    app = _app(database_url, 3)
    address = _address()
    _fresh_window()
    with TestClient(app, raise_server_exceptions=False) as c:
        form = {"username": user.username, "password": PASSWORD}
        token = c.post("/api/v1/auth/token", data=form, headers=address)  # the address: 1
        bearer = {**address, "Authorization": f"Bearer {token.json()['access_token']}"}
        assert [c.get("/api/v1/auth/me", headers=bearer).status_code for _ in range(4)] == [
            200,
            200,
            200,
            429,
        ]
        # A key counts against the address until it is accepted once (the address: 2).
        keyed = {**address, **key}
        statuses = [c.get("/api/v1/demands", headers=keyed).status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 200, 429]
        assert c.get("/api/v1/demands", headers=address).status_code == 200  # the address: 3
        assert_problem(c.get("/api/v1/demands", headers=address), 429)
    app.state.engine.dispose()


def test_limit_is_shared_across_processes_through_redis(database_url):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    first = _app(database_url, 4, redis_url=REDIS_URL)
    second = _app(database_url, 4, redis_url=REDIS_URL)
    headers = {**_address(), **_bearer()}
    _fresh_window()
    with TestClient(first) as a, TestClient(second) as b:
        statuses = [c.get("/api/v1/auth/me", headers=headers).status_code for c in (a, b) * 3]
        assert a.get("/readyz").json() == {"status": "ready", "redis": "ok"}
    assert statuses == [401, 401, 401, 401, 429, 429]
    for app in (first, second):
        app.state.engine.dispose()


def test_redis_down_fails_open_to_the_process_counter(database_url, caplog):
    app = _app(database_url, 3, redis_url=NO_REDIS)
    headers = _address()
    failures = rate_limit.REDIS_FAILURES._value.get()
    _fresh_window()
    with TestClient(app, raise_server_exceptions=False) as c:
        ready = c.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "redis": "unavailable"}
        statuses = [c.get("/api/v1/demands", headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert rate_limit.REDIS_FAILURES._value.get() > failures
    assert any("Redis" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    app.state.engine.dispose()

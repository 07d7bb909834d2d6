"""CORS: browsers on the listed origins may call every route and read every answer."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import CORS_EXPOSED_HEADERS, create_app
from tests.conftest import settings_for
from tests.factories import assert_problem, login, make_org, make_user
from tests.test_rate_limit import _fresh_window

FRONTEND = "https://portal.example.org"
OTHER = "https://evil.example.net"


@pytest.fixture
def cors_app(database_url: str) -> Iterator[FastAPI]:
    app = create_app(settings_for(database_url, cors_allow_origins=f"{FRONTEND}, https://b.cn"))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    yield app
    app.state.engine.dispose()


@pytest.fixture
def browser(cors_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(cors_app, raise_server_exceptions=False) as c:
        yield c


def _preflight(client: TestClient, path: str, method: str, origin: str = FRONTEND):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type, if-match, x-api-key",
        },
    )


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/tech-projects", "GET"),
        ("/api/v1/auth/token", "POST"),
        ("/api/v1/demands/1", "PATCH"),
        ("/api/v1/colleges/1/student-distributions/2026H1", "PUT"),
        ("/api/v1/trainings/1/enrollments/2", "DELETE"),
        ("/api/v1/nowhere", "GET"),
    ],
)
def test_preflight_is_answered_on_every_route(browser, path, method):
    response = _preflight(browser, path, method)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == FRONTEND
    assert method in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    for header in ("authorization", "x-api-key", "content-type", "if-match", "if-none-match"):
        assert header in allowed
    assert "access-control-allow-credentials" not in response.headers


def test_preflight_from_an_unlisted_origin_gets_no_grant(browser):
    response = _preflight(browser, "/api/v1/tech-projects", "GET", origin=OTHER)
    assert "access-control-allow-origin" not in response.headers
    assert response.status_code == 400


def _assert_cors(response) -> None:
    assert response.headers["access-control-allow-origin"] == FRONTEND
    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    assert {h.lower() for h in CORS_EXPOSED_HEADERS} <= exposed
    assert {"etag", "location", "retry-after", "x-request-id"} <= exposed


def test_success_and_every_error_carry_cors_headers(browser, db, database_url):
    origin = {"Origin": FRONTEND}
    _assert_cors(browser.get("/api/v1/taxonomies/clusters", headers=origin))
    _assert_cors(assert_problem_response(browser.get("/api/v1/audit-events", headers=origin), 401))
    _assert_cors(assert_problem_response(browser.get("/api/v1/nowhere", headers=origin), 404))
    big = b'{"x": "' + b"a" * (1024 * 1024 + 10) + b'"}'
    too_large = browser.post(
        "/api/v1/registrations",
        content=big,
        headers={**origin, "Content-Type": "application/json"},
    )
    _assert_cors(assert_problem_response(too_large, 413))
    invalid = browser.post("/api/v1/registrations", json={}, headers=origin)
    _assert_cors(assert_problem_response(invalid, 422))
    _assert_cors(assert_problem_response(browser.get("/boom", headers=origin), 500))
    headers = {**origin, **login(browser, make_user(db, make_org(db)))}
    _assert_cors(browser.get("/api/v1/auth/me", headers=headers))


def test_rate_limited_answer_carries_cors_headers(database_url):
    app = create_app(
        settings_for(database_url, cors_allow_origins=FRONTEND, rate_limit_per_minute=2)
    )
    _fresh_window()
    with TestClient(app, raise_server_exceptions=False) as c:
        statuses = []
        for _ in range(3):
            response = c.get(
                "/api/v1/taxonomies/clusters",
                headers={"Origin": FRONTEND, "X-Forwarded-For": "1.2.3.4"},
            )
            statuses.append(response.status_code)
        assert statuses[-1] == 429
        _assert_cors(response)
    app.state.engine.dispose()


def test_unlisted_origin_gets_no_cors_headers(browser):
    response = browser.get("/api/v1/taxonomies/clusters", headers={"Origin": OTHER})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def assert_problem_response(response, status: int):
    assert_problem(response, status)
    return response


@pytest.mark.parametrize(
    ("env", "value", "expected"),
    [
        ("development", None, ["*"]),
        ("production", None, []),
        ("production", "*", ["*"]),
        ("production", "https://a.cn/, https://b.cn,", ["https://a.cn", "https://b.cn"]),
        ("production", "", []),
    ],
)
def test_cors_origins_setting(env, value, expected):
    settings = Settings(
        app_env=env, secret_key="s" * 40, cors_allow_origins=value, database_url="sqlite://"
    )
    assert settings.cors_origins == expected


def test_wildcard_answers_any_origin_without_credentials(database_url):
    app = create_app(settings_for(database_url, cors_allow_origins="*"))
    with TestClient(app) as c:
        response = c.get("/api/v1/taxonomies/clusters", headers={"Origin": OTHER})
        assert response.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in response.headers
    app.state.engine.dispose()

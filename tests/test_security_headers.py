"""Security headers on every answer, no-store on secrets, /metrics behind a token, and no
`Server` banner."""

from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from app.main import create_app
from app.models.enums import OrgType
from tests.conftest import settings_for
from tests.factories import PASSWORD, assert_problem, login, make_org, make_user
from tests.live_server import serving

HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
}


def test_every_answer_carries_the_security_headers(client):
    for response in (
        client.get("/api/v1/demands"),
        client.get("/api/v1/nothing-here"),
        client.get("/docs"),
        client.get("/healthz"),
    ):
        for name, value in HEADERS.items():
            assert response.headers[name] == value, (response.url, name)


def test_secrets_are_not_stored(client, db):
    org = make_org(db, OrgType.college)
    user = make_user(db, org)
    form = {"username": user.username, "password": PASSWORD}
    token = client.post("/api/v1/auth/token", data=form)
    assert token.headers["cache-control"] == "no-store"
    headers = login(client, user)
    key = client.post(
        f"/api/v1/organizations/{org.id}/api-keys", json={"name": "k"}, headers=headers
    )
    assert key.status_code == 201, key.text
    assert key.headers["cache-control"] == "no-store"
    body = {"url": "https://example.org/hook", "event_types": ["demand.opened"]}
    sub = client.post("/api/v1/subscriptions", json=body, headers=headers)
    assert sub.status_code == 201, sub.text
    assert sub.headers["cache-control"] == "no-store"


def test_metrics_behind_a_token(database_url):
    app = create_app(settings_for(database_url, metrics_token="m-secret"))
    with TestClient(app) as c:
        assert_problem(c.get("/metrics"), 401)
        assert_problem(c.get("/metrics", headers={"Authorization": "Bearer nope"}), 401)
        assert c.get("/metrics", headers={"Authorization": "Bearer m-secret"}).status_code == 200
    app.state.engine.dispose()


def test_no_server_banner(tmp_path, database_url):
    if make_url(database_url).get_backend_name() != "sqlite":
        return  # one live server is enough
    with serving(f"sqlite:///{tmp_path / 'live.db'}", tmp_path / "serve.log") as base:
        import httpx

        response = httpx.get(f"{base}/healthz")
    assert "server" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"

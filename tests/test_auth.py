"""Sign-in, tokens, API keys and throttling."""

from datetime import UTC, datetime, timedelta

import pytest
from jose import jwt

from app.core.security import create_access_token
from app.models.enums import Department, OrgStatus, OrgType, Role
from tests.conftest import settings_for
from tests.factories import PASSWORD, assert_problem, login, make_org, make_user

TOKEN = "/api/v1/auth/token"
ME = "/api/v1/auth/me"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_sign_in_and_me(client, db):
    org = make_org(db, OrgType.government, department=Department.tech)
    user = make_user(db, org, Role.member)
    response = client.post(TOKEN, data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 30 * 60
    me = client.get(ME, headers=bearer(body["access_token"])).json()
    assert me["user"]["username"] == user.username
    assert me["organization"]["org_type"] == "government"
    assert me["organization"]["department"] == "tech"
    assert "department:tech" in me["roles"] and "org_member" in me["roles"]
    assert me["auth_method"] == "token"


@pytest.mark.parametrize("password", ["wrong-password", ""])
def test_wrong_password(client, db, password):
    user = make_user(db, make_org(db))
    response = client.post(TOKEN, data={"username": user.username, "password": password})
    assert response.status_code in (401, 422)
    assert_problem(response, response.status_code)


def test_unknown_user_is_the_same_401(client):
    response = client.post(TOKEN, data={"username": "nobody", "password": "whatever-1"})
    assert_problem(response, 401, "invalid_credentials")


def test_me_requires_authentication(client):
    assert_problem(client.get(ME), 401, "not_authenticated")


def test_expired_token(client, db, database_url):
    user = make_user(db, make_org(db))
    settings = settings_for(database_url, access_token_minutes=1)
    now = datetime.now(UTC)
    claims = {
        "sub": str(user.id),
        "typ": "access",
        "iat": now - timedelta(hours=2),
        "exp": now - timedelta(hours=1),
    }
    token = jwt.encode(claims, settings.secret_key, algorithm="HS256")
    assert_problem(client.get(ME, headers=bearer(token)), 401, "invalid_token")


def test_tampered_token(client, db):
    user = make_user(db, make_org(db))
    token = login(client, user)["Authorization"].removeprefix("Bearer ")
    header, payload, signature = token.split(".")
    forged_payload = jwt.encode({"sub": "1"}, "x").split(".")[1]
    assert_problem(client.get(ME, headers=bearer(f"{header}.{forged_payload}.{signature}")), 401)
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    assert_problem(client.get(ME, headers=bearer(f"{header}.{payload}.{flipped}")), 401)


def test_token_signed_with_another_key(client, db, database_url):
    user = make_user(db, make_org(db))
    other = settings_for(database_url, secret_key="another-secret-key-which-is-long-enough-xyz")
    token, _ = create_access_token(other, str(user.id))
    assert_problem(client.get(ME, headers=bearer(token)), 401, "invalid_token")


def test_alg_none_is_refused(client, db):
    import base64
    import json

    user = make_user(db, make_org(db))

    def b64(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(datetime.now(UTC).timestamp())
    token = (
        f"{b64({'alg': 'none', 'typ': 'JWT'})}."
        + b64({"sub": str(user.id), "typ": "access", "iat": now, "exp": now + 600})
        + "."
    )
    assert_problem(client.get(ME, headers=bearer(token)), 401, "invalid_token")


def test_token_of_deleted_or_disabled_user(client, db):
    from app.core.db import transaction
    from app.models import User

    user = make_user(db, make_org(db))
    headers = login(client, user)
    with transaction(db) as session:
        session.get(User, user.id).is_active = False
    assert_problem(client.get(ME, headers=headers), 401, "invalid_token")


def test_api_key_lifecycle(client, db):
    org = make_org(db)
    admin_headers = login(client, make_user(db, org, Role.admin))
    created = client.post(
        f"/api/v1/organizations/{org.id}/api-keys", json={"name": "ERP"}, headers=admin_headers
    )
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith("xq_") and created.json()["prefix"] == key[:10]
    me = client.get(ME, headers={"X-API-Key": key}).json()
    assert me["organization"]["id"] == org.id and me["user"] is None
    assert me["auth_method"] == "api_key"
    listed = client.get(f"/api/v1/organizations/{org.id}/api-keys", headers=admin_headers).json()
    assert listed["total"] == 1 and "key" not in listed["items"][0]
    key_id = created.json()["id"]
    revoke = client.delete(
        f"/api/v1/organizations/{org.id}/api-keys/{key_id}", headers=admin_headers
    )
    assert revoke.status_code == 204
    assert_problem(client.get(ME, headers={"X-API-Key": key}), 401, "invalid_api_key")


def test_unknown_api_key(client):
    assert_problem(
        client.get(ME, headers={"X-API-Key": "xq_not-a-real-key"}), 401, "invalid_api_key"
    )


def test_suspended_organisation_cannot_sign_in(client, db):
    user = make_user(db, make_org(db, status=OrgStatus.suspended))
    response = client.post(TOKEN, data={"username": user.username, "password": PASSWORD})
    assert_problem(response, 403, "organization_suspended")


def test_throttling_per_account(client, db):
    user = make_user(db, make_org(db))
    for _ in range(5):
        response = client.post(TOKEN, data={"username": user.username, "password": "bad-pass-1"})
        assert_problem(response, 401)
    response = client.post(TOKEN, data={"username": user.username, "password": PASSWORD})
    assert_problem(response, 429, "too_many_requests")
    assert 1 <= int(response.headers["Retry-After"]) <= 15 * 60 + 1


def test_throttling_per_address(client, db):
    for i in range(30):
        response = client.post(TOKEN, data={"username": f"guess{i}", "password": "bad-pass-1"})
        assert_problem(response, 401)
    user = make_user(db, make_org(db))
    response = client.post(TOKEN, data={"username": user.username, "password": PASSWORD})
    assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) >= 1


def test_success_clears_account_failures(client, db):
    user = make_user(db, make_org(db))
    for _ in range(4):
        client.post(TOKEN, data={"username": user.username, "password": "bad-pass-1"})
    login(client, user)
    for _ in range(4):
        assert_problem(
            client.post(TOKEN, data={"username": user.username, "password": "bad-pass-1"}), 401
        )
    login(client, user)


def test_bootstrap_admin(database_url):
    from fastapi.testclient import TestClient

    from app.main import create_app

    settings = settings_for(database_url, app_bootstrap_admin_password="bootstrap-pass-1")
    app = create_app(settings)
    with TestClient(app) as c:
        response = c.post(TOKEN, data={"username": "admin", "password": "bootstrap-pass-1"})
        assert response.status_code == 200
        me = c.get(ME, headers=bearer(response.json()["access_token"])).json()
        assert me["is_platform_admin"] is True
    # Not empty any more: a second start does not create or change anything.
    with TestClient(
        create_app(settings_for(database_url, app_bootstrap_admin_password="another-pass-2"))
    ) as c:
        response = c.post(TOKEN, data={"username": "admin", "password": "another-pass-2"})
        assert response.status_code == 401
    app.state.engine.dispose()


def settings_for_refuse_default_secret_outside_development():
    from pydantic import ValidationError

    from app.core.config import Settings

    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(app_env="production", _env_file=None)
    with pytest.raises(ValidationError, match="32 characters"):
        Settings(app_env="production", secret_key="short", _env_file=None)
    with pytest.raises(ValidationError, match="none"):
        Settings(app_env="development", jwt_allowed_algorithms=["HS256", "none"], _env_file=None)
    assert Settings(app_env="development", _env_file=None).secret_key


def test_failures_elsewhere_never_lock_the_user_out_at_home(database_url, db):
    """Five wrong passwords from an attacker's address lock that address out of the account,
    not the user at theirs; only the far higher account-wide ceiling applies to everyone."""
    from fastapi.testclient import TestClient

    from app.main import create_app

    settings = settings_for(
        database_url, trust_forwarded_for=True, login_max_failures_per_account=12
    )
    app = create_app(settings)
    user = make_user(db, make_org(db))
    wrong = {"username": user.username, "password": "bad-pass-1"}
    right = {"username": user.username, "password": PASSWORD}
    attacker, home = {"X-Forwarded-For": "203.0.113.9"}, {"X-Forwarded-For": "198.51.100.4"}
    with TestClient(app) as c:
        for _ in range(5):
            assert_problem(c.post(TOKEN, data=wrong, headers=attacker), 401)
        assert_problem(c.post(TOKEN, data=right, headers=attacker), 429, "too_many_requests")
        assert c.post(TOKEN, data=right, headers=home).status_code == 200
        # Spread over many addresses, the account's own ceiling (12 here) is reached.
        for n in range(7):
            other = {"X-Forwarded-For": f"203.0.113.{100 + n}"}
            assert_problem(c.post(TOKEN, data=wrong, headers=other), 401)
        limited = c.post(TOKEN, data=right, headers=home)
        assert_problem(limited, 429, "too_many_requests")
        assert int(limited.headers["Retry-After"]) <= 60 * 60 + 1
    app.state.engine.dispose()

"""Every error class answers an RFC 9457 problem, with a request id."""

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import settings_for
from tests.factories import assert_problem, login, make_org, make_user


def test_unknown_route(client):
    body = assert_problem(client.get("/api/v1/nowhere"), 404, "not_found")
    assert body["type"] == "/problems/not_found" and body["title"] == "未找到"


def test_wrong_method(client):
    assert_problem(client.delete("/api/v1/taxonomies/majors"), 405, "method_not_allowed")


def test_validation_error_lists_every_problem(client):
    response = client.post("/api/v1/registrations", json={"organization": {"org_type": "x"}})
    body = assert_problem(response, 422, "validation_error")
    locs = [tuple(e["loc"]) for e in body["errors"]]
    assert ("body", "organization", "name") in locs and ("body", "user") in locs
    assert all({"loc", "msg", "type"} <= e.keys() for e in body["errors"])


def test_malformed_json(client):
    response = client.post(
        "/api/v1/registrations", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 422, "validation_error")


def test_unauthenticated_and_forbidden(client, db):
    assert_problem(client.get("/api/v1/audit-events"), 401, "not_authenticated")
    headers = login(client, make_user(db, make_org(db)))
    assert_problem(client.get("/api/v1/audit-events", headers=headers), 403, "forbidden")


def test_conflict(client):
    from tests.test_organizations import register, registration

    register(client)
    assert_problem(client.post("/api/v1/registrations", json=registration()), 409)


def test_body_too_large(client):
    big = b'{"x": "' + b"a" * (1024 * 1024 + 10) + b'"}'
    response = client.post(
        "/api/v1/registrations", content=big, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 413, "payload_too_large")


def test_body_too_large_without_content_length(client):
    def chunks():
        for _ in range(40):
            yield b"a" * 65536

    response = client.post(
        "/api/v1/registrations", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 413, "payload_too_large")


def test_rate_limited_problem(client):
    for i in range(30):
        client.post("/api/v1/auth/token", data={"username": f"u{i}", "password": "bad-pass"})
    response = client.post("/api/v1/auth/token", data={"username": "x", "password": "bad-pass"})
    assert_problem(response, 429, "too_many_requests")
    assert response.headers["Retry-After"].isdigit()


def test_unexpected_error_is_a_generic_500(database_url, caplog):
    app = create_app(settings_for(database_url))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/boom", headers={"X-Request-ID": "trace-me-42"})
    body = assert_problem(response, 500, "internal_error")
    assert "secret" not in response.text and "Traceback" not in response.text
    assert body["request_id"] == "trace-me-42" == response.headers["x-request-id"]
    assert "secret internal detail" in caplog.text  # the trace is in the log only
    app.state.engine.dispose()


@pytest.mark.parametrize("given", ["abc-123", "x" * 200, "bad id with spaces"])
def test_request_id_is_echoed_or_generated(client, given):
    response = client.get("/healthz", headers={"X-Request-ID": given})
    if given == "abc-123":
        assert response.headers["x-request-id"] == given
    else:
        assert response.headers["x-request-id"] != given
        assert len(response.headers["x-request-id"]) == 32
    assert client.get("/healthz").headers["x-request-id"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/organizations/99999999999999999999999",
        "/api/v1/organizations/0",
        "/api/v1/publications/3000000000",
    ],
)
def test_out_of_range_ids_are_422_not_500(client, path):
    assert_problem(client.get(path), 422, "validation_error")


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/cooperation-projects", {"college_id": 2**40}),
        ("/api/v1/enterprises", {"organization_id": -1}),
        ("/api/v1/tech-projects", {"owner_organization_id": 2**31}),
        ("/api/v1/demands", {"enterprise_id": 2**35}),
    ],
)
def test_out_of_range_id_filters_are_422(client, path, params):
    assert_problem(client.get(path, params=params), 422, "validation_error")


def test_out_of_range_ids_in_bodies_are_422(client, db):
    from app.models.enums import Department
    from tests.factories import make_department, make_user

    headers = login(client, make_user(db, make_department(db, Department.industry)))
    body = {
        "kind": "order_class",
        "title": "订单班",
        "enterprise_ids": [2**70],
        "college_ids": [1],
        "major_codes": ["4601"],
        "start_date": "2027-01-01",
    }
    response = client.post("/api/v1/cooperation-projects", json=body, headers=headers)
    assert_problem(response, 422, "validation_error")


def test_database_data_error_is_a_422(database_url):
    from sqlalchemy.exc import DataError

    app = create_app(settings_for(database_url))

    @app.get("/too-long")
    def too_long() -> None:
        raise DataError("INSERT ...", {}, Exception("value too long for type character varying"))

    with TestClient(app, raise_server_exceptions=False) as c:
        assert_problem(c.get("/too-long"), 422, "value_out_of_range")
    app.state.engine.dispose()

"""LOG_FORMAT=json: the app's log and the access log as one JSON object per line."""

import json

import httpx

from app.models.enums import OrgType
from tests.factories import key_headers, make_org
from tests.live_server import serving


def test_json_logs_carry_the_request_fields(database_url, db, tmp_path):
    college = make_org(db, OrgType.college)
    headers = key_headers(db, college)
    log_path = tmp_path / "serve.log"
    with serving(database_url, log_path, LOG_FORMAT="json") as base:
        anonymous = httpx.get(f"{base}/api/v1/taxonomies/clusters")
        signed_in = httpx.get(
            f"{base}/api/v1/auth/me", headers={**headers, "X-Request-ID": "trace-me-7"}
        )
        missing = httpx.get(f"{base}/api/v1/organizations/987654")
    assert (anonymous.status_code, signed_in.status_code, missing.status_code) == (200, 200, 404)
    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line, uvicorn's included
    assert all({"time", "level", "logger", "message"} <= e.keys() for e in entries)
    assert any(e["logger"].startswith("uvicorn") for e in entries)
    access = {e["request_id"]: e for e in entries if e["logger"] == "app.access"}
    me = access["trace-me-7"]
    assert me["route"] == "/api/v1/auth/me" and me["method"] == "GET" and me["status"] == 200
    assert me["organization_id"] == college.id and me["duration_ms"] >= 0
    assert "user_id" not in me  # an API key acts for the organisation, not a user
    not_found = next(e for e in access.values() if e["path"] == "/api/v1/organizations/987654")
    assert not_found["route"] == "/api/v1/organizations/{org_id}"
    assert not_found["status"] == 404 and "organization_id" not in not_found
    assert not_found["request_id"] == missing.headers["x-request-id"]


def test_text_logs_by_default(database_url, tmp_path):
    log_path = tmp_path / "serve.log"
    with serving(database_url, log_path) as base:
        httpx.get(f"{base}/healthz", headers={"X-Request-ID": "plain-1"})
    text = log_path.read_text()
    assert '"GET /healthz" 200' in text and not text.lstrip().startswith("{")
    assert "WARNING app: the database has no users: nobody can sign in" in text


def test_one_access_line_per_request(database_url, tmp_path):
    log_path = tmp_path / "serve.log"
    with serving(database_url, log_path) as base:
        httpx.get(f"{base}/api/v1/taxonomies/districts")
    text = log_path.read_text()
    assert text.count("/api/v1/taxonomies/districts") == 1, text

"""Operations endpoints and the OpenAPI document."""

from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import settings_for


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_readiness_fails_without_database():
    app = create_app(settings_for("postgresql://postgres@127.0.0.1:1/nothing_listens_here"))
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/readyz")
    assert response.status_code == 503
    assert response.json()["code"] == "not_ready"


def test_metrics_by_route_template(client):
    client.get("/api/v1/taxonomies/majors/460103")
    client.get("/api/v1/organizations/12345")
    text = client.get("/metrics").text
    assert 'route="/api/v1/taxonomies/majors/{code}"' in text
    assert 'route="/api/v1/organizations/{org_id}",status="404"' in text
    assert "http_request_duration_seconds_bucket" in text


def test_docs_are_served_from_local_assets(client):
    html = client.get("/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    asset = client.get("/docs-assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.content) > 100_000
    redoc = client.get("/redoc").text
    assert "/docs-assets/redoc.standalone.js" in redoc and "fonts.googleapis" not in redoc
    assert client.get("/docs-assets/redoc.standalone.js").status_code == 200


def test_openapi_documents_problems(client):
    schema = client.get("/openapi.json").json()
    assert {t["name"] for t in schema["tags"]} >= {"auth", "organizations", "reference data"}
    assert "Problem" in schema["components"]["schemas"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    operation = schema["paths"]["/api/v1/organizations"]["post"]
    problem = operation["responses"]["default"]["content"]["application/problem+json"]
    assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "422" in operation["responses"]
    assert "application/json" not in operation["responses"]["422"]["content"]

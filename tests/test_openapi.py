"""The OpenAPI document as client generators and linters take it."""

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def schema(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def test_operation_ids_are_short_unique_snake_case(schema):
    ids = [operation["operationId"] for _, _, operation in operations(schema)]
    assert len(ids) == len(set(ids))
    for method, path, operation in operations(schema):
        operation_id = operation["operationId"]
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+", operation_id), operation_id
        assert len(operation_id) <= 40, operation_id
        # FastAPI's default: the function's name, then the path and the method.
        assert not operation_id.endswith(re.sub(r"\W", "_", path) + "_" + method), operation_id


def test_operation_ids_name_the_domain_and_the_action(schema):
    ids = {(m, p): o["operationId"] for m, p, o in operations(schema)}
    assert ids["get", "/api/v1/demands"] == "demands_list"
    assert ids["post", "/api/v1/demands/{demand_id}/close"] == "demands_close"
    assert ids["post", "/api/v1/demands/{demand_id}/responses"] == "demand_responses_create"
    assert ids["get", "/api/v1/publications/{publication_id}/export"] == "publications_export"
    assert ids["post", "/api/v1/tech-projects/{item_id}/publish"] == "tech_projects_publish"
    assert ids["post", "/api/v1/auth/token"] == "auth_token"
    path = "/api/v1/colleges/{college_id}/student-distributions/{period}/import"
    assert ids["post", path] == "student_distributions_import"


def test_anonymous_reads_accept_no_credential(schema):
    anonymous = {}
    bearer_or_key = [{"OAuth2PasswordBearer": []}, {"APIKeyHeader": []}]
    for path in ("/api/v1/tech-projects", "/api/v1/demands/{demand_id}"):
        assert schema["paths"][path]["get"]["security"] == [*bearer_or_key, anonymous]
    assert schema["paths"]["/api/v1/demands"]["post"]["security"] == bearer_or_key
    assert schema["paths"]["/api/v1/taxonomies/majors"]["get"]["security"] == []
    assert schema["paths"]["/api/v1/auth/token"]["post"]["security"] == []
    for _, _, operation in operations(schema):
        assert "security" in operation, operation["operationId"]


def test_secured_operations_document_401_and_403(schema):
    secured = [o for _, _, o in operations(schema) if o["security"]]
    assert len(secured) > 70
    for operation in secured:
        for status in ("401", "403"):
            response = operation["responses"][status]
            content = response["content"]["application/problem+json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Problem"}
        assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]


def test_rate_limited_operations_document_429_with_retry_after(schema):
    for _, path, operation in operations(schema):
        if path.startswith("/api/"):
            response = operation["responses"]["429"]
            assert response["headers"]["Retry-After"] == {
                "$ref": "#/components/headers/Retry-After"
            }
        for response in operation["responses"].values():
            assert "X-Request-ID" in response["headers"], operation["operationId"]
    assert "429" not in schema["paths"]["/healthz"]["get"]["responses"]
    assert schema["components"]["headers"]["Retry-After"]["schema"]["type"] == "integer"


def test_errors_are_problems_and_bodies_may_be_too_large(schema):
    for _, _, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status[0] in "45" or status == "default":
                assert list(response["content"]) == ["application/problem+json"], status
        if "requestBody" in operation:
            assert "413" in operation["responses"], operation["operationId"]
    demand_create = schema["paths"]["/api/v1/demands"]["post"]["responses"]
    assert "Location" in demand_create["409"]["headers"]
    update = schema["paths"]["/api/v1/tech-projects/{item_id}"]["patch"]["responses"]
    assert "412" in update and "ETag" in update["200"]["headers"]


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        return schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def test_import_is_a_multipart_upload_of_a_binary_file(schema):
    path = "/api/v1/colleges/{college_id}/student-distributions/{period}/import"
    body = schema["paths"][path]["post"]["requestBody"]
    assert list(body["content"]) == ["multipart/form-data"]
    form = resolve(schema, body["content"]["multipart/form-data"]["schema"])
    assert form["required"] == ["file"]
    file = form["properties"]["file"]
    assert file["type"] == "string" and file["format"] == "binary"
    assert "contentMediaType" not in file  # openapi-python-client would send text
    responses = schema["paths"][path]["post"]["responses"]
    assert {"413", "415", "422"} <= set(responses)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/publications/{publication_id}/export", "/api/v1/student-distributions/template"],
)
def test_downloads_are_binary_files(schema, path):
    ok = schema["paths"][path]["get"]["responses"]["200"]
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert set(ok["content"]) == {"text/csv", xlsx}
    for media in ok["content"].values():
        assert media["schema"] == {"type": "string", "format": "binary"}
    assert "Content-Disposition" in ok["headers"]


def test_servers_and_an_ascii_title(app, schema, client):
    assert schema["servers"] == [{"url": "/"}]
    assert schema["info"]["title"].isascii()
    assert "校企合作信息服务平台" in schema["info"]["description"]
    assert client.get("/openapi.json").json()["servers"] == [{"url": "/"}]
    with TestClient(app, root_path="/xqhz") as behind_proxy:
        served = behind_proxy.get("/openapi.json").json()
    assert served["servers"] == [{"url": "/xqhz"}, {"url": "/"}]


def inline_enums(node: Any, where: str = "") -> list[str]:
    if isinstance(node, dict):
        found = [where] if "enum" in node else []
        return found + [p for k, v in node.items() for p in inline_enums(v, f"{where}/{k}")]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in inline_enums(v, f"{where}/{i}")]
    return []


def test_every_enum_is_one_named_component(schema):
    components = schema["components"]["schemas"]
    enums = {name: frozenset(s["enum"]) for name, s in components.items() if "enum" in s}
    assert len(set(enums.values())) == len(enums), enums  # no values named twice
    assert {"CloseReason", "CloseReasonIn", "FileFormat", "DistributionGroupBy"} <= set(enums)
    # Every other use is a reference: generated clients make no `DemandCloseCloseReason`.
    assert inline_enums(schema["paths"]) == []
    for name, component in components.items():
        inner = {k: v for k, v in component.items() if k != "enum"}
        assert inline_enums(inner) == [], name
    close = components["DemandClose"]["properties"]["close_reason"]
    assert close["$ref"] == "#/components/schemas/CloseReasonIn"

"""The OpenAPI document as client generators and linters take it."""

import re
from typing import Any

import pytest
from fastapi import FastAPI

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

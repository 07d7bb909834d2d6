"""The OpenAPI document: every error is documented as a problem+json `Problem`."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.core.errors import Problem

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": PROBLEM_REF}},
    }


def install_openapi(app: FastAPI, *, description: str, tags: list[dict[str, str]]) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=description,
            routes=app.routes,
            tags=tags,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(
            Problem.model_json_schema(ref_template="#/components/schemas/{model}")["$defs"]
        )
        components["Problem"] = {
            k: v
            for k, v in Problem.model_json_schema(
                ref_template="#/components/schemas/{model}"
            ).items()
            if k != "$defs"
        }
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                for status in list(responses):
                    if status[0] in "45":
                        responses[status] = problem_response(
                            responses[status].get("description", "Error")
                        )
                responses["default"] = problem_response("Error (RFC 9457 problem details)")
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

"""The OpenAPI document, written for client generators and linters.

Routes say what only they know, with one helper, `responses(...)`: the errors their rules
raise (`responses=responses(404, 409)`) and the headers and files of their answers
(`responses(404, headers=["ETag"])`), or one of the sets of them below. What follows from a route's
dependencies and from the middleware is added here, once, for every operation: its
`security` (a bearer token or an API key; `{}` too when the caller may be anonymous),
401 and 403 where credentials are read, 413 where a body is sent, 429 where the rate
limit applies and `X-Request-ID` on every answer. Every error is a `Problem`
(application/problem+json).
"""

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from app.api.deps import current_principal, optional_principal
from app.core.errors import PROBLEM_JSON, Problem
from app.core.rate_limit import EXEMPT_PREFIXES

Responses = dict[int | str, dict[str, Any]]

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
BINARY = {"type": "string", "format": "binary"}

# What each error status means here; the `Problem`'s `code` says which case it is.
STATUSES: dict[int, str] = {
    401: "Not authenticated: no credential where one is needed, or a bad or expired one",
    403: "Authenticated, but not allowed to do this",
    404: "Not found, or not visible to the caller",
    409: "Conflicts with the resource's current state",
    412: "`If-Match` does not match the current `ETag`: read the resource again",
    413: "The request body is too large",
    415: "The uploaded file is neither CSV nor XLSX",
    422: "Invalid input: `errors` locates each problem (`row` for file rows)",
    429: "Too many requests: wait `Retry-After` seconds",
    503: "Not ready: the database does not answer",
}
# Headers sent with some answers, described once in `components.headers`.
HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "The request's id: yours when you sent a valid one, a new one otherwise",
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "Seconds to wait before the next request",
        "schema": {"type": "integer", "minimum": 1},
    },
    "ETag": {
        "description": "The version of what was answered: send a feed item's back in "
        "`If-Match`; a CSV export's is its SHA-256",
        "schema": {"type": "string"},
    },
    "Location": {
        "description": "The existing resource's path",
        "schema": {"type": "string"},
    },
    "Content-Disposition": {
        "description": 'An attachment and its file name: `attachment; filename="..."`',
        "schema": {"type": "string"},
    },
    "Content-Language": {
        "description": "The problem's language, `zh-CN` or `en`, as `Accept-Language` asked",
        "schema": {"type": "string"},
    },
    "WWW-Authenticate": {
        "description": "`Bearer`: how to authenticate",
        "schema": {"type": "string"},
    },
}


def header_refs(*names: str) -> dict[str, dict[str, str]]:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


def _errors(*statuses: int, headers: Mapping[int, Iterable[str]] | None = None) -> Responses:
    """Each error status as a `Problem`, described."""
    documented: Responses = {}
    for status in statuses:
        response: dict[str, Any] = {"model": Problem, "description": STATUSES[status]}
        names = [*(headers or {}).get(status, ())]
        if status == 429:
            names.append("Retry-After")
        if status == 401:
            names.append("WWW-Authenticate")
        if names:
            response["headers"] = header_refs(*names)
        documented[status] = response
    return documented


def responses(
    *errors: int,
    ok: int = 200,
    headers: Iterable[str] = (),
    files: Iterable[str] = (),
    error_headers: Mapping[int, Iterable[str]] | None = None,
) -> Responses:
    """A route's `responses=`: the errors its rules raise (each a `Problem`, described, with
    `error_headers`) and, when it has headers or files, its success answer (status `ok`)
    with those headers and, for a download, its media types (binary content)."""
    headers, files = list(headers), list(files)
    documented: Responses = {}
    if headers or files:
        answer: dict[str, Any] = {"description": "Successful Response"}
        answer["headers"] = header_refs(*headers)
        if files:
            answer["content"] = {media_type: {"schema": BINARY} for media_type in files}
        documented[ok] = answer
    return {**documented, **_errors(*errors, headers=error_headers)}


# The sets of answers several routes share, defined once.
CHANGE_ERRORS = responses(404, 409, 422)
"""A change of an item that may be missing, in the wrong state, or refused."""
FEED_CREATED = responses(409, 422, ok=201, headers=["ETag"])
"""A feed item created: its ETag."""
FEED_UPDATED = responses(404, 409, 412, 422, headers=["ETag"])
"""A feed item changed (`If-Match`: 412 when stale): its ETag."""
FEED_MOVED = responses(404, 409, headers=["ETag"])
"""A feed item published or withdrawn: its ETag."""


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def _operations(app: FastAPI, schema: dict[str, Any]) -> Iterator[tuple[Any, dict[str, Any]]]:
    """Each documented route with its operation in `schema`."""
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            yield route, schema["paths"][route.path_format][method.lower()]


def _secure(route: Any, operation: dict[str, Any]) -> list[int]:
    """Set the operation's `security` from the route's dependencies; the statuses it adds."""
    calls = set(_calls(route.dependant))
    if current_principal not in calls and optional_principal not in calls:
        operation["security"] = []
        return []
    if current_principal not in calls:  # anonymous callers welcome
        operation["security"] = [*operation.get("security", []), {}]
    # Also for anonymous-capable routes: a bad credential is a 401, never anonymity, and
    # a suspended organisation's credential a 403.
    return [401, 403]


def _document_route(route: Any, operation: dict[str, Any]) -> None:
    derived = _secure(route, operation)
    if "requestBody" in operation:
        derived.append(413)  # the request middleware caps bodies
    if not route.path_format.startswith(EXEMPT_PREFIXES):
        derived.append(429)
    responses = operation.setdefault("responses", {})
    for status, response in _errors(*derived).items():
        response = {k: v for k, v in response.items() if k != "model"}
        responses.setdefault(str(status), response)
    for status, response in responses.items():
        if status[0] in "45":
            response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
            response["description"] = STATUSES.get(int(status), response["description"])
            response.setdefault("headers", {}).update(header_refs("Content-Language"))
        response.setdefault("headers", {}).update(header_refs("X-Request-ID"))
    responses["default"] = {
        "description": "An unexpected error (RFC 9457 problem details)",
        "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
        "headers": header_refs("Content-Language", "X-Request-ID"),
    }
    operation["responses"] = dict(sorted(responses.items(), key=lambda item: item[0]))


def _binary_uploads(node: Any) -> None:
    """`format: binary` for uploaded files: 3.1's `contentMediaType` is not understood by
    openapi-python-client (which then sends text); both are valid 3.1."""
    if isinstance(node, dict):
        if node.get("type") == "string" and node.pop("contentMediaType", None):
            node["format"] = "binary"
        for value in node.values():
            _binary_uploads(value)
    elif isinstance(node, list):
        for value in node:
            _binary_uploads(value)


def _reuse_enums(node: Any, named: dict[frozenset[Any], str], top: bool = False) -> Any:
    """Replace an inline enum by a reference to the component with the same values."""
    if isinstance(node, dict):
        if not top and "enum" in node and frozenset(node["enum"]) in named:
            ref = f"#/components/schemas/{named[frozenset(node['enum'])]}"
            rest = {k: v for k, v in node.items() if k not in ("enum", "type", "title")}
            return {"$ref": ref, **rest}
        return {k: _reuse_enums(v, named) for k, v in node.items()}
    if isinstance(node, list):
        return [_reuse_enums(v, named) for v in node]
    return node


def install_openapi(app: FastAPI, *, description: str, tags: list[dict[str, str]]) -> None:
    """Serve the document built here at `/openapi.json` (built once, on first use)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=description,
            routes=app.routes,
            tags=tags,
            servers=[{"url": "/"}],  # behind a proxy FastAPI adds the root path first
            license_info={"name": "Apache-2.0", "identifier": "Apache-2.0"},
        )
        components = schema.setdefault("components", {})
        models = components.setdefault("schemas", {})
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        models.update(problem.pop("$defs"))
        models["Problem"] = problem
        models.pop("HTTPValidationError", None)
        models.pop("ValidationError", None)
        components["headers"] = HEADERS
        for route, operation in _operations(app, schema):
            _document_route(route, operation)
        _binary_uploads(models)
        named = {frozenset(s["enum"]): name for name, s in models.items() if "enum" in s}
        schema["paths"] = _reuse_enums(schema["paths"], named)
        components["schemas"] = {
            name: _reuse_enums(model, named, top=True) for name, model in models.items()
        }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

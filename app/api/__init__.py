"""HTTP routes, one module per domain. Every router carries the full `/api/v1` prefix,
so that a route's path is its template in metrics and logs."""

import functools
import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.exceptions import ResponseValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Scope

from app.api.deps import SAFE_METHODS, current_transaction, end_transaction, text_guard

API_PREFIX = "/api/v1"


def _head(path: str) -> str:
    """A path's first three segments: `/api/v1/tech-projects` of `/api/v1/tech-projects/7`."""
    return "/".join(path.split("/", 4)[:4])


def _route_path(scope: Scope) -> str:
    """The request's path below the app's root path (what the routes match)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("", "/"):
        return path[len(root) :]
    return path


def _plain_sync(endpoint: Callable[..., Any]) -> bool:
    """A function run on a thread by FastAPI (not a coroutine, not a generator)."""
    return inspect.isfunction(endpoint) and not (
        inspect.iscoroutinefunction(endpoint)
        or inspect.isgeneratorfunction(endpoint)
        or inspect.isasyncgenfunction(endpoint)
    )


def _in_one_thread(endpoint: Callable[..., Any], routes: list[APIRoute]) -> Callable[..., Any]:
    """`endpoint` as a coroutine that runs it, validates its answer and ends the request's
    transaction on one thread of the pool.

    FastAPI runs a sync endpoint on a thread, validates its answer on another and the
    session dependency commits on a third: each hop costs about as much CPU as a small
    query (bench/http.py). Validating before the commit also keeps every read inside the
    transaction. FastAPI validates the answer again in the event loop, which for a model
    it already is costs next to nothing.
    """

    def run(values: dict[str, Any]) -> Any:
        transaction = current_transaction.get()
        try:
            answer = endpoint(**values)
            field = routes[0].response_field if routes else None
            if field is not None and not isinstance(answer, Response):
                answer, errors = field.validate(answer, {}, loc=("response",))
                if errors:
                    raise ResponseValidationError(errors=errors, body=answer)
        except BaseException as exc:
            if transaction is not None:
                transaction.finish(exc)
            raise
        if transaction is not None:
            transaction.finish(None)
        return answer

    @functools.wraps(endpoint)
    async def coroutine(**values: Any) -> Any:
        return await run_in_threadpool(run, values)

    return coroutine


class TransactionRoute(APIRoute):
    """A route that ends the request's transaction after its endpoint, answered or raised
    (`deps.end_transaction`), before the response is sent."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                response = await handler(request)
            except BaseException as exc:
                await end_transaction(request.scope, exc)
                raise
            await end_transaction(request.scope, None)
            return response

        return handle


class Router(APIRouter):
    """An APIRouter that a request skips at once when its path cannot be one of the router's,
    whose sync endpoints cost one thread hop (`_in_one_thread`) and whose routes that take a
    body check its text (`text_guard`; a dependency of every route cost every GET its time).

    FastAPI tries every included router's every route, in order, for each request: with
    some 150 routes that scan was a third of the cost of `/healthz` (bench/http.py). Every
    route of a router starts with one of a few literal heads, so a request whose head is
    none of them matches no route here, not even partially (no 405 is lost).
    """

    _heads: tuple[int, frozenset[str] | None] = (-1, None)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(route_class=TransactionRoute, **kwargs)

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if set(kwargs.get("methods") or ["GET"]) - SAFE_METHODS:  # a route that takes a body
            kwargs["dependencies"] = [Depends(text_guard), *(kwargs.get("dependencies") or [])]
        if not _plain_sync(endpoint):
            super().add_api_route(path, endpoint, **kwargs)
            return
        routes: list[APIRoute] = []  # the route, once made: its response field
        super().add_api_route(path, _in_one_thread(endpoint, routes), **kwargs)
        route = self.routes[-1]
        assert isinstance(route, APIRoute)
        routes.append(route)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        heads = self._route_heads()
        if heads is not None and _head(_route_path(scope)) not in heads:
            return Match.NONE, {}
        return super().matches(scope)

    def _route_heads(self) -> frozenset[str] | None:
        """The heads of the routes' paths; None if one has a parameter in its head."""
        count, heads = self._heads
        if count != len(self.routes):
            paths = [getattr(route, "path", "{") for route in self.routes]
            found = {_head(path) for path in paths}
            heads = None if any("{" in h for h in found) else frozenset(found)
            self._heads = (len(self.routes), heads)
        return heads

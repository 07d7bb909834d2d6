"""HTTP routes, one module per domain. Every router carries the full `/api/v1` prefix,
so that a route's path is its template in metrics and logs."""

from fastapi import APIRouter
from starlette._utils import get_route_path
from starlette.routing import Match
from starlette.types import Scope

API_PREFIX = "/api/v1"


def _head(path: str) -> str:
    """A path's first three segments: `/api/v1/tech-projects` of `/api/v1/tech-projects/7`."""
    return "/".join(path.split("/", 4)[:4])


class Router(APIRouter):
    """An APIRouter that a request skips at once when its path cannot be one of the router's.

    FastAPI tries every included router's every route, in order, for each request: with
    some 150 routes that scan was a third of the cost of `/healthz` (bench/http.py). Every
    route of a router starts with one of a few literal heads, so a request whose head is
    none of them matches no route here, not even partially (no 405 is lost).
    """

    _heads: tuple[int, frozenset[str] | None] = (-1, None)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        heads = self._route_heads()
        if heads is not None and _head(get_route_path(scope)) not in heads:
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

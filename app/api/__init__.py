"""HTTP routes, one module per domain. Every router carries the full `/api/v1` prefix,
so that a route's path is its template in metrics and logs."""

API_PREFIX = "/api/v1"

"""Per-request values that the audit trail needs deep inside services."""

from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
client_address: ContextVar[str | None] = ContextVar("client_address", default=None)

"""Logging in one format for the app and the access log: text (default) or JSON lines."""

import json
import logging
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["text", "json"]

# Fields a request's log lines carry (the access line sets them all; others, the request id).
REQUEST_FIELDS = ("request_id", "method", "route", "path", "status", "duration_ms", "user_id",
                  "organization_id", "client")  # fmt: skip


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        from app.core import context  # here, so that logging can be set up before the app

        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or context.request_id.get()
        if request_id:
            entry["request_id"] = request_id
        for field in REQUEST_FIELDS[1:]:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _Handler(logging.StreamHandler):
    """Ours: replaced when logging is set up again, other handlers (a test's) left alone."""


def configure_logging(log_format: LogFormat = "text", level: str = "INFO") -> None:
    """Route every logger (ours, uvicorn's, SQLAlchemy's) through one root handler."""
    handler = _Handler()
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # The app writes its own access line (app.access, with the request's fields).
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False

"""One error family, rendered by one set of handlers as RFC 9457 problem details.

Unexpected exceptions are caught by `RequestContextMiddleware`, which logs the
trace and answers a generic 500 problem carrying the request id.
"""

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"


class ProblemError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str
    row: int | None = None


class Problem(BaseModel):
    """RFC 9457 problem details, the body of every error response."""

    type: str
    title: str
    status: int
    detail: str | None = None
    code: str
    request_id: str | None = None
    errors: list[ProblemError] | None = None


class AppError(Exception):
    """Base of every error the application raises on purpose."""

    status_code = 400
    code = "bad_request"
    # When True the request's transaction is committed although the request fails
    # (a failed sign-in must still be counted).
    keep_changes = False

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or self.code)
        self.detail = detail
        if code:
            self.code = code
        self.errors = errors
        self.headers = headers or {}


class Unauthorized(AppError):
    status_code = 401
    code = "not_authenticated"

    def __init__(self, detail: str | None = "Not authenticated", **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kwargs)


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class PreconditionFailed(AppError):
    status_code = 412
    code = "precondition_failed"


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(AppError):
    status_code = 415
    code = "unsupported_media_type"


class Invalid(AppError):
    """A business rule rejects the input (422); `errors` locates each problem."""

    status_code = 422
    code = "validation_error"

    @classmethod
    def field(cls, loc: tuple[str | int, ...], msg: str, type_: str = "value_error") -> "Invalid":
        return cls(msg, errors=[{"loc": list(loc), "msg": msg, "type": type_}])


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


def problem_body(
    status: int,
    code: str,
    detail: str | None = None,
    *,
    request_id: str | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "request_id": request_id,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def problem_response(
    request: Request,
    status: int,
    code: str,
    detail: str | None = None,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None)
    body = problem_body(status, code, detail, request_id=request_id, errors=errors)
    return JSONResponse(
        jsonable_encoder(body), status_code=status, headers=headers, media_type=PROBLEM_JSON
    )


_HTTP_CODES = {
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return problem_response(
            request, exc.status_code, exc.code, exc.detail, errors=exc.errors, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(
            request,
            422,
            "validation_error",
            "The request is not valid.",
            errors=_validation_errors(exc),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        detail = exc.detail if isinstance(exc.detail, str) else None
        return problem_response(
            request, exc.status_code, code, detail, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # Services check uniqueness first; this answers the race in which two
        # requests pass that check at once and the database refuses the second.
        return problem_response(
            request, 409, "conflict", "The change conflicts with data saved meanwhile; retry."
        )

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        # Schemas bound what they take; this is the net under them (a value the database
        # cannot hold is the client's error, not the server's).
        return problem_response(
            request, 422, "value_out_of_range", "A value is out of range or too long."
        )

"""One error family, rendered by one set of handlers as RFC 9457 problem details.

Unexpected exceptions are caught by `RequestContextMiddleware`, which logs the
trace and answers a generic 500 problem carrying the request id.
"""

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, Field
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core import i18n
from app.core.i18n import Text, t
from app.core.validation_messages import validation_message

PROBLEM_JSON = "application/problem+json"
# What a 503 for a database outage tells the client to wait.
OUTAGE_RETRY_SECONDS = 5
outage_log = logging.getLogger("app.outage")

# The problem's `title`: the status in the request's language.
TITLES: dict[int, Text] = {
    400: t("请求有误", "Bad Request"),
    401: t("未认证", "Unauthorized"),
    403: t("无权访问", "Forbidden"),
    404: t("未找到", "Not Found"),
    405: t("不支持该请求方法", "Method Not Allowed"),
    409: t("冲突", "Conflict"),
    412: t("前提条件不成立", "Precondition Failed"),
    413: t("请求内容过大", "Content Too Large"),
    415: t("不支持的内容类型", "Unsupported Media Type"),
    422: t("请求内容无效", "Unprocessable Content"),
    429: t("请求过于频繁", "Too Many Requests"),
    500: t("服务器内部错误", "Internal Server Error"),
    503: t("服务暂时不可用", "Service Unavailable"),
}


def problem_title(status: int, lang: i18n.Language | None = None) -> str:
    title = TITLES.get(status)
    return title.render(lang) if title else HTTPStatus(status).phrase


def problem_headers(lang: i18n.Language | None = None) -> dict[str, str]:
    """The headers every problem answer carries besides its own."""
    return {
        "Content-Language": i18n.CONTENT_LANGUAGE[lang or i18n.language.get()],
        "Vary": "Accept-Language",
    }


class ProblemError(BaseModel):
    loc: list[str | int]
    # A `Text` (as services collect them) is rendered in the request's language.
    msg: Annotated[str, BeforeValidator(i18n.render)]
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
    existing_id: int | None = Field(
        None, description="The resource that already exists (a conflict's machine field)"
    )
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
        detail: Text | str | None = None,
        *,
        code: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        existing_id: int | None = None,
    ) -> None:
        super().__init__(i18n.render(detail, "en") or self.code)
        self.detail = detail
        if code:
            self.code = code
        self.errors = errors
        self.headers = headers or {}
        self.existing_id = existing_id


class Unauthorized(AppError):
    status_code = 401
    code = "not_authenticated"

    def __init__(
        self,
        detail: Text | str | None = t("未认证：请先登录。", "Not authenticated."),
        **kwargs: Any,
    ) -> None:
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
    def field(
        cls, loc: tuple[str | int, ...], msg: Text | str, type_: str = "value_error"
    ) -> "Invalid":
        return cls(msg, errors=[{"loc": list(loc), "msg": msg, "type": type_}])


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"

    def __init__(self, detail: Text | str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


def problem_body(
    status: int,
    code: str,
    detail: Text | str | None = None,
    *,
    request_id: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    existing_id: int | None = None,
    lang: i18n.Language | None = None,
) -> dict[str, Any]:
    """The problem's fields, its messages rendered in `lang` (default: the request's)."""
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": problem_title(status, lang),
        "status": status,
        "detail": i18n.render(detail, lang),
        "code": code,
        "request_id": request_id,
    }
    if existing_id is not None:
        body["existing_id"] = existing_id
    if errors is not None:
        body["errors"] = [{**e, "msg": i18n.render(e.get("msg"), lang)} for e in errors]
    return body


def problem_response(
    request: Request,
    status: int,
    code: str,
    detail: Text | str | None = None,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    existing_id: int | None = None,
) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None)
    body = problem_body(
        status, code, detail, request_id=request_id, errors=errors, existing_id=existing_id
    )
    return JSONResponse(
        jsonable_encoder(body),
        status_code=status,
        headers={**problem_headers(), **(headers or {})},
        media_type=PROBLEM_JSON,
    )


# Errors Starlette raises itself (no route, wrong method, ...): their code and message.
_HTTP_ERRORS: dict[int, tuple[str, Text]] = {
    401: ("not_authenticated", t("未认证：请先登录。", "Not authenticated.")),
    403: ("forbidden", t("无权访问。", "Forbidden.")),
    404: ("not_found", t("没有这个地址。", "There is nothing at this address.")),
    405: ("method_not_allowed", t("该地址不支持此请求方法。", "This method is not allowed here.")),
    413: ("payload_too_large", t("请求内容过大。", "The request body is too large.")),
    415: ("unsupported_media_type", t("不支持的内容类型。", "Unsupported media type.")),
}


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "loc": list(e.get("loc", ())),
            "msg": validation_message(e),
            "type": e.get("type", ""),
        }
        for e in exc.errors()
    ]


async def _now(function: Callable[..., JSONResponse], *args: Any, **kwargs: Any) -> JSONResponse:
    return function(*args, **kwargs)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        # A rejected upload lists up to `distribution_max_errors` problems: rendering them
        # takes a while, which must not block the event loop (every other request).
        render = run_in_threadpool if exc.errors else _now
        return await render(
            problem_response,
            request,
            exc.status_code,
            exc.code,
            exc.detail,
            errors=exc.errors,
            headers=exc.headers,
            existing_id=exc.existing_id,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(
            request,
            422,
            "validation_error",
            t("请求内容无效，详见 errors。", "The request is not valid; see errors."),
            errors=_validation_errors(exc),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, detail = _HTTP_ERRORS.get(
            exc.status_code, ("http_error", t("请求无法处理。", "The request cannot be served."))
        )
        if isinstance(exc.detail, Text):
            detail = exc.detail
        return problem_response(
            request, exc.status_code, code, detail, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # Services check uniqueness first; this answers the race in which two
        # requests pass that check at once and the database refuses the second.
        return problem_response(
            request,
            409,
            "conflict",
            t(
                "与同时保存的数据冲突，请重试。",
                "The change conflicts with data saved meanwhile; retry.",
            ),
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(SQLAlchemyTimeoutError)
    async def _outage(request: Request, exc: Exception) -> JSONResponse:
        # The database is unreachable, refuses connections, or stayed locked past its
        # timeout (SQLite's "database is locked"): an outage, which passes; not a bug.
        outage_log.warning("database unavailable: %s", str(exc).splitlines()[0][:300])
        return problem_response(
            request,
            503,
            "service_unavailable",
            t(
                "数据库暂时不可用，请稍后重试。",
                "The database is unavailable for the moment; retry later.",
            ),
            headers={"Retry-After": str(OUTAGE_RETRY_SECONDS)},
        )

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        # Schemas bound what they take; this is the net under them (a value the database
        # cannot hold is the client's error, not the server's).
        return problem_response(
            request,
            422,
            "value_out_of_range",
            t("有取值超出范围或过长。", "A value is out of range or too long."),
        )

"""Messages read in Chinese by default and in English on request; machine keys never change."""

import ast
import re
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic_core.core_schema import ErrorType

from app.core.i18n import Text, negotiate, render, t
from app.core.validation_messages import ZH, validation_message
from app.models.enums import Department, OrgType
from tests.factories import (
    HIGHER_MAJOR_2,
    assert_problem,
    cohort,
    current_period,
    demand_body,
    feed_payload,
    key_headers,
    make_department,
    make_org,
    post_demand,
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "zh"),
        ("", "zh"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("fr-FR, en;q=0.5", "en"),
        ("fr, de", "zh"),
        ("en;q=0.3, zh-TW;q=0.7", "zh"),
        ("zh;q=0.2, en;q=0.9", "en"),
        ("en;q=0, zh;q=0.1", "zh"),
        ("en;q=abc", "zh"),
        ("*", "zh"),
    ],
)
def test_negotiate(header, expected):
    assert negotiate(header) == expected


def test_problems_are_chinese_by_default(client):
    response = client.get("/api/v1/nowhere")
    body = assert_problem(response, 404, "not_found")
    assert body["title"] == "未找到" and body["detail"] == "没有这个地址。"
    assert response.headers["content-language"] == "zh-CN"


def test_problems_in_english_on_request(client):
    response = client.get("/api/v1/nowhere", headers={"Accept-Language": "en-GB,en;q=0.9"})
    body = assert_problem(response, 404, "not_found")
    assert body["title"] == "Not Found" and body["type"] == "/problems/not_found"
    assert response.headers["content-language"] == "en"


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_validation_messages_follow_the_language_and_keys_do_not(client, language):
    response = client.post(
        "/api/v1/registrations", json={"organization": {}}, headers={"Accept-Language": language}
    )
    body = assert_problem(response, 422, "validation_error")
    missing = next(e for e in body["errors"] if e["loc"] == ["body", "user"])
    assert missing["type"] == "missing"
    assert missing["msg"] == ("缺少必填字段" if language == "zh-CN" else "Field required")


# --- Every message in both languages, checked on the source --------------------------------

APP = Path(__file__).resolve().parents[1] / "app"
CATALOGUE = Path(__file__).resolve().parents[1] / "docs" / "errors.md"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(APP.rglob("*.py"))]


def _callee(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _strings(node: ast.AST) -> set[str]:
    return {
        c.value for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str)
    }


def emitted_codes() -> dict[str, str]:
    """Every `code` a problem can carry, found in app/: `code=` arguments, `code = "..."` on
    classes, the code argument of `send_problem`/`problem_response`, and (code, t(...)) pairs
    such as the table of Starlette's own errors."""
    found: dict[str, str] = {}
    for path, tree in _modules():
        where = str(path.relative_to(APP.parent))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "code":
                        found.update(dict.fromkeys(_strings(keyword.value), where))
                code_arg = node.args[2] if len(node.args) > 2 else None
                if _callee(node) in ("send_problem", "problem_response") and (
                    isinstance(code_arg, ast.Constant) and isinstance(code_arg.value, str)
                ):
                    found[code_arg.value] = where
            elif isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if (
                        isinstance(stmt, ast.Assign)
                        and any(isinstance(x, ast.Name) and x.id == "code" for x in stmt.targets)
                        and isinstance(stmt.value, ast.Constant)
                    ):
                        found[stmt.value.value] = where
            elif isinstance(node, ast.Tuple) and len(node.elts) == 2:
                code, message = node.elts
                if (
                    isinstance(code, ast.Constant)
                    and isinstance(code.value, str)
                    and isinstance(message, ast.Call)
                    and _callee(message) == "t"
                ):
                    found[code.value] = where
    return found


def catalogued_codes() -> list[str]:
    """The codes of docs/errors.md's table (its "Codes" section), in order."""
    text = CATALOGUE.read_text(encoding="utf-8")
    section = text.split("\n## Codes\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE)


def test_the_code_catalogue_is_complete_and_has_no_stale_codes():
    emitted, listed = emitted_codes(), catalogued_codes()
    assert {"not_found", "duplicate_external_id", "rate_limited", "already_withdrawn"} <= set(
        emitted
    )
    missing = {code: where for code, where in emitted.items() if code not in listed}
    assert not missing, f"codes missing from docs/errors.md: {missing}"
    stale = sorted(set(listed) - set(emitted))
    assert not stale, f"docs/errors.md lists codes the app never sends: {stale}"
    assert len(listed) == len(set(listed)), "a code is listed twice"


class _MessageCheck(ast.NodeVisitor):
    """Finds client-facing messages that are not written with `t(zh, en)`.

    A message is fine when it is a `t(...)` call, `None`, a conditional between fine
    messages, a call of a function of the module declared `-> Text`, an attribute that a
    class of app/ declares `Text` (`exc.why`), or a name that is a parameter or local
    declared `Text` or only ever assigned fine messages.
    """

    def __init__(
        self, path: Path, tree: ast.Module, family: set[str], text_attributes: set[str]
    ) -> None:
        self.path = path
        self.family = family
        self.text_attributes = text_attributes
        self.text_functions = {
            f.name
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef) and f.returns is not None
            if ast.unparse(f.returns) in ("Text", "Text | None")
        }
        self.scopes: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        self.bad: list[str] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scopes.append(node)
        self.generic_visit(node)
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def fine(self, node: ast.expr | None, seen: frozenset[str] = frozenset()) -> bool:
        if node is None or (isinstance(node, ast.Constant) and node.value is None):
            return True
        if isinstance(node, ast.Call):
            return _callee(node) == "t" or _callee(node) in self.text_functions
        if isinstance(node, ast.IfExp):
            return self.fine(node.body, seen) and self.fine(node.orelse, seen)
        if isinstance(node, ast.Attribute):
            return node.attr in self.text_attributes
        if isinstance(node, ast.Name) and self.scopes and node.id not in seen:
            return self._fine_name(node.id, self.scopes[-1], seen | {node.id})
        return False

    def _fine_name(self, name: str, scope: ast.AST, seen: frozenset[str]) -> bool:
        assert isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef)
        arguments = scope.args.args + scope.args.kwonlyargs + scope.args.posonlyargs
        for arg in arguments:
            if arg.arg == name:
                return arg.annotation is not None and ast.unparse(arg.annotation) == "Text"
        values = []
        for node in ast.walk(scope):
            if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == name:
                if ast.unparse(node.annotation) == "Text":
                    return True
                values.append(node.value)
            elif isinstance(node, ast.Assign) and any(
                getattr(target, "id", None) == name for target in node.targets
            ):
                values.append(node.value)
        return bool(values) and all(self.fine(v, seen) for v in values)

    def report(self, node: ast.AST, what: str) -> None:
        self.bad.append(f"{self.path.relative_to(APP.parent)}:{node.lineno}: {what}")

    def visit_Call(self, node: ast.Call) -> None:
        name = _callee(node)
        func = node.func
        keywords = {k.arg: k.value for k in node.keywords}
        if isinstance(func, ast.Name) and name in self.family:
            detail = node.args[0] if node.args else keywords.get("detail")
            if not self.fine(detail):
                self.report(node, f"{name}({ast.unparse(detail) if detail else ''})")
        elif name == "field" and isinstance(func, ast.Attribute):
            if getattr(func.value, "id", None) in self.family:
                msg = node.args[1] if len(node.args) > 1 else keywords.get("msg")
                if not self.fine(msg):
                    self.report(node, f"Invalid.field(..., {ast.unparse(msg) if msg else ''})")
        elif name == "send_problem" and len(node.args) > 3 and not self.fine(node.args[3]):
            self.report(node, f"send_problem(..., {ast.unparse(node.args[3])})")
        elif name == "HTTPException" and len(node.args) > 1 and not self.fine(node.args[1]):
            self.report(node, f"HTTPException(..., {ast.unparse(node.args[1])})")
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        # Entries of `errors`; the handlers in app/core/errors.py only pass them on.
        if self.path.name != "errors.py" or self.path.parent.name != "core":
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "msg" and not self.fine(value):
                    self.report(node, f'"msg": {ast.unparse(value)}')
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:
        # A validator's message reaches the client as the error's msg.
        schemas = self.path.parent.name == "schemas"
        if schemas and isinstance(node.exc, ast.Call) and _callee(node.exc) == "ValueError":
            if not (node.exc.args and self.fine(node.exc.args[0])):
                self.report(node, ast.unparse(node.exc))
        self.generic_visit(node)


def error_family(modules: list[tuple[Path, ast.Module]]) -> set[str]:
    """AppError and every class that derives from it, anywhere in app/."""
    family = {"AppError"}
    classes = [c for _, tree in modules for c in ast.walk(tree) if isinstance(c, ast.ClassDef)]
    grew = True
    while grew:
        grew = False
        for c in classes:
            bases = {getattr(b, "id", None) or getattr(b, "attr", None) for b in c.bases}
            if c.name not in family and bases & family:
                family.add(c.name)
                grew = True
    return family


def text_attributes(modules: list[tuple[Path, ast.Module]]) -> set[str]:
    """Attributes that classes of app/ declare as `Text` (`why: Text`)."""
    return {
        stmt.target.id
        for _, tree in modules
        for c in ast.walk(tree)
        if isinstance(c, ast.ClassDef)
        for stmt in c.body
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
        if ast.unparse(stmt.annotation) == "Text"
    }


def test_every_message_that_reaches_a_client_is_written_in_both_languages():
    modules = _modules()
    family, attributes = error_family(modules), text_attributes(modules)
    assert {"NotFound", "Invalid", "TooManyRequests", "SignInFailed", "NotReady"} <= family
    bad: list[str] = []
    for path, tree in modules:
        check = _MessageCheck(path, tree, family, attributes)
        check.visit(tree)
        bad += check.bad
    assert not bad, "messages not written with t(zh, en):\n" + "\n".join(bad)


def test_every_pydantic_error_type_has_a_chinese_template():
    missing = set(get_args(ErrorType)) - ZH.keys()
    assert not missing, sorted(missing)
    assert all(CJK.search(template) for template in ZH.values())


def test_third_party_value_errors_read_in_chinese():
    plain = {"type": "value_error", "msg": "Value error, bad", "ctx": {"error": ValueError("bad")}}
    message = validation_message(plain)
    assert isinstance(message, Text)
    assert (message.zh, message.en) == ("取值无效：bad", "Value error, bad")
    ours = t("不能包含 NUL 字符", "must not contain NUL characters")
    assert validation_message({"type": "value_error", "ctx": {"error": ValueError(ours)}}) is ours
    choices = {
        "type": "enum",
        "msg": "Input should be 'a' or 'b'",
        "ctx": {"expected": "'a' or 'b'"},
    }
    assert render(validation_message(choices), "zh") == "应为以下之一：'a' 或 'b'"


# --- Real errors over HTTP, in both languages -----------------------------------------------

EN = {"Accept-Language": "en"}


def _texts(body: dict[str, Any]) -> list[str]:
    return [body["title"], body["detail"] or "", *(e["msg"] for e in body.get("errors") or [])]


def in_both_languages(send: Any, status: int, code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Send the request as Chinese (by default) and as English: the same problem, keys alike,
    every message Chinese in the one and without a Chinese character in the other."""
    zh_response, en_response = send({}), send(EN)
    zh, en = assert_problem(zh_response, status, code), assert_problem(en_response, status, code)
    assert zh_response.headers["content-language"] == "zh-CN"
    assert en_response.headers["content-language"] == "en"
    assert zh["type"] == en["type"] == f"/problems/{code}"
    keys = [{k: e.get(k) for k in ("loc", "type", "row")} for e in zh.get("errors") or []]
    assert keys == [{k: e.get(k) for k in ("loc", "type", "row")} for e in en.get("errors") or []]
    assert all(CJK.search(text) for text in _texts(zh)), zh
    assert not any(CJK.search(text) for text in _texts(en)), en
    return zh, en


def test_a_service_404_in_both_languages(client):
    zh, en = in_both_languages(
        lambda h: client.get("/api/v1/organizations/999999", headers=h), 404, "not_found"
    )
    assert (zh["detail"], en["detail"]) == ("没有这个组织。", "No such organisation.")


def test_a_duplicate_external_id_names_the_existing_demand(client, db):
    headers = key_headers(db, make_org(db))
    first = post_demand(client, headers, open_=False, external_id="JOB-I18N")

    def send(language: dict[str, str]) -> Any:
        body = demand_body(external_id="JOB-I18N")
        return client.post("/api/v1/demands", json=body, headers={**headers, **language})

    zh, en = in_both_languages(send, 409, "duplicate_external_id")
    assert zh["existing_id"] == en["existing_id"] == first["id"]
    assert send({}).headers["location"] == f"/api/v1/demands/{first['id']}"
    assert "existing_id" not in assert_problem(client.get("/api/v1/demands/999999"), 404)


def test_a_business_rule_422_in_both_languages(client, db):
    headers = key_headers(db, make_org(db))
    body = demand_body(salary_min=9000, salary_max=5000)
    zh, en = in_both_languages(
        lambda h: client.post("/api/v1/demands", json=body, headers={**headers, **h}),
        422,
        "validation_error",
    )
    assert [e["loc"] for e in zh["errors"]] == [["body", "salary_max"]]
    assert zh["errors"][0]["msg"] == "最高薪资不能低于最低薪资。"
    assert en["errors"][0]["msg"] == "salary_max must not be below salary_min."


def test_an_upload_row_error_in_both_languages(client, db):
    college = make_org(db, OrgType.college)
    headers = key_headers(db, college)
    period = current_period()
    good, bad = cohort(period), cohort(period, HIGHER_MAJOR_2, headcount="thirty")
    lines = [",".join(good), *(",".join(str(r[f]) for f in good) for r in (good, bad))]
    content = ("\r\n".join(lines) + "\r\n").encode()
    url = f"/api/v1/colleges/{college.id}/student-distributions/{period}/import"

    def send(language: dict[str, str]) -> Any:
        files = {"file": ("rows.csv", content, "text/csv")}
        return client.post(url, files=files, headers={**headers, **language})

    zh, en = in_both_languages(send, 422, "invalid_rows")
    assert [(e["row"], e["loc"], e["type"]) for e in zh["errors"]] == [
        (2, ["file", "headcount"], "value_error")
    ]
    assert zh["errors"][0]["msg"] == "在校生人数应为整数。"
    assert en["errors"][0]["msg"] == "headcount must be a whole number."


def test_401_and_403_in_both_languages(client, db):
    in_both_languages(
        lambda h: client.post("/api/v1/demands", json=demand_body(), headers=h),
        401,
        "not_authenticated",
    )
    in_both_languages(
        lambda h: client.get("/api/v1/auth/me", headers={"X-API-Key": "nope", **h}),
        401,
        "invalid_api_key",
    )
    college = key_headers(db, make_org(db, OrgType.college))
    zh, en = in_both_languages(
        lambda h: client.post("/api/v1/demands", json=demand_body(), headers={**college, **h}),
        403,
        "forbidden",
    )
    assert zh["detail"] == "仅企业可以执行此操作。"
    assert en["detail"] == "Only organisations of type enterprise may do this."


@pytest.mark.parametrize(
    ("overrides", "loc", "type_", "zh_msg"),
    [
        ({"title": None}, ["body", "title"], "missing", "缺少必填字段"),
        ({"external_id": "x" * 101}, ["body", "external_id"], "string_too_long", "至多 100 个字符"),
        ({"kind": "volunteering"}, ["body", "kind"], "enum", "应为以下之一："),
        ({"headcount": "many"}, ["body", "headcount"], "int_parsing", "应为整数"),
        ({"valid_until": "soon"}, ["body", "valid_until"], "date_from_datetime_parsing", "日期"),
    ],
)
def test_schema_422s_in_both_languages(client, db, overrides, loc, type_, zh_msg):
    headers = key_headers(db, make_org(db))
    body = {k: v for k, v in demand_body(**overrides).items() if v is not None}
    zh, en = in_both_languages(
        lambda h: client.post("/api/v1/demands", json=body, headers={**headers, **h}),
        422,
        "validation_error",
    )
    (error,) = [e for e in zh["errors"] if e["loc"] == loc]
    assert error["type"] == type_ and zh_msg in error["msg"], error


def test_validators_and_email_errors_in_both_languages(client, db):
    def register(language: dict[str, str]) -> Any:
        organization = {"name": "Test College", "org_type": "college", "contact_email": "nope"}
        body = {"organization": organization, "user": {"username": "abc", "password": "x" * 8}}
        return client.post("/api/v1/registrations", json=body, headers=language)

    zh, en = in_both_languages(register, 422, "validation_error")
    (email,) = [e for e in zh["errors"] if e["loc"][-1] == "contact_email"]
    assert email["type"] == "value_error" and email["msg"].startswith("不是有效的电子邮箱地址")

    headers = key_headers(db, make_department(db, Department.tech))
    body = feed_payload(db, "tech_project", summary="Sea\x00food")
    zh, en = in_both_languages(
        lambda h: client.post("/api/v1/tech-projects", json=body, headers={**headers, **h}),
        422,
        "validation_error",
    )
    assert [(e["loc"], e["msg"]) for e in zh["errors"]] == [
        (["body", "summary"], "不能包含控制字符或双向控制符（U+0000）")
    ]
    assert en["errors"][0]["msg"] == "must not contain control or bidi characters (U+0000)"

"""The documents in docs/ stay true to the code: the webhook signature snippets of the
guide run against what the platform sends, every operation of the app is in the contract
(and every operation the documents name exists), and every relative link resolves."""

import base64
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.main import CORS_EXPOSED_HEADERS, CORS_METHODS, CORS_REQUEST_HEADERS, create_app
from app.schemas.events import EventRead, EventResource
from app.services.webhooks import dispatcher, sending
from tests.conftest import settings_for

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CONTRACT = DOCS / "api.md"
GUIDE = DOCS / "guide.md"
SECRET = "whsec_docs-test-secret-0123456789abcdefghijklmnop"
NEW_SECRET = "whsec_docs-test-rotated-secret-9876543210zyxwvu"

# `GET /api/v1/demands/{demand_id}` in inline code; a query string ends the path.
OPERATION = re.compile(r"`(GET|HEAD|POST|PUT|PATCH|DELETE) (/[^`\s?]*)")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


@pytest.fixture(autouse=True)
def _clean_database() -> Iterator[None]:
    """Overrides conftest's: these tests read files and build the app, with no database."""
    yield


@pytest.fixture(scope="module")
def docs_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    # Never connected to: the OpenAPI document and the routes need no database.
    app = create_app(settings_for(f"sqlite:///{tmp_path_factory.mktemp('docs') / 'unused.db'}"))
    yield app
    app.state.engine.dispose()


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def normalise(path: str) -> str:
    """`/demands/{demand_id}` and `/demands/{id}` are the same operation."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def named_operations(path: Path) -> set[tuple[str, str]]:
    return {(method, normalise(p)) for method, p in OPERATION.findall(read(path))}


# 1. The signature snippets


def code_block(language: str, defines: str) -> str:
    """The one fenced block of the guide in `language` that contains `defines`."""
    blocks = re.findall(rf"^```{language}\n(.*?)^```", read(GUIDE), re.M | re.S)
    found = [b for b in blocks if defines in b]
    assert len(found) == 1, f"docs/guide.md should have one ```{language} block with {defines}"
    return found[0]


@pytest.fixture
def delivery(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The body and headers the dispatcher sends for an event (nothing leaves the test)."""
    sent: dict[str, Any] = {}

    def capture(url: str, body: bytes, headers: dict[str, str], settings: Any) -> Any:
        sent.update(url=url, body=body, headers=headers)
        return sending.Outcome(True, 200)

    monkeypatch.setattr(sending, "send", capture)
    event = EventRead(
        id=41,
        type="demand.opened",
        occurred_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        resource=EventResource(type="demand", id=7),
        data={"id": 7, "title": "数控设备操作工", "major_codes": ["460103", "4602"]},
    )
    claim = dispatcher.Claim(
        delivery_id=3,
        token="docs-test",
        attempt=1,
        event_id=event.id,
        event_type=event.type,
        url="https://erp.example.com/hooks/xqhz",
        secrets=(SECRET,),
        body=event.model_dump_json().encode(),
    )
    dispatcher.deliver(claim, None)  # type: ignore[arg-type]  # `send` is replaced
    single = dict(sent)
    dispatcher.deliver(replace(claim, secrets=(NEW_SECRET, SECRET)), None)  # type: ignore[arg-type]
    return {**single, "rotated_header": sent["headers"]["X-Webhook-Signature"]}


def signature_cases(delivery: dict[str, Any]) -> list[tuple[str, str, bytes, str | None, bool]]:
    """(name, secret, body, header, whether the snippet must accept it)."""
    body: bytes = delivery["body"]
    header: str = delivery["headers"]["X-Webhook-Signature"]
    assert header == sending.sign(SECRET, body)
    flipped = header[:-1] + ("0" if header[-1] != "0" else "1")
    both: str = delivery["rotated_header"]
    assert both == f"{sending.sign(NEW_SECRET, body)}, {header}"
    return [
        ("valid", SECRET, body, header, True),
        ("rotation: the new secret", NEW_SECRET, body, both, True),
        ("rotation: the old secret", SECRET, body, both, True),
        ("rotation: another secret", SECRET + "x", body, both, False),
        ("tampered body", SECRET, body.replace("数控".encode(), "焊接".encode()), header, False),
        ("extra byte", SECRET, body + b" ", header, False),
        ("tampered signature", SECRET, body, flipped, False),
        ("other secret", SECRET + "x", body, header, False),
        ("bare hex", SECRET, body, header.removeprefix("sha256="), False),
        ("empty header", SECRET, body, "", False),
        ("no header", SECRET, body, None, False),
    ]


def test_python_signature_snippet_accepts_the_platform_signature_only(delivery):
    namespace: dict[str, Any] = {}
    source = code_block("python", "def verify_signature")
    exec(compile(source, "docs/guide.md (python)", "exec"), namespace)
    verify = namespace["verify_signature"]
    for name, secret, body, header, expected in signature_cases(delivery):
        assert verify(secret, body, header) is expected, name


def test_javascript_signature_snippet_accepts_the_platform_signature_only(delivery, tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the JavaScript snippet of docs/guide.md was not run")
    cases = signature_cases(delivery)
    harness = """
const cases = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
const results = cases.map(([secret, body, header]) =>
  verifySignature(secret, Buffer.from(body, "base64"), header === null ? undefined : header));
process.stdout.write(JSON.stringify(results));
"""
    script = tmp_path / "verify.cjs"
    script.write_text(code_block("js", "function verifySignature") + harness, encoding="utf-8")
    given = [[s, base64.b64encode(b).decode(), h] for _n, s, b, h, _e in cases]
    run = subprocess.run(
        [node, str(script)],
        input=json.dumps(given),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [e for *_rest, e in cases], [n for n, *_rest in cases]


def test_the_guide_names_every_delivery_header(delivery):
    guide = read(GUIDE)
    for header in delivery["headers"]:
        assert f"`{header}`" in guide, header


# 2. The contract and the app's operations


def openapi_operations(app: FastAPI) -> set[tuple[str, str]]:
    methods = {"get", "head", "post", "put", "patch", "delete"}
    return {
        (method.upper(), normalise(path))
        for path, item in app.openapi()["paths"].items()
        for method in item
        if method in methods
    }


def served_outside_openapi(app: FastAPI, operations: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Those of `operations` (pages such as `/docs`, left out of OpenAPI) the app serves."""
    client = TestClient(app)  # no lifespan: these pages touch no database
    return {(m, p) for m, p in operations if m == "GET" and client.get(p).status_code == 200}


def test_every_operation_of_the_app_is_in_the_contract(docs_app):
    missing = openapi_operations(docs_app) - named_operations(CONTRACT)
    assert not missing, f"operations missing from docs/api.md: {sorted(missing)}"


@pytest.mark.parametrize("document", [CONTRACT, GUIDE], ids=lambda p: p.name)
def test_every_operation_the_documents_name_exists(docs_app, document):
    named = named_operations(document)
    assert named, f"{document.name} names no operation"
    unknown = named - openapi_operations(docs_app)
    unknown -= served_outside_openapi(docs_app, unknown)
    assert not unknown, f"{document.name} names operations the app does not have: {unknown}"


def test_the_contract_states_the_base_path():
    assert "`/api/v1`" in read(CONTRACT) and "`/api/v1`" in read(GUIDE)


def test_the_guide_lists_the_cors_headers_and_methods():
    cors = read(GUIDE).split("## CORS", 1)[1].split("\n## ", 1)[0]
    for name in (*CORS_REQUEST_HEADERS, *CORS_EXPOSED_HEADERS, *CORS_METHODS):
        assert f"`{name}`" in cors, name


# 3. Links


def slugs(markdown: str) -> set[str]:
    """The anchors of a document's headings, as GitHub makes them."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(re.sub(r"^```.*?^```", "", markdown, flags=re.M | re.S)):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def documents() -> list[Path]:
    return [*sorted(DOCS.glob("*.md")), ROOT / "README.md"]


@pytest.mark.parametrize("document", documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(document):
    text = read(document)
    for target in LINK.findall(re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        linked = (document.parent / path).resolve() if path else document
        assert linked.exists(), f"{document.name} links to {target}, which does not exist"
        assert ROOT in linked.parents or linked == ROOT, f"{target} leaves the project"
        if anchor and linked.suffix == ".md":
            assert anchor in slugs(read(linked)), f"{document.name}: no heading for {target}"


def test_nothing_points_outside_the_project():
    """No document refers to files the project does not ship (the shared drafts)."""
    for document in documents():
        text = read(document)
        for outside in ("/work/shared", "../shared", "DESIGN.md", "STYLE.md"):
            assert outside not in text, f"{document.name} mentions {outside}"
        assert not re.search(r"(?<![\w/])API\.md", text), f"{document.name} mentions API.md"

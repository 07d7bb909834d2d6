"""Generated clients, proven: a TypeScript client (openapi-typescript + openapi-fetch) and a
Python client (openapi-python-client) are generated from the live server's /openapi.json,
type-checked (tsc --strict; mypy --strict on the package and the workflow) and each runs the
workflow in clients/ against the live server with demo data, on each database.

Generation and type checks are cached by the hash of the document and of the client sources,
in a temporary folder, so they run once per document. When node, the npm packages or
openapi-python-client are missing the tests are skipped with a loud notice (conftest prints a
summary line), except under CI=true, where they fail.
"""

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session, sessionmaker

from app.core.db import transaction
from app.seed.demo import DEMO_PASSWORD, seed_demo
from app.seed.demo_content import seed_demo_content
from tests.conftest import settings_for
from tests.live_server import serving

ROOT = Path(__file__).resolve().parents[1]
TYPESCRIPT = ROOT / "clients" / "typescript"
PYTHON = ROOT / "clients" / "python"
TS_SOURCES = ["package.json", "package-lock.json", "tsconfig.json", "workflow.ts"]
PY_SOURCES = ["config.yaml", "workflow.py"]
CACHE = Path(tempfile.gettempdir()) / "xqhz-generated-clients"
NOTICE = "generated clients NOT tested"  # conftest's terminal summary looks for it
IN_CI = os.environ.get("CI") == "true"
DEMO_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(DEMO_PASSWORD)


def unavailable(message: str) -> None:
    """Skip loudly here; fail under CI, where the tools must be installed."""
    message = f"{NOTICE}: {message}"
    if IN_CI:
        pytest.fail(message + " (CI=true: the clients must be tested)")
    pytest.skip(message)


def run(args: list[str | Path], *, cwd: Path, timeout: int = 300, **env: str) -> str:
    """Run a tool; fail the test with its output when it exits non-zero."""
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(f"{' '.join(map(str, args))} exited {result.returncode}:\n{output}")
    return output


def cached(kind: str, document: bytes, sources: Path, names: list[str], tools: str) -> Path:
    """The cache folder for one client of one document; `ok` in it marks a finished build."""
    digest = hashlib.sha256(document + tools.encode())
    for name in names:
        digest.update(name.encode() + (sources / name).read_bytes())
    return CACHE / f"{kind}-{digest.hexdigest()[:20]}"


@contextmanager
def building(target: Path) -> Iterator[Path]:
    """A fresh folder to build in, moved to `target` when the block succeeds (another run
    may have put the same build there first) and removed when it fails."""
    CACHE.mkdir(exist_ok=True)
    build = CACHE / f"building-{uuid.uuid4().hex}"
    build.mkdir()
    try:
        yield build
        (build / "ok").touch()
        with suppress(OSError):
            build.rename(target)
    finally:
        shutil.rmtree(build, ignore_errors=True)


@pytest.fixture(scope="session")
def typescript_tools() -> Path:
    """node_modules/.bin of clients/typescript, where openapi-typescript and tsc are."""
    if shutil.which("node") is None:
        unavailable("node is not installed")
    bin_dir = TYPESCRIPT / "node_modules" / ".bin"
    if not (bin_dir / "tsc").exists() or not (bin_dir / "openapi-typescript").exists():
        unavailable("run `npm ci --prefix clients/typescript` (make test does)")
    return bin_dir


def typescript_client(bin_dir: Path, document: bytes) -> Path:
    """schema.d.ts generated from the document, workflow.ts compiled by tsc --strict."""
    # Keyed by this checkout's path too: the build links its node_modules, and a cache left
    # by another (since deleted) checkout would link to nothing.
    target = cached("typescript", document, TYPESCRIPT, TS_SOURCES, str(TYPESCRIPT))
    if (target / "ok").exists():
        return target
    with building(target) as build:
        for name in TS_SOURCES:
            shutil.copy(TYPESCRIPT / name, build / name)
        (build / "node_modules").symlink_to(TYPESCRIPT / "node_modules")
        (build / "openapi.json").write_bytes(document)
        run(
            [bin_dir / "openapi-typescript", "openapi.json", "-o", "schema.d.ts"]
            + ["--default-non-nullable", "false"],
            cwd=build,
        )
        run([bin_dir / "tsc", "-p", "tsconfig.json", "--strict"], cwd=build)
    return target


@pytest.fixture(scope="session")
def python_generator() -> tuple[Path, str]:
    """The openapi-python-client command of this interpreter's environment, and its version."""
    command = Path(sys.executable).with_name("openapi-python-client")
    if importlib.util.find_spec("openapi_python_client") is None or not command.exists():
        unavailable("openapi-python-client is not installed: pip install -e '.[dev]'")
    from openapi_python_client import __version__

    return command, __version__


def python_client(generator: tuple[Path, str], document: bytes) -> Path:
    """The package generated from the document; mypy --strict on it and on workflow.py."""
    command, version = generator
    target = cached("python", document, PYTHON, PY_SOURCES, version)
    if (target / "ok").exists():
        return target
    with building(target) as build:
        (build / "openapi.json").write_bytes(document)
        run(
            [command, "generate", "--path", "openapi.json", "--meta", "none"]
            + ["--config", PYTHON / "config.yaml", "--output-path", "xqhz_client"],
            cwd=build,
        )
        shutil.copy(PYTHON / "workflow.py", build / "workflow.py")
        mypy = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", ".mypy_cache"]
        run([*mypy, "xqhz_client", "workflow.py"], cwd=build)
    return target


@pytest.fixture(scope="module")
def live(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The platform served on this database (one server per database)."""
    log = tmp_path_factory.mktemp("clients") / "server.log"
    with serving(database_url, log, APP_RUN_WORKER="false", RATE_LIMIT_PER_MINUTE="0") as base:
        yield base


@pytest.fixture
def demo_base(
    live: str, database_url: str, db: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> str:
    """The demo world seeded into the served database (each test starts without it)."""

    # Argon2 is slow on purpose: 21 demo users cost seconds; one cheap hash serves them all.
    def cheap(password: str) -> str:
        assert password == DEMO_PASSWORD, "demo users only"
        return DEMO_HASH

    monkeypatch.setattr("app.seed.demo.hash_password", cheap)
    monkeypatch.setattr("app.services.auth.hash_password", cheap)
    with transaction(db) as session:
        seed_demo(session)
    with transaction(db) as session:
        seed_demo_content(session, settings_for(database_url))
    return live


def document_of(base: str) -> bytes:
    answer = httpx.get(f"{base}/openapi.json", timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.content


def run_workflow(args: list[str | Path], *, cwd: Path, **env: str) -> None:
    output = run(args, cwd=cwd, timeout=120, **env)
    print(output)
    assert "workflow passed" in output, output


def test_typescript_client_runs_the_workflow(typescript_tools: Path, demo_base: str) -> None:
    build = typescript_client(typescript_tools, document_of(demo_base))
    run_workflow(["node", build / "build" / "workflow.js", demo_base], cwd=build)


def test_python_client_runs_the_workflow(
    python_generator: tuple[Path, str], demo_base: str
) -> None:
    build = python_client(python_generator, document_of(demo_base))
    run_workflow([sys.executable, build / "workflow.py", demo_base], cwd=build, PYTHONPATH=".")

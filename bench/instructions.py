"""Instructions per request: the product against the bare reference (`bench/bare.py`), counted
by `valgrind --tool=callgrind`, which the other processes of a shared machine do not disturb.

    .venv/bin/python bench/instructions.py [--db sqlite|postgresql] [--items 1000]
                                           [--requests 100] [--case list ...]

Needs valgrind and its headers (Debian: `apt-get install -y valgrind`) and a C compiler. For
each database (default: SQLite, then a scratch PostgreSQL database on $BENCH_POSTGRES_URL) it
seeds `--items` tech projects as `bench/http.py` does, then runs the product (production
settings, rate limit and webhook worker off, access log on) and the bare app, each in its
own Python process under callgrind. The process sends every case's requests straight to the
ASGI app (no client, no sockets): `--warmup` requests uncounted, then `--requests` counted
ones, and asks callgrind (through a tiny C library compiled here) to count only those. It
prints thousands of instructions per request of each and product/bare (bare's count over
the product's: above 1 the product is cheaper); at the end, the product's healthz over
its 1-row read, in the sense of the issue's "1-row read at ≥ 0.6× /healthz".

`BENCH_PRODUCT_ROOT=/path/to/another/checkout` counts that checkout's product instead (as
for `bench/http.py`): before/after figures of one change.

Kernel time (system calls, thread switches) and waiting are not counted: the figures say
how much work the Python process does per request, not how fast it answers.
"""

import argparse
import asyncio
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from common import ROOT, scratch_database

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_http", HERE / "http.py")
assert _spec and _spec.loader
bench_http = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_http)

HELPER = r"""
#include <valgrind/callgrind.h>
void count_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void count_stop(const char *name) { CALLGRIND_STOP_INSTRUMENTATION; CALLGRIND_DUMP_STATS_AT(name); }
"""


def build_helper(folder: Path) -> Path:
    source, lib = folder / "count.c", folder / "libcount.so"
    source.write_text(HELPER)
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", lib, source], check=True)
    return lib


# --- the child: one app under callgrind -------------------------------------------------


def make_app(which: str, url: str) -> Any:
    if which == "bare":
        from bench.bare import create_app as create_bare

        return create_bare()
    from app.core.config import Settings
    from app.main import create_app

    settings = Settings(
        app_env="production",
        database_url=url,
        secret_key=bench_http.SECRET,
        rate_limit_per_minute=0,
        app_run_worker=False,  # its polling would be counted with the requests
    )
    return create_app(settings)


async def send(app: Any, state: dict[str, Any], case: Any, token: str) -> int:
    """One request straight into the ASGI app; its status."""
    path, _, query = case.path.partition("?")
    body = bench_http.BODY.encode() if case.method == "POST" else b""
    headers = [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"bench"), (b"accept", b"*/*")]
    if case.signed_in:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    if body:
        headers += [(b"content-type", b"application/json")]
        headers += [(b"content-length", str(len(body)).encode())]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": case.method,
        "scheme": "http",
        "path": unquote(path),
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": dict(state),
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # a client that stays connected
        return {"type": "http.disconnect"}

    async def reply(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, reply)
    return status


async def serve(args: argparse.Namespace) -> None:
    import ctypes

    counter = ctypes.CDLL(args.lib)
    app = make_app(args.child, args.url)
    state: dict[str, Any] = {}
    async with app.router.lifespan_context(app) as started:
        state.update(started or {})
        for case in bench_http.cases(args.item):
            if args.case and case.name not in args.case:
                continue
            for _ in range(args.warmup):
                status = await send(app, state, case, args.token)
                if status >= 300:
                    sys.exit(f"{args.child} {case.name}: status {status}")
            counter.count_start()
            for _ in range(args.requests):
                await send(app, state, case, args.token)
            counter.count_stop(case.name.encode())


# --- the parent ---------------------------------------------------------------------------


def count(
    which: str, url: str, token: str, item: int, lib: Path, folder: Path, args: argparse.Namespace
) -> dict[str, float]:
    """Instructions per request of each case, for one app."""
    name = f"{'sqlite' if url.startswith('sqlite') else 'postgresql'}.{which}"
    out = folder / f"{name}.out"
    argv = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
    argv += [sys.executable, __file__, "--child", which, "--url", url, "--token", token]
    argv += ["--item", str(item), "--lib", str(lib), "--requests", str(args.requests)]
    argv += ["--warmup", str(args.warmup)]
    for case in args.case or []:  # not `name`: the files below are named by it
        argv += ["--case", case]
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": bench_http.SECRET}
    env["PYTHONPATH"] = f"{bench_http.PRODUCT}:{ROOT}"  # the product served, then bench/'s
    log = folder / f"{name}.log"
    with log.open("wb") as sink:
        done = subprocess.run(argv, env=env, stdout=sink, stderr=subprocess.STDOUT, cwd=ROOT)
    if done.returncode:
        sys.exit(f"{which} failed ({done.returncode}):\n{log.read_text()[-3000:]}")
    found: dict[str, float] = {}
    for part in folder.glob(f"{name}.out.*"):  # one a case: callgrind_annotate reads them
        text = part.read_text(errors="replace")
        trigger = re.search(r"^desc: Trigger: Client Request: (\S+)", text, re.M)
        totals = re.search(r"^totals: (\d+)", text, re.M)
        if trigger and totals:
            found[trigger.group(1)] = int(totals.group(1)) / args.requests
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=100, help="counted per case")
    parser.add_argument("--warmup", type=int, default=20, help="uncounted, before them")
    parser.add_argument("--case", action="append", help="only these cases (default: all)")
    parser.add_argument("--keep", help="a folder to keep the callgrind files in")
    parser.add_argument("--child", choices=["product", "bare"], help=argparse.SUPPRESS)
    for hidden in ("--url", "--token", "--lib"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    parser.add_argument("--item", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(serve(args))
        return
    with tempfile.TemporaryDirectory(prefix="bench_instr_") as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        lib = build_helper(folder)
        for db in args.db or ["sqlite", "postgresql"]:
            with scratch_database(db) as url:
                token, item = bench_http.prepare(url, [], 0, args.items)
                figures = {
                    which: count(which, url, token, item, lib, folder, args)
                    for which in ("product", "bare")
                }
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            print(
                f"{db}, {args.items:,} tech projects, {args.requests} requests a case"
                f" (load {load}): thousands of instructions per request"
            )
            print(f"  {'case':12} {'product':>9} {'bare':>9}  bare/product")
            product, bare = figures["product"], figures["bare"]
            for name in [c.name for c in bench_http.cases(item) if c.name in product]:
                print(
                    f"  {name:12} {product[name] / 1e3:9,.0f} {bare[name] / 1e3:9,.0f}"
                    f"  {bare[name] / product[name]:.2f}"
                )
            if "get" in product and "healthz" in product:
                print(
                    f"  product healthz / get: {product['healthz'] / product['get']:.2f}"
                    f" (bare: {bare['healthz'] / bare['get']:.2f})"
                )
            print(json.dumps({"db": db, **figures}), file=sys.stderr)


if __name__ == "__main__":
    main()
